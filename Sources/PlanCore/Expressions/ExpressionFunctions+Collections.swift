import PlanYAML

/// The functions over lists and objects that answer a fleet question in one expression: how many nodes
/// failed (`count`), which ones (`select`), which has the most disk used (`max_by`).
extension ExpressionEvaluator {
    static func applyCollection(_ function: ExpressionFunction, _ args: [Value], at range: SourceRange)
        throws(EvaluationError) -> Value
    {
        let name = function.rawValue
        func fail(_ message: String) -> EvaluationError { EvaluationError(message, at: range) }
        switch function {
        case .count:
            let items: [Value]
            switch args[0] {
            case .array(let list): items = list
            case .object(let object): items = object.values
            default: throw fail("'count' takes a list or an object, got \(describe(args[0]))")
            }
            return .int(items.count { equal($0, args[1]) })
        case .select:
            let key = try keyArgument(args[1], of: name, at: range)
            return .array(try entries(args[0], of: name, at: range).compactMap { label, value in
                guard case .object(let inner) = value, let field = inner[key], equal(field, args[2]) else { return nil }
                return label
            })
        case .max_by, .min_by:
            let key = try keyArgument(args[1], of: name, at: range)
            var best: (label: Value, field: Value)?
            for (label, value) in try entries(args[0], of: name, at: range) {
                guard case .object(let inner) = value, let field = inner[key] else { continue }
                guard let current = best else {
                    best = (label, field)
                    continue
                }
                guard let order = compare(field, current.field) else {
                    throw fail("'\(name)' cannot compare \(describe(field)) with \(describe(current.field))")
                }
                if function == .max_by ? order > 0 : order < 0 { best = (label, field) }
            }
            guard let best else { throw fail("'\(name)': no entry has the key '\(key)'") }
            if compare(best.field, best.field) == nil {
                throw fail("'\(name)' compares numbers or strings, got \(describe(best.field))")
            }
            return best.label
        case .values:
            guard case .object(let object) = args[0] else { throw fail("'values' takes an object, got \(describe(args[0]))") }
            return .array(object.values)
        case .sort:
            guard case .array(let items) = args[0] else { throw fail("'sort' takes a list, got \(describe(args[0]))") }
            for item in items where compare(item, items[0]) == nil {
                throw fail("'sort' takes a list of numbers or of strings; cannot compare \(describe(item)) with \(describe(items[0]))")
            }
            // Stable: equal elements keep their order (an insertion sort on indices would be quadratic).
            let order = items.indices.sorted { a, b in
                let c = compare(items[a], items[b]) ?? 0
                return c != 0 ? c < 0 : a < b
            }
            return .array(order.map { items[$0] })
        default:
            throw fail("'\(name)' is not a collection function")
        }
    }

    /// An object's entries labelled by name, or a list's elements labelled by themselves.
    private static func entries(_ value: Value, of name: String, at range: SourceRange)
        throws(EvaluationError) -> [(label: Value, value: Value)]
    {
        switch value {
        case .object(let object): return object.map { (Value.string($0.key), $0.value) }
        case .array(let items): return items.map { ($0, $0) }
        default: throw EvaluationError("'\(name)' takes an object or a list, got \(describe(value))", at: range)
        }
    }

    private static func keyArgument(_ value: Value, of name: String, at range: SourceRange) throws(EvaluationError) -> String {
        guard case .string(let key) = value else {
            throw EvaluationError("'\(name)' takes a key name, got \(describe(value))", at: range)
        }
        return key
    }
}
