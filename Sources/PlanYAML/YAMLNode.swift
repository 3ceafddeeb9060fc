/// A composed YAML node: a value tree with the source range of every node.
///
/// Aliases are resolved into copies of their anchor's node (a value type, so copies are cheap);
/// `aliasRange` remembers where the alias stood so that diagnostics can say "via alias at L:C".
public struct YAMLNode: Sendable, Hashable {
    public enum ScalarStyle: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Pair: Sendable, Hashable {
        public var key: YAMLNode
        public var value: YAMLNode

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// Not `indirect`: the arrays already give the recursion its indirection, and a box per node would cost
    /// an allocation, a retain on every copy and a release on teardown for each of a plan's many nodes.
    public enum Content: Sendable, Hashable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        /// Ordered pairs, so that order is kept and a duplicate key can name both places.
        case mapping([Pair])
    }

    public var content: Content
    public var range: SourceRange
    /// The tag and the alias range, out of line (`indirect`): most nodes have neither, and inline they took 24
    /// of every node's 72 bytes (a 5,000-step plan is some 225,000 nodes). Nil when both are nil.
    private var rare: Rare?

    private indirect enum Rare: Sendable, Hashable {
        case parts(tag: String?, aliasRange: SourceRange?)
    }

    /// An explicit tag such as `!!str`, as written (shorthand resolved by libyaml); nil when none.
    public var tag: String? {
        get {
            guard case .parts(let tag, _)? = rare else { return nil }
            return tag
        }
        set { rare = Self.rare(tag: newValue, aliasRange: aliasRange) }
    }

    /// Where the alias that produced this copy stood; nil for a node written in place.
    public var aliasRange: SourceRange? {
        get {
            guard case .parts(_, let aliasRange)? = rare else { return nil }
            return aliasRange
        }
        set { rare = Self.rare(tag: tag, aliasRange: newValue) }
    }

    private static func rare(tag: String?, aliasRange: SourceRange?) -> Rare? {
        tag == nil && aliasRange == nil ? nil : .parts(tag: tag, aliasRange: aliasRange)
    }

    /// The scalar's text, or nil when the node is a sequence or a mapping.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let style) = content { return style }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A quoted scalar is always a string; a plain one is typed by the field that reads it.
    public var isQuoted: Bool {
        switch scalarStyle {
        case .singleQuoted, .doubleQuoted, .literal, .folded: return true
        default: return false
        }
    }

    /// `null`, `~` or empty plain scalar.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = content, tag == nil else { return false }
        return text.isEmpty || text == "~" || text == "null"
    }

    /// What the node is, in words for diagnostics: "a mapping", "a list", "a string".
    public var kindDescription: String {
        switch content {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

extension YAMLNode {
    /// In an extension, so that the struct keeps its memberwise initializer: built through it, a node is one
    /// value; assigned field by field here, the optimizer copied every node out of the initializer (a retain
    /// and a release of its text or children per node, a twentieth of composing).
    public init(_ content: Content, range: SourceRange, tag: String? = nil, aliasRange: SourceRange? = nil) {
        self.init(content: content, range: range, rare: Self.rare(tag: tag, aliasRange: aliasRange))
    }
}
