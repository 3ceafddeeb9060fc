/// Assembles the result once the run has ended: records in plan order, status and confidence, the plan's
/// `output` rendered last so it can read everything the run learned.
struct ResultBuilder {
    let runner: PlanRunner

    func build(executionTime: Double) async -> RunResult {
        let request = runner.request
        let state = runner.state
        var stepOrder: [String: Int] = [:]
        request.operation.forEachStep { step in
            if stepOrder[step.id] == nil { stepOrder[step.id] = stepOrder.count }
        }
        let nodeOrder = Dictionary(
            request.plan.inventory.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Plan order, then inventory order, then the order things happened: the same every run. Each key is
        // made once per entry, not twice per comparison (two dictionary look-ups each, n log n times).
        func key(_ step: String?, _ node: String?, _ item: Int?, _ offset: Int) -> (Int, Int, Int, Int) {
            (step.flatMap { stepOrder[$0] } ?? -1, node.flatMap { nodeOrder[$0] } ?? -1, item ?? -1, offset)
        }
        let records = await state.records.enumerated()
            .map { (key: key($1.step, $1.node, $1.itemIndex, $0), record: $1) }
            .sorted { $0.key < $1.key }
            .map(\.record)
        let issues = await state.issues.enumerated()
            .map { (key: key($1.step, $1.node, nil, $0), issue: $1) }
            .sorted { $0.key < $1.key }
            .map(\.issue)

        let ending = await state.stop ?? .finished
        let held = await state.assertsHeld
        var counted = await state.assertsCounted
        // Asserts the run never reached count as not held: the run cannot vouch for them.
        let unreached = Set(records.filter { $0.status == .notRun }.map(\.step))
        counted += request.operation.steps.filter { isAssert($0) && unreached.contains($0.id) }.count
        let unrecovered = issues.contains { !$0.recovered && $0.kind != .validation }
        let status: RunResult.ValidationStatus
        let confidence: Double
        if request.dryRun {
            status = .success
            confidence = 1
        } else {
            if counted > 0 {
                confidence = Double(held) / Double(counted)
            } else {
                // No post-condition to check: the share of node-steps that ended well.
                let ran = records.filter { $0.status != .skipped && $0.status != .planned }
                let good = ran.filter { $0.status == .succeeded || $0.status == .recovered }
                confidence = ran.isEmpty ? 1 : Double(good.count) / Double(ran.count)
            }
            if ending != .finished {
                status = .failed
            } else if held == counted && !unrecovered {
                status = .success
            } else if held > 0 || (counted == 0 && confidence > 0) {
                status = .partial
            } else {
                status = .failed
            }
        }

        var result = RunResult(
            operation: request.operation.name, output: Value.Object(), issues: issues,
            recommendations: await state.recommendations, validationStatus: status, confidence: confidence,
            executionTime: executionTime, steps: records, ending: ending, dryRun: request.dryRun,
            waves: request.dryRun ? runner.graph.waves : [])
        if request.dryRun { result.batches = await state.batches }
        if !request.dryRun {
            result.output = await renderOutput(result)
            result.learned = await state.scope()
            result.learned["inputs"] = nil
        }
        result.shard = await runner.shardDocument(ending: ending)
        return result
    }

    private func isAssert(_ step: Step) -> Bool {
        if case .assert = step.action { return true }
        return false
    }

    /// Evaluates the plan's `output:`; the scope adds `run` (issues, validation_status, confidence, …).
    /// A field that cannot be evaluated becomes null and an issue, so the result is never lost.
    private func renderOutput(_ result: RunResult) async -> Value.Object {
        guard !runner.request.plan.output.isEmpty else { return Value.Object() }
        var scope = await runner.state.scope()
        // `run` leaves the step records out: their JSON was built per record only to be dropped.
        var summary = result
        summary.steps = []
        var run = summary.json(includeTimes: true).objectValue ?? Value.Object()
        run["steps"] = nil
        scope["run"] = .object(run)
        var out = Value.Object()
        for field in runner.request.plan.output {
            do {
                out[field.name] = runner.redactor.redact(try field.value.evaluate(in: scope))
            } catch {
                out[field.name] = .null
            }
        }
        return out
    }
}
