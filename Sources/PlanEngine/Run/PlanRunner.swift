import Synchronization

/// Runs one operation of a plan: phases in order, steps by their dependencies, node steps fanned out under
/// `max_parallel`, the run deadline and interrupts honoured, and always a result at the end.
public final class PlanRunner: Sendable {
    let request: RunRequest
    let progress: (any ProgressSink)?
    /// Where `cache:` steps look for and leave results; nil with `--no-cache` or without a run store.
    let cache: (any StepCache)?
    /// With `--rerun-failed`: the top-level steps that ended well in the earlier run (before its first failure).
    let doneBefore: Set<String>
    let redactor: Redactor
    let state: RunState
    let pool: TransportPool
    let limiter: ConcurrencyLimiter
    let settings: RunSettings
    /// What each step waits for: the file-order default or its `needs:`, within its phase.
    let graph: StepGraph
    private let interruption = InterruptFlag()
    /// When the run started, in UTC (`20261130T073500Z`): the suffix of `copy` backups.
    let startTime = LocalFiles.timestamp()
    /// Private directory of the run's SSH control sockets; created only when a node uses SSH.
    private let controlDirectory: SSHControlDirectory?
    /// In a sharded run, the names of the nodes this shard runs; nil runs every node.
    let shardNodes: Set<String>?
    /// The resolver of `target:` names, keeping to `--limit`: made once (it indexes the inventory's nodes by
    /// name), not for every step.
    let targets: TargetResolver

    public init(
        _ request: RunRequest, progress: (any ProgressSink)? = nil, cache: (any StepCache)? = nil,
        transports: (@Sendable (NodeDeclaration) -> any NodeTransport)? = nil
    ) {
        self.request = request
        self.progress = progress
        self.cache = cache
        if let rerun = request.rerun, let first = request.operation.steps.firstIndex(where: { $0.id == rerun.fromStep }) {
            doneBefore = Set(request.operation.steps[..<first].map(\.id))
        } else {
            doneBefore = []
        }
        self.redactor = Redactor(plan: request.plan, inputs: request.inputs)
        self.state = RunState(
            inputs: request.inputs, nodeOrder: request.plan.inventory.nodes.map(\.name),
            learned: request.rerun?.learned ?? Value.Object(), expectedRecords: request.operation.steps.count)
        let usesSSH = request.plan.inventory.nodes.contains { $0.transport.needsControlDirectory }
        // A dry-run contacts no node, unless `--diff` asks it to read what each copy would change.
        let contactsNodes = !request.dryRun || request.diff
        self.controlDirectory = contactsNodes && transports == nil && usesSSH ? try? SSHControlDirectory.create() : nil
        let factory: TransportPool.Factory =
            !contactsNodes
            ? { @Sendable _ in DryRunTransport() }
            : (transports ?? TransportFactory.standard(controlDirectory: controlDirectory?.path))
        self.settings = RunSettings(request: request, openFiles: OpenFileLimit.raise())
        self.pool = TransportPool(
            factory: factory, connectTimeout: request.connectTimeout, maxConnecting: settings.maxConnecting)
        self.graph = StepGraph(operation: request.operation)
        self.limiter = ConcurrencyLimiter(limit: settings.maxParallel)
        self.shardNodes = request.shard.map { Set($0.slice(request.plan.inventory.nodes).map(\.name)) }
        self.targets = TargetResolver(inventory: request.plan.inventory, limit: request.limit)
    }

    /// A note for the operator when the open-file limit holds the run below its policy's parallelism.
    public var openFileNote: String? {
        guard let bound = settings.openFileBound else { return nil }
        return "the open-file limit (\(bound.limit)) holds the run to max_parallel \(settings.maxParallel) and "
            + "max_connecting \(settings.maxConnecting) (the plan asks for \(bound.maxParallel) and \(bound.maxConnecting)); "
            + "raise the hard limit (ulimit -Hn) for more"
    }

    /// A note for the operator when a secret input is too short to be masked inside words (`Redactor.shortest`).
    public var shortSecretNote: String? {
        let names = Redactor.shortSecrets(plan: request.plan, inputs: request.inputs)
        guard !names.isEmpty else { return nil }
        return "secret input\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") shorter "
            + "than \(Redactor.shortest) characters: masked as *** only where \(names.count == 1 ? "it stands" : "they stand") alone, not inside words"
    }

    /// Call from a signal handler, then cancel the task running `run()`: the result says `interrupted`.
    public func interrupt() {
        interruption.set()
    }

    public func run() async -> RunResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = settings.deadline
        await withTaskGroup(of: Ended.self) { group in
            group.addTask {
                await self.runPhases()
                return .work
            }
            if let deadline, !self.request.dryRun {
                group.addTask {
                    do { try await Task.sleep(for: .seconds(deadline)) } catch { return .cancelled }
                    return .deadline
                }
            }
            // The first task to end decides: the work (all done) or the deadline (cut the work).
            if await group.next() == .deadline {
                await state.halt(.deadline)
                await reportDeadline(deadline ?? 0)
            }
            group.cancelAll()
        }
        if interruption.isSet || Task.isCancelled {
            await state.halt(.interrupted)
            await state.report(RunIssue(kind: .interrupted, message: "interrupted; running commands were stopped"))
        }
        // `finally:` runs whatever happened: in a task of its own, which an interrupt of the run does not cancel
        // (a second Ctrl-C ends the process) and the deadline does not bound (each step has its timeout).
        let finallySteps = graph.steps.indices.filter { graph.steps[$0].phase == .finally }
        if !finallySteps.isEmpty {
            await Task { await self.runPhase(finallySteps, StepFrame(tolerance: .everything)) }.value
        }
        await markUnreached()
        await pool.closeAll()
        controlDirectory?.remove()
        // Every group this run started is swept: the watcher has nothing to stop when planrun exits.
        OrphanReaper.shared.emptyIfNothingListed()
        let elapsed = clock.now - start
        return await ResultBuilder(runner: self).build(
            executionTime: elapsed.inSeconds)
    }

    private enum Ended { case work, deadline, cancelled }

    private func reportDeadline(_ seconds: Double) async {
        await state.report(RunIssue(
            kind: .timeout, message: "the run deadline of \(DurationText.format(seconds)) was reached; running commands were stopped",
            hint: "increase the timeout input (at most the plan's maximum) or target fewer nodes"))
        await state.recommend("Increase the timeout: the run deadline of \(DurationText.format(seconds)) was reached")
    }

    /// The phases before `finally`. The validate phase runs after a failed step too, so post-conditions are
    /// always reported; only the deadline and an interrupt skip it.
    private func runPhases() async {
        for phase in Phase.allCases where phase != .finally {
            let indices = graph.steps.indices.filter { graph.steps[$0].phase == phase }
            guard !indices.isEmpty else { continue }
            let frame = StepFrame(tolerance: phase == .validate ? .failure : .none)
            if await stopReason(frame) != nil { return }
            await runPhase(indices, frame)
        }
    }

    /// Starts each step (by its index in the graph) once the steps it depends on have ended; independent
    /// steps run together. Counting down dependencies keeps this linear in steps and edges.
    func runPhase(_ indices: [Int], _ frame: StepFrame = StepFrame()) async {
        var waiting: [Int: Int] = [:]
        var dependents: [Int: [Int]] = [:]
        let members = Set(indices)
        for i in indices {
            // Only steps taking part count (`planrun merge` evaluates some of a phase).
            let dependencies = graph.dependencyLists[i].filter { members.contains($0.index) }
            waiting[i] = dependencies.count
            for dependency in dependencies { dependents[dependency.index, default: []].append(i) }
        }
        var ready = indices.filter { waiting[$0] == 0 }
        await withTaskGroup(of: Int.self) { group in
            var stopping = false
            var running = 0
            /// Counts `done` off its dependents; notes whether the run is stopping.
            func markDone(_ done: Int) async {
                for next in dependents[done] ?? [] {
                    waiting[next]! -= 1
                    if waiting[next] == 0 { ready.append(next) }
                }
                ready.sort()  // file order among the steps that became ready together
                if await stopReason(frame) != nil { stopping = true }
            }
            while true {
                if !stopping, ready.count == 1, running == 0 {
                    // Alone (a chain of steps): run it in this task rather than hand it to another thread of
                    // the cooperative pool; nothing else can become ready before it ends.
                    let done = ready.removeFirst()
                    await runPhaseStep(graph.steps[done], frame)
                    await markDone(done)
                    continue
                }
                if !stopping {
                    running += ready.count
                    for i in ready {
                        let step = graph.steps[i]
                        group.addTask {
                            await self.runPhaseStep(step, frame)
                            return i
                        }
                    }
                    ready.removeAll()
                }
                guard let done = await group.next() else { break }
                running -= 1
                await markDone(done)
            }
        }
    }

    /// Records every step that never started as not run, with the reason the run stopped.
    func markUnreached() async {
        let recorded = Set(await state.records.map(\.step)).union(await state.handled)
        let stop = await state.stop
        let reason: String
        switch stop {
        case .failed(let step): reason = "not run: step '\(step)' failed"
        case .deadline: reason = "not run: the run deadline was reached"
        case .interrupted: reason = "not run: interrupted"
        case .finished, nil: reason = "not run"
        }
        // Fallbacks and `on_failure` steps that were never needed are not reported.
        for step in request.operation.reportedSteps where !recorded.contains(step.id) {
            await state.record(StepRecord(step: step.id, phase: step.phase, node: nil, status: .notRun, reason: reason))
        }
    }
}

/// A flag set from a signal handler and read by the run.
final class InterruptFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
