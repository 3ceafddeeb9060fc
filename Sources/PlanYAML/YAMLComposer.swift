import CLibYAML

/// Limits the composer enforces from libyaml's event stream, so hostile input fails fast with a located error.
public struct YAMLLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxBytes: Int = 16 << 20
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int = 256
    /// Most nodes that aliases may add by expansion, across the document (billion laughs).
    public var maxAliasExpansion: Int = 100_000

    public init() {}
    public static let `default` = YAMLLimits()
}

/// Builds a `YAMLNode` tree from libyaml's events.
public enum YAMLComposer {
    /// Composes the single document in `bytes`.
    ///
    /// Returns a nil node for an empty document. Syntax errors, limits, duplicate keys, bad merge keys and
    /// a second document are diagnostics (ids `yaml.*`), never a crash or a hang.
    public static func compose(
        _ bytes: [UInt8], file: String? = nil, limits: YAMLLimits = .default
    ) -> (node: YAMLNode?, diagnostics: [Diagnostic]) {
        // TODO(yaml): implemented on the composer branch.
        return (nil, [Diagnostic("yaml.unimplemented", "composer not implemented", file: file, at: .unknown)])
    }
}
