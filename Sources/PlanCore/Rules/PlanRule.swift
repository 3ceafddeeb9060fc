import PlanYAML

/// One semantic check of a decoded plan, with the stable diagnostic id it reports.
public protocol PlanRule: Sendable {
    /// The id of the diagnostics this rule reports, such as `plan.unknown-needs`.
    var id: String { get }
    func check(_ context: LintContext) -> [Diagnostic]
}

/// Runs every rule over a plan.
public enum PlanLinter {
    /// Every rule, in the order their diagnostics are reported.
    public static let rules: [any PlanRule] = [
        DuplicateStepIDRule(), UnknownNeedsRule(), NeedsLaterPhaseRule(), CycleRule(), EmptyOperationRule(),
        UnknownNodeRule(), MissingTargetRule(), UndefinedInputRule(), UnknownStepReferenceRule(),
        UnknownCaptureRule(), TimeoutAboveMaxRule(), QuotedInterpolationRule(), UnguardedDestructiveRule(),
        InvalidRegexRule(),
    ]

    /// Diagnostics of every rule, each pointing into `plan.file`. A step shared by several operations through
    /// a YAML alias is checked in each, but its problem is reported once.
    public static func lint(_ plan: Plan) -> [Diagnostic] {
        lint(plan, parallel: nil)
    }

    /// `lint` for a process about to end: the facts gathered for the rules go to `keep` rather than being freed.
    public static func lint(_ plan: Plan, keepingContext keep: (LintContext) -> Void) -> [Diagnostic] {
        lint(plan, parallel: nil, keep: keep)
    }

    /// `lint`, with the choice of two threads made by the caller (nil: by the plan's size); tests compare both.
    static func lint(_ plan: Plan, parallel: Bool?, keep: (LintContext) -> Void = { _ in }) -> [Diagnostic] {
        let context = LintContext(plan: plan)
        defer { keep(context) }
        let found: [[Diagnostic]]
        if parallel ?? (context.operations.reduce(0, { $0 + $1.steps.count }) >= parallelThreshold) {
            // A large plan's rules run on two threads, every other rule on each; reported in rule order.
            let (even, odd) = Concurrently.run({ check(context, rulesAt: 0) }, { check(context, rulesAt: 1) })
            found = rules.indices.map { $0 % 2 == 0 ? even[$0 / 2] : odd[$0 / 2] }
        } else {
            found = rules.map { $0.check(context) }
        }
        var out: [Diagnostic] = []
        var seen = Set<Diagnostic>()
        for diagnostics in found {
            for diagnostic in diagnostics where seen.insert(diagnostic).inserted { out.append(diagnostic) }
        }
        return out.inFile(plan.file)
    }

    /// Plans with at least this many steps are checked on two threads.
    static let parallelThreshold = 256

    /// The diagnostics of every second rule, starting at `first`.
    private static func check(_ context: LintContext, rulesAt first: Int) -> [[Diagnostic]] {
        stride(from: first, to: rules.count, by: 2).map { rules[$0].check(context) }
    }
}
