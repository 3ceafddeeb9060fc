import PlanYAML

/// A whole plan file, decoded: what `planrun validate` checks and `planrun run` executes.
public struct Plan: Sendable, Equatable {
    /// The path the plan was read from, as given; diagnostics point into it.
    public var file: String
    public var version: Int
    public var name: String
    public var description: String?
    public var inventory: Inventory
    /// In file order; `operation` is implicit and never listed here.
    public var inputs: [InputDeclaration]
    public var policy: Policy
    /// In file order.
    public var operations: [Operation]
    /// The operation's own result fields, rendered after validate; in file order.
    public var output: [OutputField]

    public init(
        file: String, version: Int = 1, name: String, description: String? = nil,
        inventory: Inventory = Inventory(), inputs: [InputDeclaration] = [], policy: Policy = Policy(),
        operations: [Operation] = [], output: [OutputField] = []
    ) {
        self.file = file
        self.version = version
        self.name = name
        self.description = description
        self.inventory = inventory
        self.inputs = inputs
        self.policy = policy
        self.operations = operations
        self.output = output
    }

    public func operation(named name: String) -> Operation? { operations.first { $0.name == name } }
    public func input(named name: String) -> InputDeclaration? { inputs.first { $0.name == name } }
}

/// One key of `output:` with its value template (a scalar template, or nested lists and mappings of them).
public struct OutputField: Sendable, Equatable {
    public var name: String
    public var value: ValueTemplate
    public var range: SourceRange

    /// The keys the engine writes into the result after the plan's own fields (`operation`, `steps`, …, and a
    /// dry-run's `dry_run` and `waves`); an `output:` field of the same name is a validate error.
    public static let reservedNames = [
        "operation", "issues", "recommendations", "validation_status", "confidence", "execution_time", "steps",
        "dry_run", "waves",
    ]

    public init(name: String, value: ValueTemplate, range: SourceRange) {
        self.name = name
        self.value = value
        self.range = range
    }
}

/// A YAML value whose scalars are templates: used by `output:` and `set:`.
public indirect enum ValueTemplate: Sendable, Equatable {
    /// A scalar. `typedLiteral` is set for plain scalars that read as null, bool, int or float.
    case scalar(Template, typedLiteral: Value?)
    case list([ValueTemplate], SourceRange)
    case map([Entry], SourceRange)

    /// One key of a mapping (`set:`, `with:`, `output:` values), in file order.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: ValueTemplate

        public init(key: String, value: ValueTemplate) {
            self.key = key
            self.value = value
        }
    }

    public var range: SourceRange {
        switch self {
        case .scalar(let t, _): return t.range
        case .list(_, let r), .map(_, let r): return r
        }
    }
}
