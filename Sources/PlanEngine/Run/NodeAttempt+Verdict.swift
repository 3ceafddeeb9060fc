/// How an attempt's result is judged: the action's own verdict, captures, the plan's `errors:` rules and
/// the failure classes, `until:` and `changed_when:`.
extension NodeAttempt {
    /// The failure the result amounts to, or nil for a success (then `outcome` has its captures and `changed`).
    func verdict(_ result: CommandOutcome, _ action: any StepAction, budget: Double, _ outcome: inout Outcome) async
        -> StepFailure?
    {
        guard result.succeeded else {
            if step.errors.isEmpty, let own = action.failed(result) { return own }
            return FailureClassifier.classify(result, rules: step.errors, timeout: budget)
        }
        switch action.finish(result) {
        case .success(let changed): outcome.changed = changed
        case .failure(let failure): return failure
        }
        guard action.capturesOutput else { return nil }
        switch CaptureExtractor.extract(step.captures, from: result.stdout) {
        case .success(let captures):
            outcome.captures = runner.redactor.redact(.object(captures)).objectValue ?? captures
            if !captures.isEmpty, frame.itemIndex == nil { await runner.state.setCaptures(outcome.captures, on: node.name) }
            return nil
        case .failure(let f):
            return StepFailure(.command, f.message)
        }
    }

    enum Poll {
        case held
        /// Not yet, and there is time for another attempt after `delay:`.
        case again
        case timedOut(StepFailure)
    }

    /// Whether `until:` holds after a succeeded attempt (a loop item's own captures are in its scope).
    func poll(_ until: Template, _ outcome: Outcome, sinceConnected: Double, timeout: Double) async -> Poll {
        var scope = await runner.scope(for: node, frame)
        if frame.itemIndex != nil, var current = scope["node"]?.objectValue {
            for (key, value) in outcome.captures { current[key] = value }
            scope["node"] = .object(current)
        }
        if (try? until.evaluate(in: scope).isTruthy) ?? false { return .held }
        if sinceConnected + step.delay < timeout { return .again }
        return .timedOut(StepFailure(
            .timeout, "until: \(until.source) did not hold within \(DurationText.format(timeout))",
            hint: "increase the step's timeout or check why the condition never holds"))
    }

    /// `changed_when:` decides `changed` for a success; an expression that fails is a validation failure.
    func changedWhen(_ outcome: inout Outcome) async -> StepFailure? {
        guard let changedWhen = step.changedWhen else { return nil }
        do { outcome.changed = try changedWhen.evaluate(in: await runner.scope(for: node)).isTruthy } catch {
            return StepFailure(.validation, "changed_when: \(error.message)")
        }
        return nil
    }
}
