#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns the run's progress into events (run start, step start and finish per node, issue, run end) and
/// hands each to every sink. It stands beside the stderr progress (`ProgressSinks`), so the runner needs no
/// hook of its own; the CLI adds the start and end, which only it sees whole.
public final class RunEvents: ProgressSink {
    private let sinks: [any EventSink]

    /// Bytes kept of a step's stdout or stderr in an event: its last `RunIssue.tailLines` lines, then this.
    public static let tailBytes = 4096

    public init(_ sinks: [any EventSink]) {
        self.sinks = sinks
    }

    public var isEmpty: Bool { sinks.isEmpty }

    private func send(_ kind: StaticString, _ fields: Value.Object) {
        var event = EventWriter(kind)
        event.fields(fields)
        deliver(event.text())
    }

    private func deliver(_ event: EventText) {
        for sink in sinks { sink.receive(event) }
    }

    /// `inputs` are masked by the caller. No store id: the run store writes a run's row only at its first flush
    /// or its end (`RunRecorder`), after this event.
    public func runStarted(plan: Plan, path: String, operation: String, inputs: Value, rerunOf: Int?) {
        var o = Value.Object()
        o["plan"] = .string(plan.name)
        o["plan_path"] = .string(path)
        o["operation"] = .string(operation)
        o["inputs"] = inputs
        if let rerunOf { o["rerun_of"] = .int(rerunOf) }
        send("run_started", o)
    }

    public func runFinished(_ result: RunResult) {
        var o = Value.Object()
        o["exit_code"] = .int(Int(result.exitCode))
        o["validation_status"] = .string(result.validationStatus.rawValue)
        o["execution_time"] = .double((result.executionTime * 1000).rounded() / 1000)
        send("run_finished", o)
    }

    // The step events are written field by field rather than through `send`: there is one of each per step
    // and node.
    public func started(step: Step, node: String?, attempt: Int, command: String?, item: LoopItem?) {
        var event = EventWriter("step_started")
        event.field("step", step.id)
        event.field("phase", step.phase.rawValue)
        event.field("node", node.map(Value.string) ?? .null)
        event.field("attempt", attempt)
        if let command { event.field("command", command) }
        if let item {
            // As the step's record has it, and its place, so a tool can pair the start with its finish.
            event.field("item", item.value)
            event.field("item_index", item.index)
        }
        deliver(event.text())
    }

    /// `rollout_paused`: the group's rollout waits before its next batch.
    public func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double) {
        var o = Value.Object()
        o["step"] = .string(group.id)
        o["phase"] = .string(group.phase.rawValue)
        o["before_batch"] = .int(batch)
        o["batches"] = .int(batches)
        o["seconds"] = .double(seconds)
        send("rollout_paused", o)
    }

    public func finished(_ record: StepRecord) {
        var event = EventWriter("step_finished", room: 512)
        event.field("step", record.step)
        record.fields(includeTimes: true) { key, value in
            if key != "id" { event.field(named: key, value) }  // the record's `id` is the event's `step`
        }
        if let index = record.itemIndex { event.field("item_index", index) }
        if let tail = record.stdoutTail { event.field("stdout_tail", tail) }
        if let tail = record.stderrTail { event.field("stderr_tail", tail) }
        deliver(event.text())
    }

    public var wantsOutput: Bool { false }

    public func outputLine(step: Step, node: String, line: String) {}

    public func issue(_ issue: RunIssue) {
        guard case .object(let o) = issue.json else { return }
        send("issue", o)
    }

    /// The bounded tail of a step's output kept in events: the last lines, then the last `tailBytes`.
    public static func tail(of text: String) -> String? {
        guard let lines = RunIssue.tail(of: text) else { return nil }
        let bytes = lines.utf8
        guard bytes.count > tailBytes else { return lines }
        var start = bytes.index(bytes.endIndex, offsetBy: -tailBytes)
        while start < bytes.endIndex, UTF8.isContinuation(bytes[start]) { start = bytes.index(after: start) }
        return String(lines[start...])
    }

    /// Now in UTC, ISO 8601 with milliseconds: `2026-11-30T07:25:45.123Z`.
    public static func timestamp(_ seconds: Double = wallClock()) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        writeTimestamp(seconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Seconds since the epoch.
    public static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Several progress sinks as one: the stderr lines and the events.
public struct ProgressSinks: ProgressSink {
    private let sinks: [any ProgressSink]

    public init(_ sinks: [any ProgressSink]) { self.sinks = sinks }

    public func started(step: Step, node: String?, attempt: Int, command: String?, item: LoopItem?) {
        for sink in sinks { sink.started(step: step, node: node, attempt: attempt, command: command, item: item) }
    }

    public func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double) {
        for sink in sinks { sink.pausing(group: group, before: batch, of: batches, seconds: seconds) }
    }

    public func finished(_ record: StepRecord) {
        for sink in sinks { sink.finished(record) }
    }

    public var wantsOutput: Bool { sinks.contains(where: \.wantsOutput) }

    public func outputLine(step: Step, node: String, line: String) {
        for sink in sinks where sink.wantsOutput { sink.outputLine(step: step, node: node, line: line) }
    }

    public func issue(_ issue: RunIssue) {
        for sink in sinks { sink.issue(issue) }
    }
}
