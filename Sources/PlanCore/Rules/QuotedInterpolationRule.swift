import PlanYAML

/// `plan.quoted-interpolation` (warning): `${{ }}` inside shell quotes in `run:`. planrun already quotes each
/// interpolated value as one shell word, so quotes around it become part of the value or, inside double
/// quotes, let the shell expand `$` and backticks in it.
public struct QuotedInterpolationRule: PlanRule {
    public let id = DiagnosticID.planQuotedInterpolation
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                guard case .run(let template) = operation.step(facts).action, Self.mayQuote(template) else { continue }
                for expression in ShellQuote.quotedExpressions(in: template) {
                    out.append(
                        Diagnostic(
                            id,
                            "interpolation inside shell quotes in run:; planrun quotes the value itself, write ${{ }} unquoted",
                            at: expression.range))
                }
            }
        }
        return out
    }

    /// Whether the template has an expression and a quote in its literal text: without a quote no expression
    /// can stand inside one, and most commands are checked by this scan alone.
    private static func mayQuote(_ template: Template) -> Bool {
        var hasExpression = false
        var hasQuote = false
        for part in template.parts {
            switch part {
            case .expression: hasExpression = true
            case .literal(let text):
                if !hasQuote { hasQuote = text.utf8.contains { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") } }
            }
        }
        return hasExpression && hasQuote
    }
}
