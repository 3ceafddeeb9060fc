import PlanYAML

/// `plan.item-outside-loop`: `item` or `item_index` read by a step that no `for_each:` (its own or an enclosing
/// group's, or the using step's for a step of a used file) gives one.
public struct ItemOutsideLoopRule: PlanRule {
    public let id = DiagnosticID.planItemOutsideLoop
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func visit(_ step: Step, inLoop: Bool) {
            let looped = inLoop || step.forEach != nil
            if !looped {
                for (key, reference) in step.references where key != "for_each" {
                    guard let root = Self.loopName(read: reference) else { continue }
                    out.append(Diagnostic(
                        id, "'\(root)' is set only inside a loop; give step '\(step.id)' (or its group) a for_each",
                        at: reference.range).about(step))
                }
            }
            // Read with used files opened (`UsedFileLint`): their steps are the group's.
            for child in step.children { visit(child, inLoop: looped) }
            for nested in step.fallback { visit(nested, inLoop: looped) }
            for nested in step.onFailure { visit(nested, inLoop: looped) }
        }
        for operation in context.operations {
            // Most operations read no `item` at all, which the facts already say: then nothing is walked.
            guard operation.references.contains(where: { Self.loopName(read: $0.reference) != nil })
            else { continue }
            operation.operation.steps.forEach { visit($0, inLoop: false) }
        }
        return out
    }

    /// `item` or `item_index` when the reference reads one of them, else nil.
    private static func loopName(read reference: Reference) -> String? {
        guard let root = reference.path.first, root == "item" || root == "item_index" else { return nil }
        return root
    }
}

/// `plan.list-interpolation` (warning): a list input put whole into `run:` outside a loop becomes one shell word
/// (its JSON text), rarely what the author meant.
public struct ListInterpolationRule: PlanRule {
    public let id = DiagnosticID.planListInterpolation
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        let lists = Set(context.plan.inputs.filter { $0.kind == .list }.map(\.name))
        guard !lists.isEmpty else { return [] }
        var out: [Diagnostic] = []
        func visit(_ step: Step, inLoop: Bool) {
            let looped = inLoop || step.forEach != nil
            if !looped, case .run(let template) = step.action {
                for expression in template.expressions {
                    guard case .path(let path, _) = expression.root, path.count == 2, path[0] == "inputs",
                        lists.contains(path[1])
                    else { continue }
                    out.append(Diagnostic(
                        id,
                        "input '\(path[1])' is a list: in run: it becomes one shell word; loop over it with for_each, "
                            + "or join it: ${{ join(inputs.\(path[1]), ' ') }}",
                        at: expression.range))
                }
            }
            if step.uses == nil { for child in step.children { visit(child, inLoop: looped) } }
            for nested in step.fallback { visit(nested, inLoop: looped) }
            for nested in step.onFailure { visit(nested, inLoop: looped) }
        }
        for operation in context.operations { operation.operation.steps.forEach { visit($0, inLoop: false) } }
        return out
    }
}
