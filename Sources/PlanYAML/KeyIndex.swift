/// Finds an equal key among a mapping's keys, to catch duplicates and to skip merged keys already present.
///
/// Scalar keys are equal when their text is (style and tag do not matter: `"a"` and `a` are the same key to
/// a reader); other keys compare by structure. Most plan mappings have a handful of keys, so small ones are
/// searched linearly and a dictionary is built only when a mapping grows past `linearLimit`.
struct KeyIndex {
    private static let linearLimit = 8

    private var keys: [YAMLNode] = []
    private var positions: [Int] = []
    private var scalars: [String: Int]? = nil

    init() {}

    /// The position recorded with the first key equal to `key`, if any.
    func position(of key: YAMLNode) -> Int? {
        if let text = key.scalar, let scalars {
            return scalars[text]
        }
        for (index, other) in keys.enumerated() where other.isSameKey(as: key) {
            return positions[index]
        }
        return nil
    }

    /// Records `key` at `position`; the caller checks `position(of:)` first, so keys here are distinct.
    mutating func insert(_ key: YAMLNode, at position: Int) {
        if let text = key.scalar, scalars != nil {
            scalars![text] = position
            return
        }
        keys.append(key)
        positions.append(position)
        if scalars == nil, keys.count > Self.linearLimit {
            // Move the scalar keys into the dictionary; structured keys (rare) stay in the list.
            var table: [String: Int] = [:]
            var restKeys: [YAMLNode] = []
            var restPositions: [Int] = []
            for (index, key) in keys.enumerated() {
                if let text = key.scalar {
                    table[text] = positions[index]
                } else {
                    restKeys.append(key)
                    restPositions.append(positions[index])
                }
            }
            scalars = table
            keys = restKeys
            positions = restPositions
        }
    }
}

extension YAMLNode {
    /// Whether two keys name the same entry: scalars by text, collections by structure, ranges ignored.
    func isSameKey(as other: YAMLNode) -> Bool {
        if case .scalar(let a, _) = content, case .scalar(let b, _) = other.content {
            // Nearly every key is a short plain scalar; differing lengths settle most comparisons cheaply.
            return a.utf8.count == b.utf8.count && a == b
        }
        switch (content, other.content) {
        case (.scalar(let a, _), .scalar(let b, _)):
            return a == b
        case (.sequence(let a), .sequence(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSameKey(as: $1) }
        case (.mapping(let a), .mapping(let b)):
            // Order does not make two mappings different keys.
            return a.count == b.count
                && a.allSatisfy { pair in
                    b.contains { $0.key.isSameKey(as: pair.key) && $0.value.isSameKey(as: pair.value) }
                }
        default:
            return false
        }
    }
}
