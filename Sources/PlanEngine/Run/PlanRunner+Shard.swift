/// Sharded runs (`--shard I/N`) and the evaluation `planrun merge` makes over the shards' united data.
extension PlanRunner {
    /// Runs one of the phase's own steps, or one of a group without a target (fallbacks go through `runStep`
    /// directly), unless the shard leaves it to another: node-less steps run in shard 0, and those of the
    /// validate phase in `planrun merge`. `planrun merge` runs only those, over the shards' data.
    @discardableResult
    func runPhaseStep(_ step: Step, _ frame: StepFrame = StepFrame()) async -> Bool {
        if let shard = request.shard, frame.node == nil, step.isNodeless, step.phase == .validate || shard.index != 0 {
            let reason =
                step.phase == .validate
                ? "left to planrun merge, which evaluates it over every shard's results"
                : "runs in shard 0 of \(shard.count) only"
            await record(StepRecord(step: step.id, phase: step.phase, node: nil, status: .skipped, reason: reason), frame)
            return true
        }
        // The shards ran it and recorded it.
        if request.merging, !step.isEvaluatedInMerge { return true }
        return await runStep(step, frame)
    }

    /// `nodes` without those of other shards. A step left with none here ran elsewhere: it leaves no record
    /// in this shard, and is not reported as not run.
    func inShard(_ nodes: [NodeDeclaration], step: Step) async -> [NodeDeclaration] {
        guard let shardNodes else { return nodes }
        let mine = nodes.filter { shardNodes.contains($0.name) }
        if mine.isEmpty { await state.markHandled(step.id) }
        return mine
    }

    /// What the result of a sharded run adds under `shard`: which shard it is, and what merge needs to
    /// evaluate the validate phase and `output:` again (the plan, the inputs, the data expressions read).
    func shardDocument(ending: RunResult.Ending) async -> Value.Object? {
        guard let shard = request.shard else { return nil }
        var o = Value.Object()
        o["index"] = .int(shard.index)
        o["count"] = .int(shard.count)
        o["plan"] = .string(request.plan.file)
        o["nodes"] = .array(shard.slice(request.plan.inventory.nodes).map { .string($0.name) })
        o["inputs"] = redactor.redact(.object(request.inputs))
        o["ending"] = ending.json
        o["data"] = redactor.redact(.object(await state.shardData()))
        return o
    }

    /// Evaluates the validate phase's node-less steps and `output:` over data united from every shard, for
    /// `planrun merge`. Nothing is contacted: node steps were run by the shards, and their records are kept.
    /// As in a run, a failed step before the validate phase does not skip it (the shards ran their node
    /// asserts too); the deadline and an interrupt do.
    public func evaluateMerged(_ seed: MergeSeed) async -> RunResult {
        await state.seed(seed)
        let indices = graph.steps.indices.filter { graph.steps[$0].phase == .validate && graph.steps[$0].isEvaluatedInMerge }
        let frame = StepFrame(tolerance: .failure)
        if await stopReason(frame) == nil, !indices.isEmpty { await runPhase(indices, frame) }
        await markUnreached()
        return await ResultBuilder(runner: self).build(executionTime: seed.executionTime)
    }
}

extension RunResult.Ending {
    /// How a shard's result says it ended: `finished`, `deadline`, `interrupted`, or `{failed: STEP}`.
    var json: Value {
        switch self {
        case .finished: return .string("finished")
        case .deadline: return .string("deadline")
        case .interrupted: return .string("interrupted")
        case .failed(let step): return .object(Value.Object([("failed", .string(step))]))
        }
    }

    init?(json: Value) {
        switch json {
        case .string("finished"): self = .finished
        case .string("deadline"): self = .deadline
        case .string("interrupted"): self = .interrupted
        case .object(let o):
            guard case .string(let step)? = o["failed"] else { return nil }
            self = .failed(step: step)
        default: return nil
        }
    }

    /// Which of two endings a merged run reports: an interrupt over the deadline over a failed step.
    func worse(_ other: RunResult.Ending) -> RunResult.Ending {
        func rank(_ e: RunResult.Ending) -> Int {
            switch e {
            case .finished: 0
            case .failed: 1
            case .deadline: 2
            case .interrupted: 3
            }
        }
        return rank(other) > rank(self) ? other : self
    }
}
