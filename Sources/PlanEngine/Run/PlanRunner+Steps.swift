/// Running one step: guards, then `set:`, `assert:` or a command fanned out over its nodes.
extension PlanRunner {
    func runStep(_ step: Step) async {
        if let reason = await stopReason() {
            await record(StepRecord(step: step.id, phase: step.phase, node: nil, status: .notRun, reason: reason))
            return
        }
        if let rerun = request.rerun, doneBefore.contains(step.id) {
            await record(StepRecord(
                step: step.id, phase: step.phase, node: nil, status: .skipped,
                reason: "rerun: ended well in run \(rerun.previous)"))
            return
        }
        switch step.action {
        case .set(let entries): await runSet(step, entries)
        case .assert(let condition): await runAssert(step, condition)
        case .run, .argv, .copy, .fetch: await runCommand(step, on: nil)
        }
    }

    /// With `--rerun-failed`, why a node step does not run on `node` again; nil when it does.
    func rerunSkip(_ node: String) -> String? {
        guard let rerun = request.rerun, let nodes = rerun.nodes, !nodes.contains(node) else { return nil }
        return "rerun: the node ended well in run \(rerun.previous)"
    }

    /// Why new work must not start, or nil while the run goes on.
    func stopReason() async -> String? {
        switch await state.stop {
        case .failed(let step): return "not run: step '\(step)' failed"
        case .deadline: return "not run: the run deadline was reached"
        case .interrupted: return "not run: interrupted"
        case .finished, nil: return Task.isCancelled ? "not run: interrupted" : nil
        }
    }

    func record(_ record: StepRecord) async {
        var record = record
        record.reason = record.reason.map(redactor.redact)
        record.command = record.command.map(redactor.redact)
        record.diff = record.diff.map(redactor.redact)
        await state.record(record)
        progress?.finished(record)
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

    /// Without a target, the values land in `vars`; with one, they are evaluated per node (offline nodes
    /// included: nothing is contacted) and land beside the node's captures in `nodes.NODE`.
    /// Whether a template reads what only a real run knows: captures, step results, node status.
    static func dependsOnRunTime(_ template: Template) -> Bool {
        template.references.contains { reference in
            guard let root = reference.path.first else { return false }
            if root == "nodes" || root == "steps" || root == "run" { return true }
            if root == "node", reference.path.count > 1 { return !["name", "vars", "transport", "host"].contains(reference.path[1]) }
            return false
        }
    }

    private func runSet(_ step: Step, _ entries: [(key: String, value: ValueTemplate)]) async {
        guard step.target != nil else {
            await runSet(step, entries, node: nil)
            return
        }
        guard let resolved = await resolveTargets(step, scope: await state.scope()) else { return }
        let nodes = await inShard(resolved, step: step)
        for node in nodes { await runSet(step, entries, node: node) }
    }

    private func runSet(_ step: Step, _ entries: [(key: String, value: ValueTemplate)], node: NodeDeclaration?) async {
        if let node, let reason = rerunSkip(node.name) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node.name, status: .skipped, reason: reason))
            return
        }
        let scope = if let node { await scope(for: node) } else { await state.scope() }
        if let reason = await skipReason(step, scope: scope) {
            await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .skipped, reason: reason))
            return
        }
        progress?.started(step: step, node: node?.name, attempt: 1, command: nil)
        var values = Value.Object()
        do {
            for (key, template) in entries { values[key] = try template.evaluate(in: scope) }
        } catch {
            if request.dryRun {
                await record(StepRecord(step: step.id, phase: step.phase, node: node?.name, status: .planned,
                                        reason: "values decided at run time"))
                return
            }
            await failNodeless(step, node: node?.name, message: "set: \(error.message)")
            return
        }
        values = redactor.redact(.object(values)).objectValue ?? values
        if let node { await state.setCaptures(values, on: node.name) } else { await state.setVars(values) }
        var result = values
        result["ok"] = .bool(true)
        await state.setStepResult(step.id, node: node?.name, result)
        await record(StepRecord(
            step: step.id, phase: step.phase, node: node?.name, status: request.dryRun ? .planned : .succeeded,
            attempts: 1))
    }

    private func runAssert(_ step: Step, _ condition: Template) async {
        let scope = await state.scope()
        if let reason = await skipReason(step, scope: scope) {
            await record(StepRecord(step: step.id, phase: step.phase, node: nil, status: .skipped, reason: reason))
            return
        }
        if request.dryRun {
            await record(StepRecord(
                step: step.id, phase: step.phase, node: nil, status: .planned, command: "assert \(condition.source)"))
            return
        }
        progress?.started(step: step, node: nil, attempt: 1, command: nil)
        var held = false
        var detail: String?
        do { held = try condition.evaluate(in: scope).isTruthy } catch { detail = error.message }
        await state.countAssert(held: held)
        await state.setStepResult(step.id, node: nil, Value.Object([("ok", .bool(held))]))
        if held {
            await record(StepRecord(step: step.id, phase: step.phase, node: nil, status: .succeeded, attempts: 1))
            return
        }
        let message = (try? step.message?.evaluate(in: scope).interpolationText) ?? "assertion failed: \(condition.source)"
        let recommendation = try? step.recommend?.evaluate(in: scope).interpolationText
        await report(RunIssue(
            kind: .validation, step: step.id, phase: step.phase,
            message: detail.map { "\(message) (\($0))" } ?? message, hint: recommendation))
        if let recommendation { await state.recommend(recommendation) }
        await record(StepRecord(
            step: step.id, phase: step.phase, node: nil, status: .failed, attempts: 1, reason: detail ?? message))
        if step.onError == .fail, step.phase != .validate { await state.halt(.failed(step: step.id)) }
    }

    /// A step that failed before or instead of a command (a `set:` value, a target that cannot be resolved):
    /// kind `command`, so that with `on_error: continue` the run is partial as after a failed command — only
    /// asserts report `validation`, and those are counted apart.
    func failNodeless(_ step: Step, node: String? = nil, message: String) async {
        await report(RunIssue(kind: .command, node: node, step: step.id, phase: step.phase, message: message))
        await record(StepRecord(step: step.id, phase: step.phase, node: node, status: .failed, attempts: 1, reason: message))
        await state.setStepResult(step.id, node: node, Value.Object([("ok", .bool(false))]))
        if step.onError == .fail { await state.halt(.failed(step: step.id)) }
    }
}

extension ValueTemplate {
    /// The value with every template evaluated; plain literals keep their YAML type.
    func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value {
        switch self {
        case .scalar(let template, let typed):
            if let typed { return typed }
            return try template.evaluate(in: scope)
        case .list(let items, _):
            var out: [Value] = []
            for item in items { out.append(try item.evaluate(in: scope)) }
            return .array(out)
        case .map(let entries, _):
            var out = Value.Object()
            for (key, item) in entries { out[key] = try item.evaluate(in: scope) }
            return .object(out)
        }
    }
}
