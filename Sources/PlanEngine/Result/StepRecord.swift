/// What became of one step on one node (or of a node-less `set:`/`assert:` step), for the result's `steps`.
public struct StepRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Ran and succeeded (for asserts: held).
        case succeeded
        /// Ran and failed (for asserts: did not hold).
        case failed
        /// Failed, then a fallback step or fallback node succeeded.
        case recovered
        /// Not run on purpose: `when:` false, destructive guard, node offline.
        case skipped
        /// Not reached: an earlier failure, the deadline or an interrupt stopped the run first.
        case notRun = "not_run"
        /// Started, then stopped by the run deadline or an interrupt.
        case cancelled
        /// Dry-run only: would be started.
        case planned
    }

    public var step: String
    public var phase: Phase
    /// nil for node-less steps.
    public var node: String?
    public var status: Status
    public var attempts: Int
    public var exitCode: Int32?
    /// Seconds at work on the node, without time spent waiting for a `max_parallel` slot.
    public var duration: Double
    /// Seconds the step's commands waited for a `max_parallel` slot; written when at least a millisecond.
    public var queued: Double = 0
    /// Why the step was skipped, not run, failed or recovered.
    public var reason: String?
    /// For `recovered` by `fallback_node:`: the node that answered instead.
    public var answeredBy: String?
    /// Dry-run only: the command as it would be started (secrets masked).
    public var command: String?
    /// Dry-run only: the step's timeout in seconds.
    public var timeout: Double?
    /// Dry-run only: how a failure would be handled — retries, fallback step ids, fallback node.
    public var retries: Int?
    public var fallbacks: [String]?
    public var fallbackNode: String?
    /// Dry-run only: the step's `cache:` window in seconds.
    public var cache: Double?
    /// The step's result was reused from the run store (`cache:`) instead of running the command; `cacheAge`
    /// is how old it was, in seconds.
    public var cached = false
    public var cacheAge: Double?
    /// The last lines of the command's output (masked), for the event log; not part of the result's steps.
    public var stdoutTail: String?
    public var stderrTail: String?
    /// The step changed something: a command that succeeded (unless `changed_when:` says otherwise), a
    /// `copy` that wrote or adjusted its file, a `fetch` that brought new bytes. False otherwise.
    public var changed: Bool
    /// `--diff`: what a `copy` changes, or would change, on this node (unified diff, secrets masked).
    public var diff: String?
    /// Keys of a shard's record this version does not model, passed through by `planrun merge` unchanged.
    public var carried = Value.Object()
    /// Dry-run only: the `on_failure` step ids.
    public var onFailure: [String]?
    /// In a loop: the item (`"item": …` in the result) and its place, which orders records of one step and node.
    public var item: Value?
    public var itemIndex: Int?
    /// In a group's rollout of several batches: the batch (1-based) the node is in.
    public var batch: Int?

    public init(
        step: String, phase: Phase, node: String?, status: Status, attempts: Int = 0, exitCode: Int32? = nil,
        duration: Double = 0, reason: String? = nil, answeredBy: String? = nil, command: String? = nil,
        timeout: Double? = nil, changed: Bool = false, diff: String? = nil
    ) {
        self.changed = changed
        self.diff = diff
        self.step = step
        self.phase = phase
        self.node = node
        self.status = status
        self.attempts = attempts
        self.exitCode = exitCode
        self.duration = duration
        self.reason = reason
        self.answeredBy = answeredBy
        self.command = command
        self.timeout = timeout
    }

    func json(includeTimes: Bool) -> Value {
        var o = Value.Object(minimumCapacity: 16)
        fields(includeTimes: includeTimes) { o[$0] = $1 }
        return .object(o)
    }

    /// Hands each field of the record to `field`, in the result's order. The result's JSON object and the
    /// `step_finished` event are both written from here, the event straight into its bytes: building the
    /// object first (a dozen keys, so hashed) was most of an event's cost, once per step.
    func fields(includeTimes: Bool, _ field: (String, Value) -> Void) {
        // Carried keys (from a shard's result) never replace a field written here.
        var written: [String]? = carried.isEmpty ? nil : []
        func put(_ key: String, _ value: Value) {
            written?.append(key)
            field(key, value)
        }
        put("id", .string(step))
        put("phase", .string(phase.rawValue))
        put("node", node.map(Value.string) ?? .null)
        put("status", .string(status.rawValue))
        put("attempts", .int(attempts))
        put("exit_code", exitCode.map { .int(Int($0)) } ?? .null)
        put("duration", .double(includeTimes ? (duration * 1000).rounded() / 1000 : 0))
        put("changed", .bool(changed))
        if includeTimes, queued >= 0.0005 { put("queued", .double((queued * 1000).rounded() / 1000)) }
        if let reason { put("reason", .string(reason)) }
        if itemIndex != nil { put("item", item ?? .null) }
        if let batch { put("batch", .int(batch)) }
        if let answeredBy { put("answered_by", .string(answeredBy)) }
        if let command { put("command", .string(command)) }
        if let timeout { put("timeout", .double(timeout)) }
        if let retries { put("retries", .int(retries)) }
        if let fallbacks { put("fallbacks", .array(fallbacks.map(Value.string))) }
        if let fallbackNode { put("fallback_node", .string(fallbackNode)) }
        if let cache { put("cache", .double(cache)) }
        if cached {
            put("cached", .bool(true))
            put("cache_age", .double(((cacheAge ?? 0) * 1000).rounded() / 1000))
        }
        if let diff { put("diff", .string(diff)) }
        if let done = written {
            for (key, value) in carried where !done.contains(key) { field(key, value) }
        }
        if let onFailure { put("on_failure", .array(onFailure.map(Value.string))) }
    }
}
