import PlanTestSupport
import PlanYAML

/// Composes a marked fixture's text with the default limits (or `limits`).
func compose(_ source: MarkedSource, limits: YAMLLimits = .default) -> (node: YAMLNode?, diagnostics: [Diagnostic]) {
    YAMLComposer.compose(source.bytes, limits: limits)
}

/// Composes raw bytes, for inputs a Swift string cannot hold (invalid UTF-8) or that need exact bytes.
func compose(bytes: [UInt8], limits: YAMLLimits = .default) -> (node: YAMLNode?, diagnostics: [Diagnostic]) {
    YAMLComposer.compose(bytes, limits: limits)
}

/// A text as UTF-16 little-endian with its byte-order mark, the way libyaml detects it.
func utf16LittleEndian(_ text: String) -> [UInt8] {
    [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}

extension YAMLNode {
    /// The value of the first pair whose key is the scalar `key`; tests only.
    subscript(_ key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar == key }?.value
    }

    /// The scalar keys of a mapping, in order; tests only.
    var keys: [String] { mapping?.compactMap { $0.key.scalar } ?? [] }
}

extension SourceRange {
    /// The span between two markers of a fixture.
    init(_ source: MarkedSource, _ start: String, _ end: String) {
        self.init(start: source[start], end: source[end])
    }
}

/// `Testing` has a `SourceLocation` of its own; this one is the YAML line and column.
typealias Location = PlanYAML.SourceLocation
