/// Running one step: guards, then `set:`, `assert:`, a command fanned out over its nodes, or a group.
extension PlanRunner {
    /// Runs `step` in `frame`; returns whether it ended well (succeeded, recovered, skipped or planned).
    @discardableResult
    func runStep(_ step: Step, _ frame: StepFrame = StepFrame()) async -> Bool {
        if let reason = await stopReason(frame) {
            await recordLeaves(step, node: frame.node?.name, status: .notRun, reason: reason, frame)
            return false
        }
        if let rerun = request.rerun, doneBefore.contains(step.id) {
            await recordLeaves(step, node: nil, status: .skipped, reason: "rerun: ended well in run \(rerun.previous)", frame)
            return true
        }
        switch step.action {
        case .set(let entries): return await runSet(step, entries, frame)
        case .assert(let condition):
            return await forEachItem(step, node: frame.node, frame) { await self.runAssert(step, condition, $0) }
        case .group(let children): return await runGroup(step, children, frame)
        // Every other action runs on nodes, as a `StepAction`: a new one needs no case here.
        default: return await runCommand(step, on: frame.node, frame)
        }
    }

    /// With `--rerun-failed`, why a node step does not run on `node` again; nil when it does.
    func rerunSkip(_ node: String) -> String? {
        guard let rerun = request.rerun, let nodes = rerun.nodes, !nodes.contains(node) else { return nil }
        return "rerun: the node ended well in run \(rerun.previous)"
    }

    /// Why new work must not start in `frame`, or nil while it may.
    func stopReason(_ frame: StepFrame = StepFrame()) async -> String? {
        if frame.tolerance == .everything { return nil }
        switch await state.stop {
        case .failed(let step): return frame.tolerance == .failure ? nil : "not run: step '\(step)' failed"
        case .deadline: return "not run: the run deadline was reached"
        case .interrupted: return "not run: interrupted"
        case .finished, nil: return Task.isCancelled ? "not run: interrupted" : nil
        }
    }

    /// Records what became of a step, with the frame's item and batch.
    /// The record is `consuming` here and below: it is completed in place and handed on, not copied at each
    /// level (a record's copy retains every field of it).
    func record(_ record: consuming StepRecord, _ frame: StepFrame) async {
        if let index = frame.itemIndex {
            record.item = frame.item.map { redactor.redact($0) }
            record.itemIndex = index
        }
        record.batch = frame.batch
        await self.record(record)
    }

    func record(_ record: consuming StepRecord) async {
        record.reason = record.reason.map(redactor.redact)
        record.command = record.command.map(redactor.redact)
        record.diff = record.diff.map(redactor.redact)
        await state.record(record)
        progress?.finished(record)
    }

    /// Tells the progress that `step` starts on `node` (nil: on no node), with the loop item of `frame`, masked.
    func announce(_ step: Step, node: String?, attempt: Int = 1, command: String? = nil, _ frame: StepFrame) {
        guard let progress else { return }
        let item = frame.itemIndex.map { LoopItem(value: frame.item.map { redactor.redact($0) } ?? .null, index: $0) }
        progress.started(step: step, node: node, attempt: attempt, command: command, item: item)
    }

    /// One record per step a group would have run (the step itself when it is no group). `planrun merge`
    /// records only node-less steps: the shards recorded the others.
    func recordLeaves(
        _ step: Step, node: String?, status: StepRecord.Status, reason: String, _ frame: StepFrame
    ) async {
        let nodeless = request.merging ? request.operation.nodelessStepIDs : []
        for leaf in step.leafSteps where !request.merging || nodeless.contains(leaf.id) {
            await record(StepRecord(step: leaf.id, phase: leaf.phase, node: node, status: status, reason: reason), frame)
        }
    }

    func report(_ issue: RunIssue) async {
        var issue = issue
        issue.message = redactor.redact(issue.message)
        issue.stderrTail = issue.stderrTail.map(redactor.redact)
        issue.stdoutTail = issue.stdoutTail.map(redactor.redact)
        await state.report(issue)
        progress?.issue(issue)
    }

    /// Evaluates `when:`; nil means run, otherwise the reason to skip. In a dry-run an expression that needs
    /// run-time values counts as true, since the run may well start the step.
    func skipReason(_ step: Step, scope: Value.Object) async -> String? {
        if let when = step.when {
            if request.dryRun, Self.dependsOnRunTime(when) { return nil }
            do {
                if try !when.evaluate(in: scope).isTruthy { return "when: \(when.source) is false" }
            } catch {
                if !request.dryRun { return "when: \(when.source) could not be evaluated: \(error.message)" }
            }
        }
        if step.destructive {
            guard let guardTemplate = request.plan.policy.destructiveWhen else {
                return "destructive step, and the plan has no policy.destructive_when"
            }
            let holds = (try? guardTemplate.evaluate(in: scope).isTruthy) ?? false
            if !holds { return "destructive step guarded: policy.destructive_when (\(guardTemplate.source)) is false" }
        }
        return nil
    }

    /// Whether a template reads what only a real run knows: captures, step results, node status.
    static func dependsOnRunTime(_ template: Template) -> Bool {
        template.references.contains { reference in
            guard let root = reference.path.first else { return false }
            if root == "nodes" || root == "steps" || root == "run" { return true }
            if root == "node", reference.path.count > 1 { return !["name", "vars", "transport", "host"].contains(reference.path[1]) }
            return false
        }
    }

    /// Without a target, the values land in `vars`; with one, they are evaluated per node (offline nodes
    /// included: nothing is contacted) and land beside the node's captures in `nodes.NODE`.
    private func runSet(_ step: Step, _ entries: [ValueTemplate.Entry], _ frame: StepFrame) async -> Bool {
        guard step.target != nil, frame.node == nil else {
            return await forEachItem(step, node: frame.node, frame) { await self.runSet(step, entries, node: frame.node, $0) }
        }
        guard let resolved = await resolveTargets(step, scope: await scope(for: nil, frame), frame) else { return false }
        let nodes = await inShard(resolved, step: step)
        var fine = true
        for node in nodes {
            let ok = await forEachItem(step, node: node, frame) { await self.runSet(step, entries, node: node, $0) }
            fine = fine && ok
        }
        return fine
    }

    private func runSet(
        _ step: Step, _ entries: [ValueTemplate.Entry], node: NodeDeclaration?, _ frame: StepFrame
    ) async -> Bool {
        if let node, let reason = rerunSkip(node.name) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node.name, status: .skipped, reason: reason), frame)
            return true
        }
        let scope = await scope(for: node, frame)
        if let reason = await skipReason(step, scope: scope) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .skipped, reason: reason), frame)
            return true
        }
        announce(step, node: node?.name, frame)
        var values = Value.Object()
        do {
            for entry in entries { values[entry.key] = try entry.value.evaluate(in: scope) }
        } catch {
            if request.dryRun {
                await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .planned,
                                        reason: "values decided at run time"), frame)
                return true
            }
            await failNodeless(step, node: node?.name, message: "set: \(error.message)", frame)
            return false
        }
        values = redactor.redact(.object(values)).objectValue ?? values
        var result = values
        result["ok"] = .bool(true)
        // With a target, or on the node a group walks, the values are the node's; else the run's `vars`.
        let onNode = node != nil
        if let index = frame.itemIndex {
            await state.setItem(
                step.id, node: onNode ? node?.name : nil, index: index, count: frame.itemCount, result: result,
                values: values, valuesOnNode: onNode)
        } else {
            if onNode, let node { await state.setCaptures(values, on: node.name) } else { await state.setVars(values) }
            await state.setStepResult(step.id, node: onNode ? node?.name : nil, result)
        }
        await record(StepRecord(
            step: step.id, phase: step.phase, node: node?.name, status: request.dryRun ? .planned : .succeeded,
            attempts: 1), frame)
        return true
    }

    private func runAssert(_ step: Step, _ condition: Template, _ frame: StepFrame) async -> Bool {
        let node = frame.node
        let scope = await scope(for: node, frame)
        if let reason = await skipReason(step, scope: scope) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .skipped, reason: reason), frame)
            return true
        }
        if request.dryRun {
            await record(StepRecord(
                step: step.id, phase: step.phase, node: node?.name, status: .planned, command: "assert \(condition.source)"),
                frame)
            return true
        }
        announce(step, node: node?.name, frame)
        var held = false
        var detail: String?
        do { held = try condition.evaluate(in: scope).isTruthy } catch { detail = error.message }
        await state.countAssert(held: held)
        let result = Value.Object([("ok", .bool(held))])
        if let index = frame.itemIndex {
            await state.setItem(step.id, node: node?.name, index: index, count: frame.itemCount, result: result)
        } else {
            await state.setStepResult(step.id, node: node?.name, result)
        }
        if held {
            await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .succeeded, attempts: 1), frame)
            return true
        }
        let message = (try? step.message?.evaluate(in: scope).interpolationText) ?? "assertion failed: \(condition.source)"
        let recommendation = try? step.recommend?.evaluate(in: scope).interpolationText
        await report(RunIssue(
            kind: .validation, node: node?.name, step: step.id, phase: step.phase,
            message: detail.map { "\(message) (\($0))" } ?? message, hint: recommendation))
        if let recommendation { await state.recommend(recommendation) }
        await record(StepRecord(
            step: step.id, phase: step.phase, node: node?.name, status: .failed, attempts: 1, reason: detail ?? message),
            frame)
        if step.onError == .fail, step.phase != .validate, !frame.inWalk { await state.halt(.failed(step: step.id)) }
        return false
    }

    /// A step that failed before or instead of a command (a `set:` value, a target that cannot be resolved):
    /// kind `command`, so that with `on_error: continue` the run is partial as after a failed command — only
    /// asserts report `validation`, and those are counted apart.
    func failNodeless(_ step: Step, node: String? = nil, message: String, _ frame: StepFrame) async {
        await report(RunIssue(kind: .command, node: node, step: step.id, phase: step.phase, message: message))
        await recordLeaves(step, node: node, status: .failed, reason: message, frame)
        await state.setStepResult(step.id, node: node, Value.Object([("ok", .bool(false))]))
        if step.onError == .fail, !frame.inWalk { await state.halt(.failed(step: step.id)) }
    }

    /// The scope a step sees: the run's state, the node (when there is one) and the frame's own names.
    func scope(for node: NodeDeclaration?, _ frame: StepFrame) async -> Value.Object {
        var scope = if let node { await scope(for: node) } else { await state.scope() }
        for (key, value) in frame.bindings { scope[key] = value }
        if let root = frame.stepsRoot, case .object(var steps)? = scope["steps"] {
            var own: Value? = .object(steps)
            for part in root.split(separator: ".") { own = own?.objectValue?[String(part)] }
            for (key, value) in own?.objectValue ?? Value.Object() { steps[key] = value }
            scope["steps"] = .object(steps)
        }
        return scope
    }
}
