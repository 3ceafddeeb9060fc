/// The attempt loop: one command per attempt within a `max_parallel` slot, retried after a failure
/// (`retries:`, `delay:`) and repeated until `until:` holds, all within the step's timeout.
extension NodeAttempt {
    /// The rendered action and what every attempt of it shares.
    struct Work {
        var action: any StepAction
        let transport: any NodeTransport
        /// Seconds for the step's work on the node, from the moment it was connected.
        let timeout: Double
        /// The command as shown (secrets masked).
        let shown: String
        /// Secret values, passed in the environment rather than on a command line.
        let environment: [(name: String, value: String)]
        /// Whether a success is kept for `cache:`.
        let cacheable: Bool
    }

    func attempts(_ work: Work, _ start: Outcome, _ watch: Stopwatch) async -> Outcome {
        var outcome = start
        var watch = watch
        while true {
            outcome.attempts += 1
            let budget = step.until == nil ? work.timeout : max(0.001, work.timeout - watch.sinceConnected())
            var request: CommandRequest
            do {
                request = try work.action.request(
                    timeout: budget, grace: runner.request.grace, outputLimit: runner.request.outputLimit,
                    onLine: lineWatcher())
                request.environment = work.environment
            } catch {
                outcome.duration = watch.elapsed()
                return await fail(error, outcome)
            }
            let result = await execute(request, work, attempt: outcome.attempts, &watch)
            outcome.queued = watch.queued
            if result?.succeeded != true { work.action.cleanUp() }
            guard let result, !Task.isCancelled else {
                outcome.status = .cancelled
                outcome.duration = watch.elapsed()
                outcome.reason = await cancelReason()
                if let result { outcome.exitCode = result.exitCode }
                return outcome
            }
            outcome.exitCode = result.exitCode
            outcome.stdout = runner.redactor.redact(result.stdout)
            outcome.stderr = runner.redactor.redact(result.stderr)

            var failure = await verdict(result, work.action, budget: budget, &outcome)
            if failure == nil, let until = step.until {
                switch await poll(until, outcome, sinceConnected: watch.sinceConnected(), timeout: work.timeout) {
                case .held: break
                case .again:
                    // A cancelled pause falls through to the next attempt, which sees the cancellation.
                    _ = await pause(step.delay)
                    continue
                case .timedOut(let f): failure = f
                }
            }
            if failure == nil { failure = await changedWhen(&outcome) }
            guard let failure else {
                outcome.status = .succeeded
                outcome.duration = watch.elapsed()
                if work.cacheable { keep(result, as: work.action.shown, outcome) }
                return outcome
            }
            outcome.changed = false
            // Retries are for failed commands, and a timeout has spent the step's budget.
            let retryable = result.failure == nil || result.failure?.kind == .connection
            if outcome.attempts <= step.retries, retryable, failure.kind != .timeout || step.until == nil {
                if await pause(step.delay) { continue }
            }
            outcome.duration = watch.elapsed()
            return await fail(failure, outcome)
        }
    }

    /// Runs one attempt's command once a `max_parallel` slot is free; nil when the run was cancelled first.
    /// `start` is printed when the command really starts, not while it waits for a slot.
    private func execute(_ request: CommandRequest, _ work: Work, attempt: Int, _ watch: inout Stopwatch) async
        -> CommandOutcome?
    {
        let clock = watch.clock
        let asked = clock.now
        let slot = await runner.limiter.withSlot { [step, node, runner, frame, shown = work.shown, transport = work.transport] in
            let waited = clock.now - asked
            runner.announce(step, node: node.name, attempt: attempt, command: shown, frame)
            return (await transport.execute(request), waited)
        }
        watch.queued += (slot?.1 ?? clock.now - asked).inSeconds
        return slot?.0
    }

    /// Each line of output for progress, when it shows output (`--verbose`).
    private func lineWatcher() -> (@Sendable (String) -> Void)? {
        guard let progress = runner.progress, progress.wantsOutput else { return nil }
        let name = node.name
        return { [step] line in progress.outputLine(step: step, node: name, line: line) }
    }

    /// Sleeps between attempts; false when the run was cancelled meanwhile.
    private func pause(_ seconds: Double) async -> Bool {
        guard seconds > 0 else { return !Task.isCancelled }
        do { try await Task.sleep(for: .seconds(seconds)) } catch { return false }
        return true
    }
}
