import PlanYAML

/// The checks a step file cannot make alone, made where it is used: its literal targets against the using
/// plan's inventory (`plan.unknown-node`), a command step with no target of its own or of its group's when
/// that inventory has several nodes (`plan.missing-target`), the captures its steps read (`plan.unknown-capture`:
/// made by the using plan's steps before the using step, or by the file's steps before the reader), and `item`
/// with no loop around it (`plan.item-outside-loop`: the using step's `for_each`, or an enclosing group's,
/// counts).
///
/// Those rules read the plan with every used file opened into a plain group of its steps; the others read it
/// as written (a used file's templates read its own inputs, and were checked against them). A diagnostic about
/// a step of a used file points into that file, with a note naming the use (`Diagnostic.about`).
public enum UsedFileLint {
    /// The rules that read the plan with its used files opened.
    public static let rules: Set<DiagnosticID> = [
        .planUnknownNode, .planMissingTarget, .planUnknownCapture, .planItemOutsideLoop,
    ]

    /// The plan with each `uses:` step made a plain group of the file's steps; nil when it uses no step file.
    static func opened(_ plan: Plan) -> Plan? {
        guard plan.operations.contains(where: { $0.steps.contains(where: usesFile) }) else { return nil }
        var plan = plan
        for i in plan.operations.indices { plan.operations[i].steps = plan.operations[i].steps.map(open) }
        return plan
    }

    private static func usesFile(_ step: Step) -> Bool {
        step.uses != nil || (step.children + step.fallback + step.onFailure).contains(where: usesFile)
    }

    private static func open(_ step: Step) -> Step {
        guard usesFile(step) else { return step }
        var step = step
        step.uses = nil
        step.fallback = step.fallback.map(open)
        step.onFailure = step.onFailure.map(open)
        if case .group(let children) = step.action { step.action = .group(children.map(open)) }
        return step
    }
}
