/// One step on one node: render its action, reuse a cached result, connect, show `--diff`, then the attempts
/// (`NodeAttempt+Attempts`), each judged by `NodeAttempt+Verdict`.
struct NodeAttempt {
    let runner: PlanRunner
    let step: Step
    let node: NodeDeclaration
    /// The loop item, group walk or used file the step runs in.
    var frame = StepFrame()
    /// Set when this node answers for another one (`fallback_node:`); captures land on the node that ran.
    var onBehalfOf: String? = nil

    struct Outcome: Sendable {
        var status: StepRecord.Status
        var attempts = 0
        var exitCode: Int32?
        /// Seconds the step was at work on the node: connecting, running, polling; not waiting for a slot.
        var duration = 0.0
        /// Seconds its commands waited for a `max_parallel` slot.
        var queued = 0.0
        var stdout = ""
        var stderr = ""
        var reason: String?
        var answeredBy: String?
        var command: String?
        var timeout: Double?
        /// Seconds since the reused result was recorded, when `cache:` answered instead of the command.
        var cacheAge: Double?
        /// The step changed something on the node (or, for `fetch`, here).
        var changed = false
        /// `--diff`: what the copy changes (or would), secrets masked.
        var diff: String?
        /// What the step captured; in a loop they collect into lists rather than land on the node directly.
        var captures = Value.Object()

        /// What `steps.ID.NODE` reads.
        var scopeValue: Value.Object {
            var o = Value.Object(minimumCapacity: 7)
            o["ok"] = .bool(status == .succeeded || status == .recovered || status == .planned)
            o["status"] = .string(status.rawValue)
            o["exit_code"] = exitCode.map { .int(Int($0)) } ?? .null
            o["stdout"] = .string(stdout)
            o["stderr"] = .string(stderr)
            o["duration"] = .double(duration)
            o["attempts"] = .int(attempts)
            return o
        }
    }

    /// - Parameter scope: what the step sees on this node, when the caller has just made it (it is made here
    ///   otherwise): one scope per step and node, not two.
    func run(in scope: Value.Object? = nil) async -> Outcome {
        var watch = Stopwatch()
        let scope = if let scope { scope } else { await runner.scope(for: node, frame) }
        var secrets = SecretWords(secrets: runner.redactor.values)
        let timeout: Double
        let rendered: (any StepAction)?
        do throws(StepFailure) {
            timeout = try stepTimeout(scope: scope)
            rendered = try step.action.rendered(scope: scope, secrets: &secrets, startTime: runner.startTime, at: step.range)
        } catch {
            // A dry-run knows no captures or step results: a command built from them is decided at run time.
            if error.isEvaluation, runner.request.dryRun, step.templates.contains(where: { PlanRunner.dependsOnRunTime($0.template) }) {
                return Outcome(status: .planned, reason: "command decided at run time (\(error.message))")
            }
            return await fail(error, Outcome(status: .failed))
        }
        guard var action = rendered else { return Outcome(status: .skipped, reason: "the step runs no command on nodes") }
        let shown = runner.redactor.redact(action.shown)
        let diffing = runner.request.diff && action.showsDiff
        if runner.request.dryRun, !diffing { return planned(shown, timeout: timeout) }

        // `cache:` keeps only commands and output that hold no secret: the store keeps masked text, which
        // would neither match the real command nor give the real captures back.
        let cacheable = step.cache != nil && shown == action.shown
        if cacheable, !runner.request.noCache, let outcome = await reuse(action.shown, started: watch.started) { return outcome }

        let transport: any NodeTransport
        switch await runner.pool.transport(for: node) {
        case .success(let t):
            transport = t
            await runner.state.nodeContacted(node.name, online: true)
        case .failure(let failure):
            await runner.state.nodeContacted(node.name, online: false)
            guard await runner.state.firstConnectionFailure(node.name) else {
                return Outcome(status: .failed, attempts: 1, duration: watch.elapsed(),
                               reason: "node unavailable (\(failure.kind)): \(failure.message)")
            }
            return await fail(
                StepFailure(failure.kind, failure.message, hint: FailureClassifier.hint(for: failure.kind)),
                Outcome(status: .failed, attempts: 1, duration: watch.elapsed()))
        }

        // The step's timeout bounds its work on the node: the time spent waiting for the connection does not count.
        watch.connected = watch.clock.now
        var outcome = Outcome(status: .failed)
        if diffing {
            // `--diff` reads the node before the copy (or instead of it, in a dry-run), within the same timeout.
            switch await action.diff(node: node.name, on: transport, timeout: timeout, grace: runner.request.grace) {
            case .success(let diff): outcome.diff = runner.redactor.redact(diff)
            case .failure(let failure):
                outcome.duration = watch.elapsed()
                return await fail(failure, outcome)
            }
            if runner.request.dryRun {
                var planned = planned(shown, timeout: timeout)
                planned.diff = outcome.diff
                return planned
            }
        }
        await action.prepare(on: transport, timeout: timeout, grace: runner.request.grace)
        let work = Work(
            action: action, transport: transport, timeout: timeout, shown: shown, environment: secrets.environment,
            cacheable: cacheable)
        return await attempts(work, outcome, watch)
    }

    /// A dry-run's answer: what would run, and within which timeout.
    private func planned(_ shown: String, timeout: Double) -> Outcome {
        runner.announce(step, node: node.name, attempt: 1, command: shown, frame)
        return Outcome(status: .planned, command: shown, timeout: timeout)
    }

    /// The step's clock. Time at work leaves out the time spent waiting for a `max_parallel` slot, which is
    /// neither the step's nor its timeout's.
    struct Stopwatch {
        let clock = ContinuousClock()
        let started: ContinuousClock.Instant
        /// When the node's transport was ready; the step's timeout counts from here.
        var connected: ContinuousClock.Instant
        /// Seconds the attempts waited for a slot.
        var queued = 0.0

        init() {
            started = ContinuousClock.now
            connected = started
        }

        func elapsed() -> Double { (clock.now - started).inSeconds - queued }
        func sinceConnected() -> Double { (clock.now - connected).inSeconds - queued }
    }

    func cancelReason() async -> String {
        await runner.state.stop == .deadline ? "stopped: the run deadline was reached" : "stopped: interrupted"
    }

    /// Reports `failure` as the step's issue on this node and returns `outcome` failed with its message.
    func fail(_ failure: StepFailure, _ outcome: Outcome) async -> Outcome {
        var outcome = outcome
        outcome.status = .failed
        outcome.reason = failure.message
        let scope = await runner.state.scope()
        var text = failure.message
        if let onBehalfOf { text = "as fallback for '\(onBehalfOf)': " + text }
        await runner.report(RunIssue(
            kind: failure.kind, node: node.name, step: step.id, phase: step.phase, message: text,
            exitCode: outcome.exitCode, stderrTail: RunIssue.tail(of: outcome.stderr),
            stdoutTail: RunIssue.tail(of: outcome.stdout),
            hint: failure.hint ?? (try? step.recommend?.evaluate(in: scope).interpolationText)))
        return outcome
    }

    private func stepTimeout(scope: Value.Object) throws(StepFailure) -> Double {
        let seconds: Double
        if let setting = step.timeout {
            do { seconds = try RunSettings.seconds(setting, in: scope) } catch { throw StepFailure(evaluating: error) }
        } else {
            seconds = runner.settings.defaultTimeout
        }
        if let max = runner.settings.maxTimeout, seconds > max {
            throw StepFailure(evaluating: EvaluationError(
                "timeout \(DurationText.format(seconds)) is above policy.max_timeout \(DurationText.format(max))",
                at: step.timeout?.range ?? step.range))
        }
        return seconds
    }
}
