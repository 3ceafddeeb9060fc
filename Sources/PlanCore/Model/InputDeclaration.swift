import PlanYAML

/// A value the operator passes with `-i key=value`, `--inputs FILE` or JSON on stdin.
public struct InputDeclaration: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case string, int, float, bool, duration, node, list
    }

    public var name: String
    public var kind: Kind
    /// Already typed; a duration is held as `.double(seconds)` or `.int(seconds)`.
    public var defaultValue: Value?
    public var required: Bool
    /// The allowed values, when the input is an enumeration.
    public var allowed: [Value]?
    /// Upper bound for int, float and duration inputs (durations in seconds).
    public var max: Double?
    public var min: Double?
    /// Replaced by `***` wherever planrun prints.
    public var secret: Bool
    public var description: String?
    public var range: SourceRange

    public init(
        name: String, kind: Kind = .string, defaultValue: Value? = nil, required: Bool = false,
        allowed: [Value]? = nil, max: Double? = nil, min: Double? = nil, secret: Bool = false,
        description: String? = nil, range: SourceRange = .unknown
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.required = required
        self.allowed = allowed
        self.max = max
        self.min = min
        self.secret = secret
        self.description = description
        self.range = range
    }
}
