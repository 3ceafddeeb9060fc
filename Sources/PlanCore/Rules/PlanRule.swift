import PlanYAML

/// One semantic check of a decoded plan, with the stable diagnostic id it reports.
public protocol PlanRule: Sendable {
    /// The id of the diagnostics this rule reports, such as `plan.unknown-needs`.
    var id: DiagnosticID { get }
    func check(_ context: LintContext) -> [Diagnostic]
}

/// Runs every rule over a plan.
public enum PlanLinter {
    /// Every rule, in the order their diagnostics are reported.
    public static let rules: [any PlanRule] = [
        DuplicateStepIDRule(), UnknownNeedsRule(), NeedsLaterPhaseRule(), CycleRule(), EmptyOperationRule(),
        UnknownNodeRule(), MissingTargetRule(), UndefinedInputRule(), UnknownStepReferenceRule(),
        UnknownCaptureRule(), TimeoutAboveMaxRule(), QuotedInterpolationRule(), UnguardedDestructiveRule(),
        InvalidRegexRule(), ExpressionTypeRule(), SetReadsItselfRule(), OutputKeyRule(), ItemOutsideLoopRule(),
        ListInterpolationRule(), GroupNestingRule(), SecretInArgvRule(),
    ]

    /// Diagnostics of every rule, each pointing into `plan.file`. A step shared by several operations through
    /// a YAML alias is checked in each, but its problem is reported once.
    public static func lint(_ plan: Plan) -> [Diagnostic] {
        let context = LintContext(plan: plan)
        // Some rules see into the step files the plan uses: they read it with those files opened (`UsedFileLint`).
        // The facts list every step a used file could hang from (a `uses:` step is a group's step, a fallback or
        // top-level): asking them reads one field a step, where walking the plan copied every step.
        let usesFiles = context.operations.contains { operation in operation.steps.contains { operation.step($0).uses != nil } }
        let opened = (usesFiles ? UsedFileLint.opened(plan) : nil).map { LintContext(plan: $0) } ?? context
        var out: [Diagnostic] = []
        var seen = Set<Diagnostic>()
        for rule in rules {
            let diagnostics = rule.check(UsedFileLint.rules.contains(rule.id) ? opened : context)
            for diagnostic in diagnostics where seen.insert(diagnostic).inserted { out.append(diagnostic) }
        }
        return out.inFile(plan.file)
    }
}
