/// Running a command step: fan-out over nodes, then fallback node, fallback steps, `on_failure` steps and
/// `on_error` per node.
extension PlanRunner {
    /// Runs `step` on its target, or on `only` (the node a group walks, or the failed node a fallback step
    /// serves). Returns whether every node ended succeeded or recovered (skipped nodes count as fine).
    @discardableResult
    func runCommand(_ step: Step, on only: NodeDeclaration?, _ frame: StepFrame) async -> Bool {
        let nodes: [NodeDeclaration]
        if let only, step.target == nil { nodes = [only] } else {
            // Node names written out (the common case) read nothing: no scope is made for them.
            let scope = Self.targetIsLiteral(step.target) ? Value.Object() : await scope(for: nil, frame)
            guard let resolved = await resolveTargets(step, scope: scope, frame) else { return false }
            // A fallback step serves its failed node, wherever the inventory puts it.
            nodes = only == nil ? await inShard(resolved, step: step) : resolved
        }
        if nodes.isEmpty { return true }
        // One node (the common case) runs in this task: a child task would cost a hand-off to another
        // thread of the cooperative pool on every step.
        if nodes.count == 1 { return await runCommand(step, node: nodes[0], frame) }
        return await withTaskGroup(of: Bool.self) { group in
            for node in nodes {
                group.addTask { await self.runCommand(step, node: node, frame) }
            }
            var allFine = true
            for await fine in group where !fine { allFine = false }
            return allFine
        }
    }

    private func runCommand(_ step: Step, node: NodeDeclaration, _ frame: StepFrame) async -> Bool {
        await forEachItem(step, node: node, frame) { await self.runCommandOnce(step, node: node, $0) }
    }

    private func runCommandOnce(_ step: Step, node: NodeDeclaration, _ frame: StepFrame) async -> Bool {
        if let marker = await state.offline[node.name] {
            await record(StepRecord(
                step: step.id, phase: step.phase, node: node.name, status: .skipped,
                reason: "node offline (marked by step '\(marker)')"), frame)
            return true
        }
        if let reason = rerunSkip(node.name) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node.name, status: .skipped, reason: reason), frame)
            return true
        }
        let scope = await scope(for: node, frame)
        if let reason = await skipReason(step, scope: scope) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node.name, status: .skipped, reason: reason), frame)
            return true
        }
        var attempt = await NodeAttempt(runner: self, step: step, node: node, frame: frame).run(in: scope)
        if attempt.status == .failed, let fallbackNode = step.fallbackNode, !Task.isCancelled {
            attempt = await tryFallbackNode(step, failed: node, attempt: attempt, template: fallbackNode, scope: scope, frame)
        }
        if attempt.status == .failed, !step.fallback.isEmpty, !Task.isCancelled {
            var rescued = true
            for fallback in step.fallback where rescued {
                rescued = await runStep(fallback, serving(node, frame, with: fallback))
            }
            if rescued {
                attempt.status = .recovered
                attempt.reason = "recovered by fallback step\(step.fallback.count > 1 ? "s" : "") "
                    + step.fallback.map { "'\($0.id)'" }.joined(separator: ", ")
                await state.markRecovered(step: step.id, node: node.name)
            }
        }
        if attempt.status == .failed { await runOnFailure(step, node: node, frame) }
        await finish(step, node: node, attempt, frame)
        return attempt.status != .failed && attempt.status != .cancelled
    }

    /// `on_failure:` steps, on the node where `step` failed; they never change the step's status.
    func runOnFailure(_ step: Step, node: NodeDeclaration?, _ frame: StepFrame) async {
        guard !step.onFailure.isEmpty, !Task.isCancelled else { return }
        for handler in step.onFailure {
            guard await runStep(handler, serving(node, frame, with: handler)) else { break }
        }
    }

    /// The frame for a fallback or `on_failure` step serving the failed `node`: a command runs there (unless
    /// it names a target of its own); it starts even when another node's failure has stopped the run.
    private func serving(_ node: NodeDeclaration?, _ frame: StepFrame, with step: Step) -> StepFrame {
        var frame = frame
        if step.action.isCommand || step.isGroup || frame.node != nil { frame.node = step.target == nil ? node : nil }
        if frame.tolerance == .none { frame.tolerance = .failure }
        return frame
    }

    private func tryFallbackNode(
        _ step: Step, failed node: NodeDeclaration, attempt: NodeAttempt.Outcome, template: Template,
        scope: Value.Object, _ frame: StepFrame
    ) async -> NodeAttempt.Outcome {
        let other: NodeDeclaration
        do throws(TargetResolver.Failure) {
            let name: String
            do { name = try template.evaluate(in: scope).interpolationText } catch {
                throw TargetResolver.Failure(message: error.message)
            }
            other = try targets.node(name)
        } catch {
            await report(RunIssue(
                kind: .validation, node: node.name, step: step.id, phase: step.phase, message: "fallback_node: \(error.message)"))
            return attempt
        }
        guard other.name != node.name else { return attempt }
        var second = await NodeAttempt(runner: self, step: step, node: other, frame: frame, onBehalfOf: node.name).run()
        guard second.status == .succeeded else { return attempt }
        await state.markRecovered(step: step.id, node: node.name)
        second.status = .recovered
        second.answeredBy = other.name
        second.reason = "recovered: answered by fallback node '\(other.name)'"
        second.attempts += attempt.attempts
        second.queued += attempt.queued
        return second
    }

    /// Records the node's outcome, stores it for expressions, and applies `on_error` when it stayed failed.
    private func finish(_ step: Step, node: NodeDeclaration, _ outcome: NodeAttempt.Outcome, _ frame: StepFrame) async {
        if let index = frame.itemIndex {
            await state.setItem(
                step.id, node: node.name, index: index, count: frame.itemCount, result: outcome.scopeValue,
                values: outcome.captures, valuesOnNode: true)
        } else {
            await state.setStepResult(step.id, node: node.name, outcome.scopeValue)
        }
        var record = StepRecord(
            step: step.id, phase: step.phase, node: node.name, status: outcome.status, attempts: outcome.attempts,
            exitCode: outcome.exitCode, duration: outcome.duration, reason: outcome.reason,
            answeredBy: outcome.answeredBy, command: request.dryRun ? outcome.command : nil,
            timeout: request.dryRun ? outcome.timeout : nil, changed: outcome.changed, diff: outcome.diff
        ).planned(step, dryRun: request.dryRun)
        record.stdoutTail = RunEvents.tail(of: outcome.stdout)
        record.stderrTail = RunEvents.tail(of: outcome.stderr)
        record.cached = outcome.cacheAge != nil
        record.cacheAge = outcome.cacheAge
        record.queued = outcome.queued
        await self.record(record, frame)
        guard outcome.status == .failed else { return }
        switch step.onError {
        case .fail: if !frame.inWalk { await state.halt(.failed(step: step.id)) }
        case .continue: break
        case .markOffline: await state.markOffline(node.name, by: step.id)
        }
    }

    /// Whether `target` names its nodes without an expression (or is absent).
    static func targetIsLiteral(_ target: Target?) -> Bool {
        guard case .names(let templates)? = target else { return true }
        return templates.allSatisfy { $0.literalText != nil }
    }

    /// The nodes `step` runs on; nil after recording why there are none. A target outside `--limit` is
    /// skipped; in a dry-run, one that reads what only the run knows is planned, not failed.
    func resolveTargets(_ step: Step, scope: Value.Object, _ frame: StepFrame = StepFrame()) async -> [NodeDeclaration]? {
        do {
            let nodes = try targets.resolve(step.target, scope: scope)
            if nodes.isEmpty, request.limit != nil {
                await record(StepRecord(
                    step: step.id, phase: step.phase, node: nil, status: .skipped, reason: "no target node is in --limit"))
            }
            return nodes
        } catch {
            let message = error.message
            if request.dryRun, case .names(let templates)? = step.target, templates.contains(where: Self.dependsOnRunTime) {
                await record(StepRecord(
                    step: step.id, phase: step.phase, node: nil, status: .planned,
                    reason: "targets decided at run time (\(message))"))
                return []
            }
            await failNodeless(step, message: message, frame)
            return nil
        }
    }

    /// The scope with `node` set: what the run knows of the node (status, captures) and its declaration.
    func scope(for node: NodeDeclaration) async -> Value.Object {
        var scope = await state.scope()
        var o = scope["nodes"]?.objectValue?[node.name]?.objectValue ?? Value.Object()
        o["name"] = .string(node.name)
        o["vars"] = .object(node.vars)
        o["transport"] = .string(node.transport.kind)
        if let host = node.transport.host { o["host"] = .string(host) }
        scope["node"] = .object(o)
        return scope
    }
}

extension StepRecord {
    /// Adds what a dry-run shows of failure handling: retries, fallback steps, fallback node.
    func planned(_ step: Step, dryRun: Bool) -> StepRecord {
        guard dryRun, status == .planned else { return self }
        var record = self
        record.retries = step.retries
        if !step.fallback.isEmpty { record.fallbacks = step.fallback.map(\.id) }
        if !step.onFailure.isEmpty { record.onFailure = step.onFailure.map(\.id) }
        record.fallbackNode = step.fallbackNode?.source
        record.cache = step.cache
        if let when = step.when, PlanRunner.dependsOnRunTime(when) {
            record.reason = "runs only if \(when.source) holds at run time"
        }
        return record
    }
}
