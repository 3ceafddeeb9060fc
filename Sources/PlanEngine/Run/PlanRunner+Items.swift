/// `for_each:`: a step (or a group's walk) once per item, with `item` and `item_index` in scope.
extension PlanRunner {
    /// Runs `body` once per item of `step.forEach` on `node` (or once, in `frame`, when the step has no loop).
    /// Items run in order, and after a failed item the rest are not run when the step's `on_error` is `fail`;
    /// with `parallel: true` they all start together (commands still within `max_parallel`). Returns whether
    /// every item ended well.
    func forEachItem(
        _ step: Step, node: NodeDeclaration?, _ frame: StepFrame, _ body: @escaping @Sendable (StepFrame) async -> Bool
    ) async -> Bool {
        guard let forEach = step.forEach else { return await body(frame) }
        let scope = await scope(for: node, frame)
        if request.dryRun, forEach.templates.contains(where: Self.dependsOnRunTime) {
            let source = forEach.templates.map(\.source).joined(separator: ", ")
            await recordLeaves(step, node: node?.name, status: .planned, reason: "items decided at run time: \(source)", frame)
            return true
        }
        let items: [Value]
        do throws(EvaluationError) {
            switch try forEach.evaluate(in: scope) {
            case .array(let list): items = list
            case let other:
                throw EvaluationError("for_each needs a list, found \(other.typeName)", at: forEach.range)
            }
        } catch {
            await failNodeless(step, node: node?.name, message: "for_each: \(error.message)", frame)
            return false
        }
        if items.isEmpty {
            await recordLeaves(step, node: node?.name, status: .skipped, reason: "for_each: no items", frame)
            return true
        }
        let frames = items.enumerated().map { frame.with(item: $1, index: $0, count: items.count) }
        if step.parallel {
            return await withTaskGroup(of: Bool.self) { group in
                for itemFrame in frames { group.addTask { await body(itemFrame) } }
                var allFine = true
                for await fine in group where !fine { allFine = false }
                return allFine
            }
        }
        var allFine = true
        for (index, itemFrame) in frames.enumerated() {
            if await body(itemFrame) { continue }
            allFine = false
            guard step.onError == .fail else { continue }
            for later in frames[(index + 1)...] {
                await recordLeaves(
                    step, node: node?.name, status: .notRun, reason: "not run: item \(index) failed", later)
            }
            break
        }
        return allFine
    }
}
