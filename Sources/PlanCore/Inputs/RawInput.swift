import PlanYAML

/// One input as the operator gave it, before it is typed by the plan's declaration.
public struct RawInput: Sendable {
    public enum Content: Sendable {
        /// From `-i key=value`: text, typed by the declaration.
        case text(String)
        /// From an inputs file or stdin: already typed (`"timeout": 60` is 60 seconds for a duration).
        case value(Value)
    }

    public var content: Content
    /// The inputs file the value came from; nil for the command line.
    public var file: String?
    /// Where the value stands in its file.
    public var range: SourceRange
    /// Where its key stands, for "unknown input"; nil for the command line.
    public var keyRange: SourceRange?

    public init(_ content: Content, file: String? = nil, range: SourceRange = .unknown, keyRange: SourceRange? = nil) {
        self.content = content
        self.file = file
        self.range = range
        self.keyRange = keyRange
    }

    public static func text(_ text: String) -> RawInput { RawInput(.text(text)) }
    public static func value(_ value: Value) -> RawInput { RawInput(.value(value)) }

    /// Splits `-i key=value` at the first `=`; nil when there is none or the key is empty.
    public static func parseAssignment(_ argument: String) -> (key: String, value: RawInput)? {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        return (String(argument[..<equals]), .text(String(argument[argument.index(after: equals)...])))
    }
}
