import PlanEngine
import Synchronization

/// Sends MCP `notifications/progress` as the run's steps finish, with the caller's progress token: the
/// count of step-and-node records so far, and a line such as `succeeded execute/disk [local]` (with the
/// item of a loop's pass). A rollout's pause between batches is told too (`pause execute/restart 10s before
/// batch 2/3`), at the count plus a half: progress must rise with each notification, and a pause is not a
/// step. The total is not known in advance (a step fans out over the nodes it resolves at run time), so none is sent.
final class ProgressNotifier: ProgressSink, Sendable {
    private let token: Value
    private let writer: MessageWriter
    private let redactor: Redactor
    private let finishedCount = Mutex(0)

    init(token: Value, writer: MessageWriter, redactor: Redactor) {
        self.token = token
        self.writer = writer
        self.redactor = redactor
    }

    func started(step: Step, node: String?, attempt: Int, command: String?, item: LoopItem?) {}

    func finished(_ record: StepRecord) {
        var line = "\(record.status.rawValue) \(record.phase.rawValue)/\(record.step)"
        if let node = record.node { line += " [\(node)]" }
        if record.itemIndex != nil { line += " item " + (record.item ?? .null).jsonText() }
        if let reason = record.reason { line += " (\(reason))" }
        // Counted and sent under one lock, so the client sees the counts rise in order.
        finishedCount.withLock { count in
            count += 1
            send(progress: .int(count), line)
        }
    }

    func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double) {
        let line = "pause \(group.phase.rawValue)/\(group.id) \(DurationText.format(seconds)) before batch \(batch)/\(batches)"
        finishedCount.withLock { count in send(progress: .double(Double(count) + 0.5), line) }
    }

    private func send(progress: Value, _ line: String) {
        writer.notify("notifications/progress", Value.Object([
            ("progressToken", token), ("progress", progress), ("message", .string(redactor.redact(line))),
        ]))
    }

    var wantsOutput: Bool { false }

    func outputLine(step: Step, node: String, line: String) {}

    func issue(_ issue: RunIssue) {}
}
