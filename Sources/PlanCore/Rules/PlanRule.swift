import Synchronization
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
        ListInterpolationRule(), GroupNestingRule(),
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
            // A large plan's rules are shared out between two threads as each finishes one; reported in rule order.
            let queue = RuleQueue()
            let (mine, theirs) = Concurrently.run({ queue.drain(context) }, { queue.drain(context) })
            var byRule = [[Diagnostic]](repeating: [], count: rules.count)
            for (rule, diagnostics) in mine + theirs { byRule[rule] = diagnostics }
            found = byRule
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

    /// Plans with at least this many steps are checked on two threads (and an operation this long has its
    /// lint facts gathered beside its step graph).
    static let parallelThreshold = 256

    /// Rule indices, the costliest first: taken in this order, the two threads end close together. Checking the
    /// regexes costs the most (each pattern is compiled by RE2), then the
    /// captures (every template's paths against every step's captures); the rest cost about the same.
    static let schedule: [Int] = {
        let costliest: [DiagnosticID] = [.planInvalidRegex, .planUnknownCapture]
        let first = costliest.compactMap { id in rules.firstIndex { $0.id == id } }
        return first + rules.indices.filter { !first.contains($0) }
    }()

    /// The rules not yet taken, shared by the threads that check them.
    private final class RuleQueue: Sendable {
        private let next = Atomic<Int>(0)

        /// Checks rules in `schedule` order until none is left; returns each one's index and diagnostics.
        func drain(_ context: LintContext) -> [(rule: Int, diagnostics: [Diagnostic])] {
            var out: [(rule: Int, diagnostics: [Diagnostic])] = []
            while true {
                let taken = next.add(1, ordering: .relaxed).oldValue
                guard taken < schedule.count else { return out }
                out.append((schedule[taken], rules[schedule[taken]].check(context)))
            }
        }
    }
}
