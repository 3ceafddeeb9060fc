import PlanYAML

/// An expression that could not be evaluated: an unknown path, a type mismatch, a bad call.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var range: SourceRange

    public init(_ message: String, at range: SourceRange) {
        self.message = message
        self.range = range
    }

    public var description: String { message }
}

extension Template {
    /// Parses a plan scalar into literal parts and `${{ … }}` expressions, with ranges to the column.
    ///
    /// Diagnostics: `expr.syntax` for malformed expressions (each broken one is kept as literal text),
    /// `expr.unknown-function` and `expr.unknown-name` with a did-you-mean fix-it, `expr.arguments` for a
    /// wrong argument count. A sequence or mapping node gives an empty template (its decoder reports it).
    /// Each `Expression.range` spans from `${{` to just after `}}`; see `ScalarLocator` for how exact
    /// columns are in each scalar style.
    public static func parse(_ node: YAMLNode) -> (Template, [Diagnostic]) {
        guard case .scalar(let text, let style) = node.content else {
            return (Template(literal: "", range: node.range), [])
        }
        return TemplateParser.parse(text, style: style, range: node.range)
    }

    /// Parses text that does not come from a YAML node (e.g. the command line), as a plain scalar
    /// starting at `range.start`; with `.unknown` every range is `.unknown`.
    public static func parse(_ text: String, at range: SourceRange) -> (Template, [Diagnostic]) {
        TemplateParser.parse(text, style: .plain, range: range)
    }

    /// The value of the template in `scope` (keys `inputs`, `nodes`, `steps`, `node`, `vars`).
    /// A whole-expression template keeps its type; any other yields a string of its literal parts and
    /// each value's `interpolationText`.
    public func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value {
        if let expression = wholeExpression { return try expression.evaluate(in: scope) }
        if let text = literalText { return .string(text) }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .expression(let expression): out += try expression.evaluate(in: scope).interpolationText
            }
        }
        return .string(out)
    }

    /// The text for a `run:` command: literal parts as written, each interpolated value as exactly one
    /// shell word (`ShellQuote.quote` of its `interpolationText`), so no value can add a command.
    public func renderShell(in scope: Value.Object) throws(EvaluationError) -> String {
        var none = SecretWords(secrets: [])
        return try renderShell(in: scope, secrets: &none)
    }

    /// Every path the template reads, in source order, components as written (`*` kept), for the checks
    /// of undefined inputs and captures. Paths inside `default(…)` are listed too.
    public var references: [Reference] {
        var out: [Reference] = []
        forEachReference { out.append($0) }
        return out
    }

    /// Calls `body` with each path of `references`, in the same order, without building the array.
    public func forEachReference(_ body: (Reference) -> Void) {
        for part in parts {
            if case .expression(let expression) = part { expression.root.forEachReference(body) }
        }
    }
}

extension Expression {
    /// The value of the expression in `scope`; `&&` and `||` short-circuit and yield bools.
    public func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value {
        try ExpressionEvaluator(scope: scope).evaluate(root)
    }

    /// Every path the expression reads, in source order.
    public var references: [Reference] {
        var out: [Reference] = []
        root.forEachReference { out.append($0) }
        return out
    }
}

extension ExpressionNode {
    /// Where the node stands in the plan.
    public var range: SourceRange {
        switch self {
        case .literal(_, let r), .path(_, let r), .list(_, let r), .unary(_, _, let r), .binary(_, _, _, let r),
            .call(_, _, let r), .index(_, _, let r):
            return r
        }
    }

    /// Calls `body` with every path the expression reads, in source order.
    func forEachReference(_ body: (Reference) -> Void) {
        switch self {
        case .literal: break
        case .path(let path, let range): body(Reference(path: path, range: range))
        case .list(let items, _): for item in items { item.forEachReference(body) }
        case .unary(_, let operand, _): operand.forEachReference(body)
        case .binary(_, let left, let right, _):
            left.forEachReference(body)
            right.forEachReference(body)
        case .call(_, let arguments, _): for argument in arguments { argument.forEachReference(body) }
        case .index(_, _, let range):
            // The chain is one read, a computed key standing as `*` (any key): `steps.restart[node.name].ok`
            // reads `steps.restart.*.ok`, and each computed key is read as well.
            var keys: [ExpressionNode] = []
            body(Reference(path: staticPath(keys: &keys), range: range))
            for key in keys { key.forEachReference(body) }
        }
    }

    /// The components of a path or index chain, computed keys as `*`; collects the computed keys in order.
    private func staticPath(keys: inout [ExpressionNode]) -> [String] {
        switch self {
        case .path(let path, _): return path
        case .index(let base, .literal(let key, _), _): return base.staticPath(keys: &keys) + [key.interpolationText]
        case .index(let base, let key, _):
            let path = base.staticPath(keys: &keys)
            keys.append(key)
            return path + ["*"]
        default: return []
        }
    }
}
