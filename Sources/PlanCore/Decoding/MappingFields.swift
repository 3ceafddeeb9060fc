import PlanYAML

/// A mapping's pairs with scalar keys, read as `(key, keyNode, value)` where they stand in the tree.
///
/// What `DecodingContext.mapping(_:expected:)` returns. Each element is made when it is read, so decoding a
/// mapping builds no array of its fields (building and freeing one per step, with a copy of every key and
/// value node, was a seventh of decoding a large plan).
struct MappingFields: RandomAccessCollection, ExpressibleByArrayLiteral {
    /// Only pairs whose key is a scalar.
    private let pairs: [YAMLNode.Pair]

    init(_ pairs: [YAMLNode.Pair]) {
        self.pairs = pairs
    }

    init(arrayLiteral elements: YAMLNode.Pair...) {
        pairs = elements
    }

    var startIndex: Int { pairs.startIndex }
    var endIndex: Int { pairs.endIndex }

    subscript(position: Int) -> (key: String, keyNode: YAMLNode, value: YAMLNode) {
        let pair = pairs[position]
        return (pair.key.scalar ?? "", pair.key, pair.value)
    }
}
