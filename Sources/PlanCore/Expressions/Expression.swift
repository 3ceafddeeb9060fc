import PlanYAML

/// One parsed `${{ … }}` expression.
public struct Expression: Sendable, Hashable {
    /// The text between `${{` and `}}`.
    public var source: String
    /// Where the expression's text stands in the plan, to the column when the scalar allows it.
    public var range: SourceRange
    public var root: ExpressionNode

    public init(source: String, range: SourceRange, root: ExpressionNode) {
        self.source = source
        self.range = range
        self.root = root
    }
}

/// A path the expression reads, such as `inputs.timeout` or `nodes.*.block_height` (`*` kept as a component).
public struct Reference: Sendable, Hashable {
    public var path: [String]
    public var range: SourceRange

    public init(path: [String], range: SourceRange) {
        self.path = path
        self.range = range
    }
}

/// The syntax tree of an expression; each node keeps its range for errors found after parsing.
public indirect enum ExpressionNode: Sendable, Hashable {
    case literal(Value, SourceRange)
    /// Components of a dotted path; `*` matches every key of an object, numbers index lists.
    case path([String], SourceRange)
    case list([ExpressionNode], SourceRange)
    case unary(UnaryOperator, ExpressionNode, SourceRange)
    case binary(BinaryOperator, ExpressionNode, ExpressionNode, SourceRange)
    case call(String, [ExpressionNode], SourceRange)
    /// `base[key]` with a key computed at run time (`steps.restart[node.name]`, `nodes[x].disk`); a name or
    /// quoted key after it (`.disk`) is an index by a string literal. The base is a path or another index.
    case index(ExpressionNode, ExpressionNode, SourceRange)

    public enum UnaryOperator: String, Sendable, Hashable { case not = "!", negate = "-" }
    public enum BinaryOperator: String, Sendable, Hashable {
        case and = "&&", or = "||", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<="
        case greater = ">", greaterOrEqual = ">=", `in` = "in", plus = "+", minus = "-"
    }
}
