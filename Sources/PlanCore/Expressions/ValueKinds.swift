/// What `validate` knows of a value before the run: the set of types it may have. A literal has one type,
/// a path read at run time may have any; a function's result has the types its definition gives.
public struct ValueKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let null = ValueKinds(rawValue: 1 << 0)
    public static let bool = ValueKinds(rawValue: 1 << 1)
    public static let int = ValueKinds(rawValue: 1 << 2)
    public static let float = ValueKinds(rawValue: 1 << 3)
    public static let string = ValueKinds(rawValue: 1 << 4)
    public static let list = ValueKinds(rawValue: 1 << 5)
    public static let object = ValueKinds(rawValue: 1 << 6)
    public static let number: ValueKinds = [.int, .float]
    public static let any: ValueKinds = [.null, .bool, .int, .float, .string, .list, .object]

    /// The one kind of `value`.
    public init(of value: Value) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .int: self = .int
        case .double: self = .float
        case .string: self = .string
        case .array: self = .list
        case .object: self = .object
        }
    }

    /// "a string, a list or an object", as the evaluator's messages name types.
    public var description: String {
        let names: [(ValueKinds, String)] = [
            (.null, "null"), (.bool, "a bool"), (.number, "a number"), (.int, "an int"), (.float, "a float"),
            (.string, "a string"), (.list, "a list"), (.object, "an object"),
        ]
        var left = self
        var words: [String] = []
        for (kinds, word) in names where left.isSuperset(of: kinds) {
            words.append(word)
            left.subtract(kinds)
        }
        guard words.count > 1 else { return words.first ?? "nothing" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}

extension ExpressionFunction {
    /// The kinds each argument accepts, by position; a variadic function's last entry stands for the rest.
    var parameters: [ValueKinds] {
        switch self {
        case .len: return [[.string, .list, .object]]
        case .unique, .sort: return [.list]
        case .min, .max, .string, .default, .if: return [.any]
        case .all, .any: return [[.list, .object]]
        case .contains: return [[.list, .string, .object], .any]
        case .trim, .lower, .upper: return [.string]
        case .int: return [[.int, .float, .bool, .string]]
        case .float: return [[.int, .float, .string]]
        case .join: return [.list, .string]
        case .keys, .values: return [.object]
        case .pluck: return [.object, .string]
        case .count: return [[.list, .object], .any]
        case .select: return [[.object, .list], .string, .any]
        case .max_by, .min_by: return [[.object, .list], .string]
        case .split, .matches: return [.string, .string]
        case .replace: return [.string, .string, .string]
        }
    }

    /// The kinds of the result, given the kinds of the arguments.
    func result(_ arguments: [ValueKinds]) -> ValueKinds {
        switch self {
        case .len, .int, .count: return .int
        case .float: return .float
        case .unique, .sort, .keys, .values, .split, .select: return .list
        case .all, .any, .contains, .matches: return .bool
        case .trim, .lower, .upper, .string, .join, .replace: return .string
        case .pluck: return .object
        case .default: return arguments.count == 2 ? arguments[0].subtracting(.null).union(arguments[1]) : .any
        case .if: return arguments.count == 3 ? arguments[1].union(arguments[2]) : .any
        case .min, .max, .max_by, .min_by: return .any
        }
    }
}
