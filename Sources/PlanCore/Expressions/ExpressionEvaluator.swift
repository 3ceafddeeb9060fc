import PlanYAML

/// Computes the value of an expression tree in a scope (`inputs`, `nodes`, `steps`, `node`, `vars`).
///
/// Pure: reads the scope, runs nothing, touches no environment. Errors name the path or the operator and
/// carry the range of the node that failed.
struct ExpressionEvaluator {
    let scope: Value.Object

    func evaluate(_ node: ExpressionNode) throws(EvaluationError) -> Value {
        switch node {
        case .literal(let value, _):
            return value
        case .path(let path, let range):
            switch resolve(path) {
            case .success(let value): return value
            case .failure(let missing): throw EvaluationError(missing.message(for: path), at: range)
            }
        case .list(let items, _):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .unary(let op, let operand, let range):
            let value = try evaluate(operand)
            switch op {
            case .not: return .bool(!value.isTruthy)
            case .negate:
                switch value {
                case .int(let i) where i != Int.min: return .int(-i)
                case .double(let d): return .double(-d)
                default: throw EvaluationError("cannot negate \(Self.describe(value))", at: range)
                }
            }
        case .binary(.and, let left, let right, _):
            guard try evaluate(left).isTruthy else { return .bool(false) }
            return .bool(try evaluate(right).isTruthy)
        case .binary(.or, let left, let right, _):
            if try evaluate(left).isTruthy { return .bool(true) }
            return .bool(try evaluate(right).isTruthy)
        case .binary(let op, let left, let right, let range):
            return try Self.apply(op, try evaluate(left), try evaluate(right), at: range)
        case .call(let name, let arguments, let range):
            // Every function is at most n log n in its input, so an evaluation ends soon anyway; this makes an
            // interrupt or the deadline (both cancel the step's task) stop a long one at the next call.
            if Task.isCancelled { throw EvaluationError("stopped: the run was interrupted or reached its deadline", at: range) }
            return try call(name, arguments, at: range)
        case .index(_, _, let range):
            switch try lookup(node) {
            case .success(let value): return value
            case .failure(let missing): throw EvaluationError(missing.message(for: missing.path), at: range)
            }
        }
    }

    /// The value of `node`, or nil when it is a path that is not defined (for `default`).
    func evaluateIfDefined(_ node: ExpressionNode) throws(EvaluationError) -> Value? {
        switch node {
        case .path, .index:
            if case .success(let value) = try lookup(node) { return value }
            return nil
        default:
            return try evaluate(node)
        }
    }

    // MARK: - Paths

    /// Why a path has no value: the component where lookup stopped, and what stood there.
    struct Missing: Error {
        enum Reason { case noKey(available: [String]), outOfRange(count: Int), notCollection(String) }
        var index: Int
        var reason: Reason
        /// The path as looked up, keys computed by `[…]` included; set by `lookup`.
        var path: [String] = []

        func message(for path: [String]) -> String {
            let full = "'\(path.joined(separator: "."))' is not defined"
            let parent = "'\(path[..<index].joined(separator: "."))'"
            switch reason {
            case .noKey(let available):
                if let guess = Suggest.closest(to: path[index], among: available) {
                    return full + "; did you mean '\((path[..<index] + [guess]).joined(separator: "."))'?"
                }
                return index == 0 || (index == 1 && path.count == 2) ? full : full + ": \(parent) has no key '\(path[index])'"
            case .outOfRange(let count):
                return full + ": \(parent) has \(count) element\(count == 1 ? "" : "s")"
            case .notCollection(let type):
                return full + ": \(parent) is \(type)"
            }
        }
    }

    /// The value of a path or of an index by expression (`steps.restart[node.name]`), or why it has none; the
    /// failure's `path` spells the keys as computed (`steps.restart.web3`) for its message.
    func lookup(_ node: ExpressionNode) throws(EvaluationError) -> Result<Value, Missing> {
        var path: [String] = []
        return try lookup(node, path: &path)
    }

    private func lookup(_ node: ExpressionNode, path: inout [String]) throws(EvaluationError) -> Result<Value, Missing> {
        switch node {
        case .path(let components, _):
            path = components
            return resolve(components).mapError { missing in
                var missing = missing
                missing.path = components
                return missing
            }
        case .index(let baseNode, let keyNode, _):
            let base: Value
            switch try lookup(baseNode, path: &path) {
            case .success(let value): base = value
            case .failure(let missing): return .failure(missing)
            }
            let key = try evaluate(keyNode)
            let component: String
            switch key {
            case .string(let s): component = s
            case .int(let i): component = String(i)
            default:
                throw EvaluationError("an index takes an int or a string, got \(Self.describe(key))", at: keyNode.range)
            }
            path.append(component)
            // One step of `descend`, with the key taken as it is (a computed "*" is a key, not every key).
            let reason: Missing.Reason
            switch base {
            case .object(let object):
                if let next = object[component] { return .success(next) }
                reason = .noKey(available: object.keys)
            case .array(let array):
                if case .int(let n) = key {
                    if n >= 0 && n < array.count { return .success(array[n]) }
                    reason = .outOfRange(count: array.count)
                } else {
                    reason = .notCollection("a list, indexed by number")
                }
            default:
                reason = .notCollection(Self.article(base))
            }
            return .failure(Missing(index: path.count - 1, reason: reason, path: path))
        default:
            return .success(try evaluate(node))
        }
    }

    /// Looks a path up. `*` maps the rest of the path over an object's values (in key order) or a list's
    /// elements, skipping those where it is not defined; several `*` give one flat list.
    func resolve(_ path: [String]) -> Result<Value, Missing> {
        guard let root = scope[path[0]] else {
            return .failure(Missing(index: 0, reason: .noKey(available: scope.keys)))
        }
        return Self.descend(root, path, from: 1)
    }

    private static func descend(_ value: Value, _ path: [String], from start: Int) -> Result<Value, Missing> {
        var current = value
        var i = start
        while i < path.count {
            let component = path[i]
            if component == "*" {
                let elements: [Value]
                switch current {
                case .object(let object): elements = object.values
                case .array(let array): elements = array
                default: return .failure(Missing(index: i, reason: .notCollection(article(current))))
                }
                let flatten = path[(i + 1)...].contains("*")
                var out: [Value] = []
                for element in elements {
                    guard case .success(let v) = descend(element, path, from: i + 1) else { continue }
                    if flatten, case .array(let inner) = v { out += inner } else { out.append(v) }
                }
                return .success(.array(out))
            }
            switch current {
            case .object(let object):
                guard let next = object[component] else {
                    return .failure(Missing(index: i, reason: .noKey(available: object.keys)))
                }
                current = next
            case .array(let array):
                guard let n = Int(component), n >= 0 else {
                    return .failure(Missing(index: i, reason: .notCollection("a list, indexed by number")))
                }
                guard n < array.count else { return .failure(Missing(index: i, reason: .outOfRange(count: array.count))) }
                current = array[n]
            default:
                return .failure(Missing(index: i, reason: .notCollection(article(current))))
            }
            i += 1
        }
        return .success(current)
    }

    // MARK: - Operators

    static func apply(_ op: ExpressionNode.BinaryOperator, _ a: Value, _ b: Value, at range: SourceRange)
        throws(EvaluationError) -> Value
    {
        switch op {
        case .equal: return .bool(equal(a, b))
        case .notEqual: return .bool(!equal(a, b))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = compare(a, b) else {
                throw EvaluationError("cannot compare \(describe(a)) with \(describe(b)) using '\(op.rawValue)'", at: range)
            }
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in: return .bool(try contains(b, a, at: range))
        case .plus:
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.int(let x), .int(let y)):
                let (sum, overflow) = x.addingReportingOverflow(y)
                if overflow { throw EvaluationError("integer overflow in '+'", at: range) }
                return .int(sum)
            default:
                if let x = number(a), let y = number(b) { return .double(x + y) }
                throw EvaluationError("cannot add \(describe(a)) and \(describe(b)); '+' takes two numbers or two strings", at: range)
            }
        case .minus:
            if case .int(let x) = a, case .int(let y) = b {
                let (difference, overflow) = x.subtractingReportingOverflow(y)
                if overflow { throw EvaluationError("integer overflow in '-'", at: range) }
                return .int(difference)
            }
            if let x = number(a), let y = number(b) { return .double(x - y) }
            throw EvaluationError("cannot subtract \(describe(b)) from \(describe(a)); '-' takes two numbers", at: range)
        case .and: return .bool(a.isTruthy && b.isTruthy)
        case .or: return .bool(a.isTruthy || b.isTruthy)
        }
    }

    /// Structural equality where an int equals the float of the same value and object key order is ignored.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { entry in y[entry.key].map { equal(entry.value, $0) } ?? false }
        default: return a == b
        }
    }

    /// The order of two numbers or two strings (-1, 0, 1); nil for any other pair.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.string(let x), .string(let y)): return x < y ? -1 : x == y ? 0 : 1
        default:
            guard let x = number(a), let y = number(b) else { return nil }
            return x < y ? -1 : x == y ? 0 : 1
        }
    }

    /// Whether `needle` is an element of a list, a substring of a string or a key of an object.
    static func contains(_ haystack: Value, _ needle: Value, at range: SourceRange) throws(EvaluationError) -> Bool {
        switch (haystack, needle) {
        case (.array(let items), _): return items.contains { equal($0, needle) }
        case (.string(let text), .string(let part)): return part.isEmpty || text.contains(part)
        case (.object(let object), .string(let key)): return object[key] != nil
        case (.string, _), (.object, _):
            throw EvaluationError("cannot look for \(describe(needle)) in \(describe(haystack)); it takes a string", at: range)
        default:
            throw EvaluationError("cannot look for a value in \(describe(haystack)); 'in' takes a list, a string or an object", at: range)
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A value in an error message: its type, and the value itself when short.
    static func describe(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .array, .object: return article(value)
        default:
            let text = value.jsonText()
            return text.unicodeScalars.count <= 40 ? "\(value.typeName) \(text)" : value.typeName
        }
    }

    static func article(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .int, .object: return "an \(value.typeName)"
        default: return "a \(value.typeName)"
        }
    }
}
