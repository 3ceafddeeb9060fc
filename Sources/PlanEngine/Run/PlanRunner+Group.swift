/// Groups (`steps:`, `uses:`): each target node walks the group's steps in order, batch after batch, within
/// the rollout's failure budget.
extension PlanRunner {
    func runGroup(_ step: Step, _ children: [Step], _ frame: StepFrame) async -> Bool {
        if let node = frame.node { return await walk(step, children, node: node, frame) }
        if step.target != nil { return await rollOut(step, children, frame) }
        // No target: the group's steps are steps of their own, run in order, each on its own target (and, in a
        // sharded run, one without a target in shard 0 only, as at top level).
        guard let frame = await usingFile(step, frame) else { return false }
        if let reason = await skipReason(step, scope: await scope(for: nil, frame)) {
            await recordLeaves(step, node: nil, status: .skipped, reason: reason, frame)
            return true
        }
        return await forEachItem(step, node: nil, frame) { itemFrame in
            var fine = true
            for child in children {
                if await self.stopReason(itemFrame) != nil { break }
                if await !self.runPhaseStep(child, itemFrame) { fine = false }
            }
            return fine
        }
    }

    /// The frame inside a used step file: its inputs from `with:`, rendered in the using step's scope (per
    /// node for a group that walks nodes), and `steps.ID` naming its own steps. Nil when an input is wrong.
    private func usingFile(_ step: Step, _ frame: StepFrame) async -> StepFrame? {
        guard let use = step.uses else { return frame }
        guard let inputs = await usedInputs(step, use, frame) else { return nil }
        var frame = frame
        frame.bindings["inputs"] = .object(inputs)
        frame.stepsRoot = step.id
        return frame
    }

    /// The group's nodes in inventory order, batch by batch. A node fails the rollout when one of its steps
    /// fails with `on_error: fail` (however many did); once more nodes failed than `max_failures` allows, the
    /// rollout stops after the running batch and the nodes of later batches are not run.
    private func rollOut(_ step: Step, _ children: [Step], _ frame: StepFrame) async -> Bool {
        // --limit and the shard apply; the batches follow inventory order whatever order the target names.
        guard let resolved = await resolveTargets(step, scope: await scope(for: nil, frame), frame) else { return false }
        let rank = Dictionary(request.plan.inventory.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let nodes = await inShard(resolved.sorted { (rank[$0.name] ?? .max) < (rank[$1.name] ?? .max) }, step: step)
        let rollout = step.rollout ?? Rollout()
        let batches = rollout.batches(of: nodes)
        let budget = rollout.budget(of: nodes.count)
        if batches.count > 1 { await state.noteBatches(step.id, batches.map { $0.map(\.name) }) }
        var failed = 0
        for (number, batch) in batches.enumerated() {
            var batchFrame = frame
            batchFrame.inWalk = true
            batchFrame.batch = batches.count > 1 ? number + 1 : nil
            if number > 0, rollout.pause > 0, !request.dryRun, await stopReason(frame) == nil {
                progress?.pausing(group: step, before: number + 1, of: batches.count, seconds: rollout.pause)
                do { try await Task.sleep(for: .seconds(rollout.pause)) } catch {}
            }
            if let reason = await stopReason(frame) {
                for later in batches[number...] { await notRun(step, later, reason: reason, batchFrame, first: number + 1) }
                return false
            }
            let walkFrame = batchFrame
            let fine = await withTaskGroup(of: Bool.self) { group in
                for node in batch { group.addTask { await self.walk(step, children, node: node, walkFrame) } }
                var fine: [Bool] = []
                for await ok in group { fine.append(ok) }
                return fine
            }
            failed += fine.filter { !$0 }.count
            guard failed > budget else { continue }
            let allowed = rollout.maxFailures.map { "max_failures is \($0)" + (rollout.maxFailures == .count(budget) ? "" : " (\(budget))") }
                ?? "the group allows no failed node (no max_failures)"
            let counted = "\(failed) of \(nodes.count) nodes failed; \(allowed)"
            let message = batches.count > 1 ? "rollout stopped after batch \(number + 1) of \(batches.count): " + counted : counted
            if number + 1 < batches.count {
                for (offset, later) in batches[(number + 1)...].enumerated() {
                    await notRun(step, later, reason: "not run: " + message, batchFrame, first: number + 2 + offset)
                }
            }
            // A group that rolls out says why it stopped; a plain group's failed step has said it already.
            if step.rollout != nil { await report(RunIssue(kind: .partial, step: step.id, phase: step.phase, message: message)) }
            if step.onError == .fail, !frame.inWalk { await state.halt(.failed(step: step.id)) }
            return false
        }
        return failed == 0
    }

    private func notRun(_ step: Step, _ nodes: [NodeDeclaration], reason: String, _ frame: StepFrame, first batch: Int) async {
        var frame = frame
        if frame.batch != nil { frame.batch = batch }
        for node in nodes { await recordLeaves(step, node: node.name, status: .notRun, reason: reason, frame) }
    }

    /// One node walks the group's steps in order (per item, with `for_each`). After a step fails with
    /// `on_error: fail` the node's remaining steps are not run and the group's `on_failure` steps run there.
    private func walk(_ step: Step, _ children: [Step], node: NodeDeclaration, _ frame: StepFrame) async -> Bool {
        var frame = frame
        frame.node = node
        frame.inWalk = true
        guard let usingFrame = await usingFile(step, frame) else { return false }
        frame = usingFrame
        let scope = await scope(for: node, frame)
        if let reason = await skipReason(step, scope: scope) {
            await recordLeaves(step, node: node.name, status: .skipped, reason: reason, frame)
            return true
        }
        let fine = await forEachItem(step, node: node, frame) { itemFrame in
            for (index, child) in children.enumerated() {
                if await self.runStep(child, itemFrame) || child.onError != .fail { continue }
                for rest in children[(index + 1)...] {
                    await self.recordLeaves(
                        rest, node: node.name, status: .notRun, reason: "not run: step '\(child.id)' failed on this node",
                        itemFrame)
                }
                return false
            }
            return true
        }
        if !fine { await runOnFailure(step, node: node, frame) }
        return fine
    }

    /// The used step file's inputs: `with:` rendered in the using step's scope, typed by the file's
    /// declarations, defaults filled in. A value of the wrong type fails the step.
    private func usedInputs(_ step: Step, _ use: StepUse, _ frame: StepFrame) async -> Value.Object? {
        let scope = await scope(for: frame.node, frame)
        var inputs = Value.Object()
        for declaration in use.inputs {
            if let given = use.with.first(where: { $0.key == declaration.name }) {
                do throws(EvaluationError) {
                    let value = try given.value.evaluate(in: scope)
                    if let problem = declaration.problem(with: value) {
                        throw EvaluationError("input '\(declaration.name)' of step file '\(use.path)' \(problem)", at: given.value.range)
                    }
                    inputs[declaration.name] = value
                } catch {
                    if request.dryRun {
                        // Decided at run time: the dry-run shows the expression where the value would go.
                        inputs[declaration.name] = .string(given.value.templates.map(\.source).joined(separator: " "))
                        continue
                    }
                    await failNodeless(step, node: frame.node?.name, message: "with: \(error.message)", frame)
                    return nil
                }
            } else if let value = declaration.defaultValue {
                inputs[declaration.name] = value
            }
        }
        return inputs
    }
}
