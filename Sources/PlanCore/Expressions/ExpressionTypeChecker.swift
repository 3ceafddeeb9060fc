import PlanYAML

/// Finds, before the run, the type errors an expression would surely hit: a function or operator given a
/// value that can never suit it (`len(5)`, `'a' - 1`, `trim(inputs.count)` for an int input).
///
/// Conservative: a value read at run time may have any type, so only literals, function results and
/// declared inputs can be wrong here. The evaluator's own checks stay for everything else.
struct ExpressionTypeChecker {
    /// The declared type of each input, as kinds (`inputs.NAME`).
    let inputKinds: [String: ValueKinds]
    private(set) var diagnostics: [Diagnostic] = []

    init(inputs: [InputDeclaration]) {
        var kinds: [String: ValueKinds] = ["operation": .string]
        for input in inputs {
            switch input.kind {
            case .string, .node: kinds[input.name] = .string
            case .int: kinds[input.name] = .int
            case .float: kinds[input.name] = .float
            case .bool: kinds[input.name] = .bool
            case .duration: kinds[input.name] = .number
            case .list: kinds[input.name] = .list
            }
            // An optional input without a default is not defined at all; `default(…)` may stand for it.
            if input.defaultValue == nil && !input.required { kinds[input.name]?.insert(.null) }
        }
        inputKinds = kinds
    }

    /// Checks `node` and everything under it; returns the kinds its value may have.
    @discardableResult
    mutating func check(_ node: ExpressionNode) -> ValueKinds {
        switch node {
        case .literal(let value, _): return ValueKinds(of: value)
        case .path(let path, _):
            if path.count == 2, path[0] == "inputs", let kinds = inputKinds[path[1]] { return kinds }
            return .any
        case .index(let base, let key, _):
            check(base)
            expect(check(key), [.string, .int], key, "an index")
            return .any
        case .list(let items, _):
            for item in items { check(item) }
            return .list
        case .unary(.not, let operand, _):
            check(operand)
            return .bool
        case .unary(.negate, let operand, _):
            let kinds = check(operand)
            expect(kinds, .number, operand, "'-'")
            return kinds.intersection(.number).isEmpty ? .number : kinds.intersection(.number)
        case .binary(let op, let left, let right, let range):
            return binary(op, check(left), check(right), left, right, range)
        case .call(let name, let arguments, _):
            let kinds = arguments.map { check($0) }
            guard let function = ExpressionFunction(rawValue: name), function.arity.contains(arguments.count) else {
                return .any  // reported by the parser
            }
            let parameters = function.parameters
            for (i, argument) in arguments.enumerated() {
                let accepted = parameters[min(i, parameters.count - 1)]
                let what = arguments.count == 1 ? "'\(name)'" : "argument \(i + 1) of '\(name)'"
                expect(kinds[i], accepted, argument, what)
            }
            if function == .matches, case .literal(.string(let pattern), let range) = arguments[1],
                let problem = PatternMatch.problem(pattern)
            {
                diagnostics.append(
                    Diagnostic(.planInvalidRegex, "'\(pattern)' is not a valid regular expression: \(problem)", at: range))
            }
            return function.result(kinds)
        }
    }

    private mutating func binary(
        _ op: ExpressionNode.BinaryOperator, _ a: ValueKinds, _ b: ValueKinds, _ left: ExpressionNode,
        _ right: ExpressionNode, _ range: SourceRange
    ) -> ValueKinds {
        switch op {
        case .and, .or, .equal, .notEqual: return .bool
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let numbers = a.intersection(.number).isEmpty == false && b.intersection(.number).isEmpty == false
            let strings = a.contains(.string) && b.contains(.string)
            if !numbers && !strings {
                mismatch("cannot compare \(a.description) with \(b.description) using '\(op.rawValue)'", range)
            }
            return .bool
        case .in:
            expect(b, [.list, .string, .object], right, "the right side of 'in'")
            return .bool
        case .plus:
            let numbers = !a.intersection(.number).isEmpty && !b.intersection(.number).isEmpty
            let strings = a.contains(.string) && b.contains(.string)
            if !numbers && !strings {
                mismatch("cannot add \(a.description) and \(b.description); '+' takes two numbers or two strings", range)
                return .any
            }
            return (strings ? ValueKinds.string : []).union(numbers ? a.union(b).intersection(.number) : [])
        case .minus:
            expect(a, .number, left, "'-'")
            expect(b, .number, right, "'-'")
            return a.union(b).intersection(.number).isEmpty ? .number : a.union(b).intersection(.number)
        }
    }

    /// Reports `node` when none of its possible kinds is accepted.
    private mutating func expect(_ kinds: ValueKinds, _ accepted: ValueKinds, _ node: ExpressionNode, _ what: String) {
        guard kinds.isDisjoint(with: accepted) else { return }
        mismatch("\(what) takes \(accepted.description), got \(Self.describe(node, kinds))", node.range)
    }

    private mutating func mismatch(_ message: String, _ range: SourceRange) {
        diagnostics.append(Diagnostic(.exprType, message, at: range))
    }

    /// The offending value: a literal as written, otherwise its kinds.
    private static func describe(_ node: ExpressionNode, _ kinds: ValueKinds) -> String {
        if case .literal(let value, _) = node { return ExpressionEvaluator.describe(value) }
        if case .path(let path, _) = node { return "\(kinds.description) ('\(path.joined(separator: "."))')" }
        return kinds.description
    }
}
