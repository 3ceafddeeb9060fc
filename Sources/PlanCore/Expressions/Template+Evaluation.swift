import PlanYAML

// TODO(expr): this file is the expression branch's to replace; the signatures are the contract.

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
    /// Malformed expressions are diagnostics with id `expr.syntax`.
    public static func parse(_ node: YAMLNode) -> (Template, [Diagnostic]) {
        (Template(literal: node.scalar ?? "", range: node.range), [])
    }

    /// Parses text that does not come from a YAML node (e.g. the command line).
    public static func parse(_ text: String, at range: SourceRange) -> (Template, [Diagnostic]) {
        (Template(literal: text, range: range), [])
    }

    /// The value of the template in `scope` (keys `inputs`, `nodes`, `steps`, `node`, `vars`).
    /// A whole-expression template keeps its type; any other yields a string.
    public func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value {
        .string(literalText ?? source)
    }

    /// The text for a `run:` command: literal parts as written, each interpolated value as exactly one shell word.
    public func renderShell(in scope: Value.Object) throws(EvaluationError) -> String {
        literalText ?? source
    }

    /// Every path the template reads, for the checks of undefined inputs and captures.
    public var references: [Reference] { [] }
}

extension Expression {
    public func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value { .null }
}

/// POSIX shell quoting.
public enum ShellQuote {
    /// `text` as exactly one shell word.
    public static func quote(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

extension Value {
    /// Parses JSON text (for `capture: { json: … }` and `--inputs`), keeping object key order.
    public static func parseJSON(_ text: String) throws(EvaluationError) -> Value {
        throw EvaluationError("json parsing not implemented", at: .unknown)
    }
}
