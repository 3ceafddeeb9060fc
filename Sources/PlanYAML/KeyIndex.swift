/// Finds an equal key among a mapping's keys, to catch duplicates and to skip merged keys already present.
///
/// Scalar keys are equal when their text is (style and tag do not matter: `"a"` and `a` are the same key to
/// a reader); other keys compare by structure, through a canonical text, so that a mapping with many complex
/// keys still costs one hash lookup per key rather than a comparison with every earlier key.
struct KeyIndex {
    private var scalars: [String: Int] = [:]
    private var structured: [String: Int] = [:]

    init() {}

    /// The position recorded with the first key equal to `key`, if any.
    func position(of key: YAMLNode) -> Int? {
        if let text = key.scalar { return scalars[text] }
        return structured[key.canonicalKey]
    }

    /// Records `key` at `position`, unless an equal key is recorded already.
    mutating func insert(_ key: YAMLNode, at position: Int) {
        if let text = key.scalar {
            if scalars[text] == nil { scalars[text] = position }
        } else {
            let canonical = key.canonicalKey
            if structured[canonical] == nil { structured[canonical] = position }
        }
    }
}

extension YAMLNode {
    /// A text equal for two nodes exactly when they are the same key: scalars by text, sequences in order,
    /// mappings in any order; ranges, styles and tags ignored.
    ///
    /// Scalars are length-prefixed so no text can pass for structure, and a mapping's entries are sorted so
    /// their written order does not matter. Linear in the key's size apart from that sort.
    var canonicalKey: String {
        switch content {
        case .scalar(let text, _):
            return "\(text.utf8.count):\(text)"
        case .sequence(let items):
            return "[" + items.map(\.canonicalKey).joined() + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { $0.key.canonicalKey + $0.value.canonicalKey }.sorted().joined() + "}"
        }
    }
}
