/// The functions an expression may call. The set is closed: a name outside it is a parse-time error
/// (`expr.unknown-function`) with a did-you-mean, so a typo is found by `planrun validate`, not mid-run.
enum ExpressionFunction: String, CaseIterable, Sendable {
    /// `len(x)`: characters of a string, elements of a list, keys of an object.
    case len
    /// `unique(list)`: the list without repeats, first-seen order kept (`1` and `1.0` are the same).
    case unique
    /// `min(list)` or `min(a, b, …)`: the smallest of numbers or of strings.
    case min
    /// `max(list)` or `max(a, b, …)`: the largest of numbers or of strings.
    case max
    /// `all(list)`: every element is truthy (true for an empty list).
    case all
    /// `any(list)`: some element is truthy (false for an empty list).
    case any
    /// `contains(haystack, needle)`: the same test as `needle in haystack`.
    case contains
    /// `trim(string)`: without leading and trailing whitespace and line breaks.
    case trim
    /// `int(x)`: parses a string of digits (surrounding whitespace allowed), truncates a float, bool → 0/1.
    case int
    /// `float(x)`: parses a decimal string, widens an int.
    case float
    /// `string(x)`: the text the value would interpolate as.
    case string
    /// `default(x, fallback)`: `x`, unless it is null or a path that is not defined.
    case `default`
    /// `if(condition, then, else)`: `then` when the condition is truthy, else `else`; only the chosen one is evaluated.
    case `if`
    /// `join(list, separator)`: the elements' text joined, separator `,` when left out.
    case join
    /// `keys(object)`: the object's keys in order.
    case keys
    /// `pluck(object, key)`: the same keys, each with its value's `key` (skipped where missing) — e.g.
    /// `pluck(nodes, 'summary')` is each node's summary, by node name.
    case pluck
    /// `count(list, value)`: how many elements equal `value` (by `==`); over an object, its values.
    case count
    /// `select(object, key, value)`: the names whose value's `key` equals `value`, in order — e.g.
    /// `select(nodes, 'status', 'offline')`; over a list, the elements themselves.
    case select
    /// `max_by(object, key)`: the name whose value's `key` is largest (the first of equals); entries without
    /// `key` are skipped. Over a list, the element itself.
    case max_by
    /// `min_by(object, key)`: as `max_by`, the smallest.
    case min_by
    /// `values(object)`: the object's values in key order.
    case values
    /// `sort(list)`: numbers or strings in ascending order (stable).
    case sort
    /// `split(string, separator)`: the pieces between separators, empty ones kept (`split('a,,b', ',')` has 3).
    case split
    /// `replace(string, old, new)`: every `old` replaced by `new`.
    case replace
    /// `lower(string)`: lowercased.
    case lower
    /// `upper(string)`: uppercased.
    case upper
    /// `matches(string, regex)`: whether the regex matches somewhere in the string.
    case matches

    /// How many arguments the function takes.
    var arity: ClosedRange<Int> {
        switch self {
        case .len, .unique, .all, .any, .trim, .int, .float, .string, .keys, .values, .sort, .lower, .upper:
            return 1...1
        case .contains, .default, .pluck, .count, .max_by, .min_by, .split, .matches: return 2...2
        case .if, .select, .replace: return 3...3
        case .join: return 1...2
        case .min, .max: return 1...Int.max
        }
    }

    /// Names other languages use for our functions, for the did-you-mean of an unknown function.
    static let aliases: [String: String] = [
        "length": "len", "size": "len", "uniq": "unique", "distinct": "unique",
        "includes": "contains", "has": "contains", "strip": "trim", "every": "all", "some": "any",
        "str": "string", "integer": "int", "parseInt": "int", "toInt": "int", "double": "float",
        "coalesce": "default", "iif": "if", "cond": "if", "ternary": "if", "filter": "select", "where": "select",
        "sorted": "sort", "argmax": "max_by", "argmin": "min_by", "maxBy": "max_by", "minBy": "min_by",
        "lowercase": "lower", "tolower": "lower", "toLowerCase": "lower", "uppercase": "upper", "toupper": "upper",
        "toUpperCase": "upper", "match": "matches", "regex": "matches", "test": "matches", "sub": "replace",
        "gsub": "replace", "replaceAll": "replace",
    ]

    /// The function a mistyped name most likely meant.
    static func suggestion(for name: String) -> String? {
        if let alias = aliases[name] { return alias }
        return Suggest.closest(to: name, among: allCases.map(\.rawValue))
    }
}

extension ExpressionEvaluator {
    /// Calls a function; the parser has already checked the name and the argument count.
    func call(_ name: String, _ arguments: [ExpressionNode], at range: SourceRange) throws(EvaluationError) -> Value {
        guard let function = ExpressionFunction(rawValue: name), function.arity.contains(arguments.count) else {
            throw EvaluationError("cannot call '\(name)' with \(arguments.count) arguments", at: range)
        }
        if function == .default {
            if let value = try evaluateIfDefined(arguments[0]), value != .null { return value }
            return try evaluate(arguments[1])
        }
        if function == .if {
            return try evaluate(try evaluate(arguments[0]).isTruthy ? arguments[1] : arguments[2])
        }
        var values: [Value] = []
        values.reserveCapacity(arguments.count)
        for argument in arguments { values.append(try evaluate(argument)) }
        return try Self.apply(function, values, at: range)
    }

    static func apply(_ function: ExpressionFunction, _ args: [Value], at range: SourceRange)
        throws(EvaluationError) -> Value
    {
        let name = function.rawValue
        func fail(_ message: String) -> EvaluationError { EvaluationError(message, at: range) }
        switch function {
        case .len:
            switch args[0] {
            case .string(let s): return .int(s.count)
            case .array(let a): return .int(a.count)
            case .object(let o): return .int(o.count)
            default: throw fail("'len' takes a string, a list or an object, got \(describe(args[0]))")
            }
        case .unique:
            guard case .array(let items) = args[0] else { throw fail("'unique' takes a list, got \(describe(args[0]))") }
            return .array(unique(items))
        case .min, .max:
            var items = args
            if args.count == 1, case .array(let list) = args[0] { items = list }
            guard var best = items.first else { throw fail("'\(name)' of an empty list") }
            for item in items.dropFirst() {
                guard let order = compare(item, best) else {
                    throw fail("'\(name)' cannot compare \(describe(item)) with \(describe(best))")
                }
                if function == .min ? order < 0 : order > 0 { best = item }
            }
            if items.count == 1, compare(best, best) == nil {
                throw fail("'\(name)' takes numbers or strings, got \(describe(best))")
            }
            return best
        case .all, .any:
            let items: [Value]
            switch args[0] {
            case .array(let list): items = list
            case .object(let object): items = object.values
            default: throw fail("'\(name)' takes a list, got \(describe(args[0]))")
            }
            return .bool(function == .all ? items.allSatisfy(\.isTruthy) : items.contains(where: \.isTruthy))
        case .contains:
            return .bool(try contains(args[0], args[1], at: range))
        case .trim:
            guard case .string(let s) = args[0] else { throw fail("'trim' takes a string, got \(describe(args[0]))") }
            return .string(s.trimmingWhitespace)
        case .int:
            switch args[0] {
            case .int: return args[0]
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d):
                guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw fail("cannot convert \(describe(args[0])) to int")
                }
                return .int(i)
            case .string(let s):
                guard let i = Int(s.trimmingWhitespace) else { throw fail("cannot convert \(describe(args[0])) to int") }
                return .int(i)
            default: throw fail("cannot convert \(describe(args[0])) to int")
            }
        case .float:
            switch args[0] {
            case .double: return args[0]
            case .int(let i): return .double(Double(i))
            case .string(let s):
                guard let d = Double(s.trimmingWhitespace), d.isFinite else { throw fail("cannot convert \(describe(args[0])) to float") }
                return .double(d)
            default: throw fail("cannot convert \(describe(args[0])) to float")
            }
        case .string:
            return .string(args[0].interpolationText)
        case .join:
            guard case .array(let items) = args[0] else { throw fail("'join' takes a list, got \(describe(args[0]))") }
            var separator = ","
            if args.count == 2 {
                guard case .string(let s) = args[1] else { throw fail("'join' takes a string separator, got \(describe(args[1]))") }
                separator = s
            }
            return .string(items.map(\.interpolationText).joined(separator: separator))
        case .keys:
            guard case .object(let object) = args[0] else { throw fail("'keys' takes an object, got \(describe(args[0]))") }
            return .array(object.keys.map(Value.string))
        case .default:
            return args[0] == .null ? args[1] : args[0]
        case .if:
            return args[0].isTruthy ? args[1] : args[2]
        case .pluck:
            guard case .object(let object) = args[0], case .string(let key) = args[1] else {
                throw fail("'pluck' takes an object and a key, got \(describe(args[0])) and \(describe(args[1]))")
            }
            var out = Value.Object()
            for (name, value) in object {
                if case .object(let inner) = value, let picked = inner[key] { out[name] = picked }
            }
            return .object(out)
        case .count, .select, .max_by, .min_by, .values, .sort:
            return try applyCollection(function, args, at: range)
        case .split, .replace, .lower, .upper, .matches:
            return try applyText(function, args, at: range)
        }
    }

    /// The list without repeats, in first-seen order, by the same equality as `==`; linear (one hash per
    /// element, lists and objects included: 40,000 one-element lists took 31 s when they were compared pairwise).
    static func unique(_ items: [Value]) -> [Value] {
        var seen = Set<UniqueKey>()
        var out: [Value] = []
        for item in items where seen.insert(UniqueKey(item)).inserted { out.append(item) }
        return out
    }
}

/// A value as `==` sees it, hashable: integral floats are ints (1 equals 1.0), objects ignore key order.
private indirect enum UniqueKey: Hashable {
    case scalar(Value)
    case list([UniqueKey])
    case object([String: UniqueKey])

    init(_ value: Value) {
        switch value {
        case .double(let d): self = Int(exactly: d).map { .scalar(.int($0)) } ?? .scalar(value)
        case .array(let items): self = .list(items.map(UniqueKey.init))
        case .object(let object):
            var entries: [String: UniqueKey] = [:]
            for (key, item) in object { entries[key] = UniqueKey(item) }
            self = .object(entries)
        default: self = .scalar(value)
        }
    }
}
