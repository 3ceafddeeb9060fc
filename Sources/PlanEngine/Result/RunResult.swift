/// Everything a run produced; `json` is the document `planrun run` prints on stdout.
public struct RunResult: Sendable {
    public enum ValidationStatus: String, Sendable {
        case success, partial, failed
    }

    /// How the run ended, which decides the exit code together with `validationStatus`.
    public enum Ending: Sendable, Hashable {
        /// Every phase ran to its end (steps may have failed with `on_error: continue`).
        case finished
        /// A step with `on_error: fail` failed; later steps were not run.
        case failed(step: String)
        /// `policy.deadline` ran out.
        case deadline
        /// SIGINT or SIGTERM.
        case interrupted
    }

    public var operation: String
    public var output: Value.Object
    public var issues: [RunIssue]
    public var recommendations: [String]
    public var validationStatus: ValidationStatus
    public var confidence: Double
    /// Seconds.
    public var executionTime: Double
    public var steps: [StepRecord]
    public var ending: Ending
    public var dryRun: Bool
    /// Dry-run only: step ids grouped into the waves of work that may run together, per phase.
    public var waves: [[String]]
    /// What expressions could read at the end (`nodes`, `vars`, `steps`; secrets masked): the run store keeps
    /// it so `--rerun-failed` starts where this run left off. Not part of the result document.
    public var learned = Value.Object()
    /// A sharded run only: which shard, and the data `planrun merge` evaluates (`PlanRunner+Shard`).
    public var shard: Value.Object?
    /// Dry-run only: each group's rollout batches, node names in inventory order.
    public var batches: [(step: String, batches: [[String]])] = []

    /// 0 success, 1 partial, 2 failed, 130 interrupted — the exit codes of DESIGN.md.
    /// A dry-run exits 65 when it found an error the run would hit (any issue), else 0.
    public var exitCode: Int32 {
        if ending == .interrupted { return 130 }
        if dryRun { return issues.isEmpty ? 0 : 65 }
        switch validationStatus {
        case .success: return 0
        case .partial: return 1
        case .failed: return 2
        }
    }

    /// The engine's keys that follow the plan's own `output` fields (`validate` rejects an `output:` field that
    /// uses one, `plan.output-key`).
    public static let engineKeys = OutputField.reservedNames

    /// The result document. With `includeTimes: false`, times are zeroed so equal runs print equal bytes.
    public func json(includeTimes: Bool = true) -> Value {
        var o = Value.Object()
        for (key, value) in output where !Self.engineKeys.contains(key) { o[key] = value }
        o["operation"] = .string(operation)
        o["issues"] = .array(issues.map(\.json))
        o["recommendations"] = .array(recommendations.map(Value.string))
        o["validation_status"] = .string(validationStatus.rawValue)
        o["confidence"] = .double((confidence * 1000).rounded() / 1000)
        o["execution_time"] = .double(includeTimes ? (executionTime * 1000).rounded() / 1000 : 0)
        if dryRun {
            o["dry_run"] = .bool(true)
            o["waves"] = .array(waves.map { .array($0.map(Value.string)) })
            if !batches.isEmpty {
                var rollouts = Value.Object()
                for (step, list) in batches { rollouts[step] = .array(list.map { .array($0.map(Value.string)) }) }
                o["batches"] = .object(rollouts)
            }
        }
        o["steps"] = .array(steps.map { $0.json(includeTimes: includeTimes) })
        if let shard { o["shard"] = .object(shard) }
        return .object(o)
    }
}
