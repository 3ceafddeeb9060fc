import PlanYAML

/// `plan.output-key`: an `output:` field named like one of the engine's result keys (`steps`,
/// `validation_status`, …). The engine's key wins in the result, so the field would be silently lost.
public struct OutputKeyRule: PlanRule {
    public let id = DiagnosticID.planOutputKey
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        context.plan.output.compactMap { field in
            guard OutputField.reservedNames.contains(field.name) else { return nil }
            let renamed = "plan_\(field.name)"
            return Diagnostic(
                id,
                "output field '\(field.name)' collides with the engine's result key of the same name; rename it, "
                    + "e.g. '\(renamed)'",
                at: field.range, fixIt: renamed)
        }
    }
}
