import CLibYAML

/// Limits the composer enforces from libyaml's event stream, so hostile input fails fast with a located error.
public struct YAMLLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxBytes: Int = 16 << 20
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int = 256
    /// Most nodes that aliases may add by expansion, across the document (billion laughs).
    public var maxAliasExpansion: Int = 100_000
    /// Most bytes of scalar text that aliases may add by expansion, across the document: a few aliases of one
    /// huge scalar are few nodes but much work for every later reader (10,000 aliases of a scalar with 1,000
    /// expressions took 4 s and 1.2 GB to validate). Both budgets are charged per alias, so failing is fast.
    public var maxAliasExpansionBytes: Int = 4 << 20

    public init() {}
    public static let `default` = YAMLLimits()
}

/// Builds a `YAMLNode` tree from libyaml's events.
public enum YAMLComposer {
    /// Composes the single document in `bytes`.
    ///
    /// Returns a nil node for an empty document. Syntax errors, limits, duplicate keys, bad merge keys and
    /// a second document are diagnostics (ids `yaml.*`), never a crash or a hang.
    ///
    /// Errors that leave no trustworthy tree return a nil node: `yaml.syntax`, `yaml.encoding`,
    /// `yaml.too-large`, `yaml.too-deep`, `yaml.alias-budget`, `yaml.unknown-alias`. The others keep the
    /// tree: `yaml.duplicate-key` (the later pair is dropped), `yaml.bad-merge` (the merge key merges
    /// nothing) and `yaml.multiple-documents` (the first document is returned, the rest is not read).
    public static func compose(
        _ bytes: [UInt8], file: String? = nil, limits: YAMLLimits = .default
    ) -> (node: YAMLNode?, diagnostics: [Diagnostic]) {
        // Checked before libyaml sees a byte: the size bounds every other cost.
        guard bytes.count <= limits.maxBytes else {
            let message = "input is \(bytes.count) bytes, more than the limit of \(limits.maxBytes)"
            return (nil, [Diagnostic(.yamlTooLarge, message, file: file, at: SourceRange(line: 1, column: 1))])
        }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let parser = LibYAMLParser(input: buffer) else {
                let message = "libyaml could not allocate a parser"
                return (nil, [Diagnostic(.yamlMemory, message, file: file, at: SourceRange(line: 1, column: 1))])
            }
            var composition = Composition(limits: limits, file: file)
            var event = yaml_event_t()
            while true {
                guard parser.next(&event) else {
                    composition.fail(parser.failure(file: file))
                    break
                }
                let step = composition.handle(event)
                yaml_event_delete(&event)
                if step == .stop { break }
            }
            return (composition.node, composition.diagnostics)
        }
    }
}
