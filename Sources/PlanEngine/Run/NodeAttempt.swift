/// One step on one node: connect, render, run under the concurrency limit, retry, poll `until:`, capture.
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
            var o = Value.Object()
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

    func run() async -> Outcome {
        let state = runner.state
        let clock = ContinuousClock()
        let started = clock.now
        var queued = 0.0
        /// Time at work, without the time spent waiting for a slot (that is neither the step's nor its timeout's).
        func elapsed() -> Double { Self.seconds(clock.now - started) - queued }

        let scope = await runner.scope(for: node, frame)
        let timeout: Double
        var work: NodeWork
        var secrets = SecretWords(secrets: runner.redactor.values)
        do {
            timeout = try stepTimeout(scope: scope)
            work = try render(scope: scope, secrets: &secrets)
        } catch let error as EvaluationError {
            // A dry-run knows no captures or step results: a command built from them is decided at run time.
            if runner.request.dryRun, step.templates.contains(where: { PlanRunner.dependsOnRunTime($0.template) }) {
                return Outcome(status: .planned, reason: "command decided at run time (\(error.message))")
            }
            return await fail(kind: .command, message: error.message, outcome: Outcome(status: .failed))
        } catch let error as FileStepFailure {
            return await fail(kind: error.kind, message: error.message, outcome: Outcome(status: .failed), hint: error.hint)
        } catch {
            return await fail(kind: .command, message: "\(error)", outcome: Outcome(status: .failed))
        }
        let environment = secrets.environment
        let shown = runner.redactor.redact(work.shown)
        var copyToShow: CopyPlan?
        if runner.request.diff, case .copy(let plan) = work { copyToShow = plan }
        if runner.request.dryRun, copyToShow == nil {
            runner.progress?.started(step: step, node: node.name, attempt: 1, command: shown)
            return Outcome(status: .planned, command: shown, timeout: timeout)
        }

        // `cache:` keeps only commands and output that hold no secret: the store keeps masked text, which
        // would neither match the real command nor give the real captures back.
        let display = work.shown
        let cacheable = step.cache != nil && shown == display
        if cacheable, !runner.request.noCache, let outcome = await reuse(display, started: started) { return outcome }

        let transport: any NodeTransport
        switch await runner.pool.transport(for: node) {
        case .success(let t):
            transport = t
            await state.nodeContacted(node.name, online: true)
        case .failure(let failure):
            await state.nodeContacted(node.name, online: false)
            let outcome = Outcome(status: .failed, attempts: 1, duration: elapsed())
            guard await state.firstConnectionFailure(node.name) else {
                return Outcome(status: .failed, attempts: 1, duration: elapsed(),
                               reason: "node unavailable (\(failure.kind)): \(failure.message)")
            }
            return await fail(kind: failure.kind, message: failure.message, outcome: outcome,
                              hint: FailureClassifier.hint(for: failure.kind))
        }

        // The step's timeout bounds its command: the time spent waiting for the connection, or for a slot, does
        // not count.
        let connected = clock.now
        func sinceConnected() -> Double { Self.seconds(clock.now - connected) - queued }
        var outcome = Outcome(status: .failed)
        if let copyToShow {
            // `--diff` reads the node before the copy (or instead of it, in a dry-run), within the same timeout.
            switch await CopyDiff.diff(
                copyToShow, node: node.name, transport: transport, timeout: timeout, grace: runner.request.grace)
            {
            case .success(let diff): outcome.diff = runner.redactor.redact(diff)
            case .failure(let f):
                outcome.duration = elapsed()
                return await fail(kind: f.kind, message: f.message, outcome: outcome, hint: f.hint)
            }
            if runner.request.dryRun {
                runner.progress?.started(step: step, node: node.name, attempt: 1, command: shown)
                return Outcome(status: .planned, command: shown, timeout: timeout, diff: outcome.diff)
            }
        }
        if case .copy(var plan) = work,
            await plan.contentIsInPlace(on: transport, timeout: timeout, grace: runner.request.grace)
        {
            plan.contentInPlace = true
            work = .copy(plan)
        }
        while true {
            outcome.attempts += 1
            let budget = step.until == nil ? timeout : max(0.001, timeout - sinceConnected())
            let onLine: (@Sendable (String) -> Void)?
            if let progress = runner.progress, progress.wantsOutput {
                let name = node.name
                onLine = { [step] line in progress.outputLine(step: step, node: name, line: line) }
            } else {
                onLine = nil
            }
            let request: CommandRequest
            do {
                var made = try work.request(
                    timeout: budget, grace: runner.request.grace, outputLimit: runner.request.outputLimit, onLine: onLine)
                made.environment = environment
                request = made
            } catch {
                outcome.duration = elapsed()
                return await fail(kind: error.kind, message: error.message, outcome: outcome, hint: error.hint)
            }
            let asked = clock.now
            let attempt = outcome.attempts
            // `start` is printed when the command really starts, not while it waits for a slot.
            let slot = await runner.limiter.withSlot { [step, node, runner] in
                let waited = clock.now - asked
                runner.progress?.started(step: step, node: node.name, attempt: attempt, command: shown)
                return (await transport.execute(request), waited)
            }
            queued += slot.map { Self.seconds($0.1) } ?? Self.seconds(clock.now - asked)
            outcome.queued = queued
            let result = slot?.0
            if result?.succeeded != true { work.cleanUp() }
            guard let result, !Task.isCancelled else {
                outcome.status = .cancelled
                outcome.duration = elapsed()
                outcome.reason = await cancelReason()
                if let result { outcome.exitCode = result.exitCode }
                return outcome
            }
            outcome.exitCode = result.exitCode
            outcome.stdout = runner.redactor.redact(result.stdout)
            outcome.stderr = runner.redactor.redact(result.stderr)

            var failure: FailureClassifier.Classification?
            if result.succeeded {
                switch work.finish(result) {
                case .success(let changed): outcome.changed = changed
                case .failure(let f): failure = .init(kind: f.kind, message: f.message, hint: f.hint)
                }
                if failure == nil, case .command = work {
                    switch CaptureExtractor.extract(step.captures, from: result.stdout) {
                    case .success(let captures):
                        outcome.captures = runner.redactor.redact(.object(captures)).objectValue ?? captures
                        if !captures.isEmpty, frame.itemIndex == nil { await state.setCaptures(outcome.captures, on: node.name) }
                    case .failure(let f):
                        failure = .init(kind: .command, message: f.message, hint: nil)
                    }
                }
            } else if let own = work.failed(result), step.errors.isEmpty {
                failure = .init(kind: own.kind, message: own.message, hint: own.hint)
            } else {
                failure = FailureClassifier.classify(result, rules: step.errors, timeout: budget)
            }

            if failure == nil, let until = step.until {
                var pollScope = await runner.scope(for: node, frame)
                if frame.itemIndex != nil, var current = pollScope["node"]?.objectValue {
                    for (key, value) in outcome.captures { current[key] = value }
                    pollScope["node"] = .object(current)
                }
                if !((try? until.evaluate(in: pollScope).isTruthy) ?? false) {
                    // A cancelled pause falls through to the next attempt, which sees the cancellation.
                    if sinceConnected() + step.delay < timeout {
                        _ = await pause(step.delay)
                        continue
                    }
                    failure = .init(
                        kind: .timeout,
                        message: "until: \(until.source) did not hold within \(DurationText.format(timeout))",
                        hint: "increase the step's timeout or check why the condition never holds")
                }
            }
            if failure == nil, let changedWhen = step.changedWhen {
                do { outcome.changed = try changedWhen.evaluate(in: await runner.scope(for: node)).isTruthy } catch {
                    failure = .init(kind: .validation, message: "changed_when: \(error.message)", hint: nil)
                }
            }
            guard let failure else {
                outcome.status = .succeeded
                outcome.duration = elapsed()
                if cacheable, let cache = runner.cache, outcome.stdout == result.stdout, outcome.stderr == result.stderr {
                    cache.store(node: cacheKey, command: display, CachedCommand(
                        exitCode: result.exitCode ?? 0, stdout: result.stdout, stderr: result.stderr))
                }
                return outcome
            }
            outcome.changed = false
            // Retries are for failed commands, and a timeout has spent the step's budget.
            let retryable = result.failure == nil || result.failure?.kind == .connection
            if outcome.attempts <= step.retries, retryable, failure.kind != .timeout || step.until == nil {
                if await pause(step.delay) { continue }
            }
            outcome.duration = elapsed()
            return await fail(kind: failure.kind, message: failure.message, outcome: outcome, hint: failure.hint)
        }
    }

    /// The node as the cache knows it: its name and where it is, so a node of the same name elsewhere (another
    /// inventory, another test bed) never answers for it.
    var cacheKey: String {
        switch node.transport {
        case .local: return node.name + " local"
        case .ssh(let ssh): return node.name + " ssh \(ssh.user ?? "")@\(ssh.host):\(ssh.port ?? 22)"
        }
    }

    /// A recorded result of `command` young enough for `cache:`, made into this attempt's outcome (captures
    /// included); nil when there is none, or when its captures can no longer be made.
    private func reuse(_ command: String, started: ContinuousClock.Instant) async -> Outcome? {
        guard let seconds = step.cache, let cache = runner.cache,
              let hit = cache.lookup(node: cacheKey, command: command, maxAge: seconds),
              case .success(let captures) = CaptureExtractor.extract(step.captures, from: hit.stdout)
        else { return nil }
        runner.progress?.started(step: step, node: node.name, attempt: 1, command: command)
        await runner.state.nodeContacted(node.name, online: true)
        if !captures.isEmpty { await runner.state.setCaptures(captures, on: node.name) }
        let d = ContinuousClock().now - started
        return Outcome(
            status: .succeeded, attempts: 1, exitCode: hit.exitCode,
            duration: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
            stdout: hit.stdout, stderr: hit.stderr, cacheAge: hit.age)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Sleeps between attempts; false when the run was cancelled meanwhile.
    private func pause(_ seconds: Double) async -> Bool {
        guard seconds > 0 else { return !Task.isCancelled }
        do { try await Task.sleep(for: .seconds(seconds)) } catch { return false }
        return true
    }

    private func cancelReason() async -> String {
        await runner.state.stop == .deadline ? "stopped: the run deadline was reached" : "stopped: interrupted"
    }

    private func fail(kind: ErrorKind, message: String, outcome: Outcome, hint: String? = nil) async -> Outcome {
        var outcome = outcome
        outcome.status = .failed
        outcome.reason = message
        let scope = await runner.state.scope()
        var text = message
        if let onBehalfOf { text = "as fallback for '\(onBehalfOf)': " + text }
        await runner.report(RunIssue(
            kind: kind, node: node.name, step: step.id, phase: step.phase, message: text,
            exitCode: outcome.exitCode, stderrTail: RunIssue.tail(of: outcome.stderr),
            stdoutTail: RunIssue.tail(of: outcome.stdout),
            hint: hint ?? (try? step.recommend?.evaluate(in: scope).interpolationText)))
        return outcome
    }

    private func stepTimeout(scope: Value.Object) throws(EvaluationError) -> Double {
        let seconds: Double
        if let setting = step.timeout {
            do { seconds = try RunSettings.seconds(setting, in: scope) } catch let e as EvaluationError { throw e } catch {
                throw EvaluationError("\(error)", at: setting.range)
            }
        } else {
            seconds = runner.settings.defaultTimeout
        }
        if let max = runner.settings.maxTimeout, seconds > max {
            throw EvaluationError(
                "timeout \(DurationText.format(seconds)) is above policy.max_timeout \(DurationText.format(max))",
                at: step.timeout?.range ?? step.range)
        }
        return seconds
    }

    /// The work, with secrets named by variables of `secrets.environment` rather than written out. An
    /// `argv` holding a secret fails: its words are the program's command line, where anyone can read them.
    private func render(scope: Value.Object, secrets: inout SecretWords) throws -> NodeWork {
        switch step.action {
        case .run(let template): return .command(.shell(try template.renderShell(in: scope, secrets: &secrets)))
        case .argv(let templates):
            var argv: [String] = []
            for t in templates { argv.append(try t.evaluate(in: scope).interpolationText) }
            if argv.contains(where: secrets.holdsSecret) {
                throw EvaluationError(
                    "argv would put a secret input on the program's command line, readable in ps; use run:, which passes it in the environment",
                    at: step.range)
            }
            return .command(.argv(argv))
        case .copy(let copy): return .copy(try CopyPlan.prepare(copy, scope: scope, time: runner.startTime))
        case .fetch(let fetch): return .fetch(try FetchPlan.prepare(fetch, scope: scope))
        case .set, .assert, .group: return .command(.argv([]))
        }
    }

    static func display(_ command: CommandRequest.Command) -> String {
        switch command {
        case .shell(let text): return text
        case .argv(let argv): return argv.map(ShellQuote.quote).joined(separator: " ")
        }
    }
}
