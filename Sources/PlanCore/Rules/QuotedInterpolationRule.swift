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
                guard case .run(let template) = facts.step.action, !template.expressions.isEmpty else { continue }
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
}
