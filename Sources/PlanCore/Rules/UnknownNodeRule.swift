import PlanYAML

/// `plan.unknown-node`: a literal `target:`, `fallback_node:`, group member or `node` input default that names
/// no node or group of the inventory (a used step file's steps included). Skipped when the plan declares no
/// inventory (it comes from `--inventory` then, and is checked at run time).
public struct UnknownNodeRule: PlanRule {
    public let id = DiagnosticID.planUnknownNode
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        guard !context.nodeNames.isEmpty || !context.groupNames.isEmpty else { return [] }
        var out: [Diagnostic] = []
        // `what` and the step are only read for a name that is unknown: a step passed by value was copied
        // whole, and its label built, for every step of the plan.
        func check(
            _ name: String, at range: SourceRange, _ what: @autoclosure () -> String, file: String? = nil,
            about step: (() -> Step)? = nil
        ) {
            guard !context.nodeNames.contains(name), !context.groupNames.contains(name) else { return }
            let guess = context.closestTarget(to: name)
            let message = "\(what()) names unknown node or group '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? "")
            var diagnostic = Diagnostic(id, message, at: range, fixIt: guess)
            diagnostic.file = file
            out.append(step.map { diagnostic.about($0()) } ?? diagnostic)
        }
        for group in context.plan.inventory.groups {
            for (i, member) in group.members.enumerated() {
                let range = i < group.memberRanges.count ? group.memberRanges[i] : group.range
                check(member, at: range, "group '\(group.name)'", file: group.file)
            }
        }
        for input in context.plan.inputs where input.kind == .node {
            if case .string(let name)? = input.defaultValue { check(name, at: input.range, "the default of input '\(input.name)'") }
        }
        for operation in context.operations {
            for facts in operation.steps {
                // Field by field: `let step = operation.step(facts)` copied the whole step for every step.
                if case .names(let names)? = operation.step(facts).target {
                    for name in names {
                        if let literal = name.literalText {
                            check(literal, at: name.range, "step '\(operation.step(facts).id)'", about: { operation.step(facts) })
                        }
                    }
                }
                if let fallbackNode = operation.step(facts).fallbackNode, let literal = fallbackNode.literalText {
                    check(
                        literal, at: fallbackNode.range, "the fallback_node of step '\(operation.step(facts).id)'",
                        about: { operation.step(facts) })
                }
            }
        }
        return out
    }
}

/// `plan.missing-target`: a command step without `target:` runs on the inventory's only node, so leaving it
/// out is an error when the plan's inventory has several. Fallbacks run where their owner failed; the steps of a
/// group with a target run on the node that walks them; those of a group without one (a used step file's
/// too) need their own.
public struct MissingTargetRule: PlanRule {
    public let id = DiagnosticID.planMissingTarget
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        let count = context.plan.inventory.nodes.count
        guard count > 1 else { return [] }
        var out: [Diagnostic] = []
        func visit(_ step: Step) {
            if step.target == nil, step.action.isCommand {
                out.append(
                    Diagnostic(
                        id, "step '\(step.id)' has no target and the inventory has \(count) nodes; add 'target:'",
                        at: step.idRange
                    ).about(step))
            }
            if step.target == nil { step.children.forEach(visit) }
        }
        for operation in context.operations { operation.operation.steps.forEach(visit) }
        return out
    }
}

/// `plan.timeout-above-max`: a literal step timeout (or the default timeout) above `policy.max_timeout`.
/// Timeouts that are expressions are checked at run time.
public struct TimeoutAboveMaxRule: PlanRule {
    public let id = DiagnosticID.planTimeoutAboveMax
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        guard let max = context.plan.policy.maxTimeout else { return [] }
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                guard case .literal(let seconds, let range)? = operation.step(facts).timeout, seconds > max else { continue }
                out.append(
                    Diagnostic(
                        id,
                        "timeout \(DurationText.format(seconds)) of step '\(operation.step(facts).id)' is above policy.max_timeout \(DurationText.format(max))",
                        at: range, fixIt: DurationText.format(max)))
            }
        }
        return out
    }
}
