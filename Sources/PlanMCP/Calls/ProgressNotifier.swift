import PlanEngine
import Synchronization

/// Sends MCP `notifications/progress` as the run's steps finish, with the caller's progress token: the
/// count of step-and-node records so far, and a line such as `succeeded execute/disk [local] 0.012s`.
/// The total is not known in advance (a step fans out over the nodes it resolves at run time), so none is sent.
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
        if let reason = record.reason { line += " (\(reason))" }
        // Counted and sent under one lock, so the client sees the counts rise in order.
        finishedCount.withLock { count in
            count += 1
            writer.notify("notifications/progress", Value.Object([
                ("progressToken", token), ("progress", .int(count)), ("message", .string(redactor.redact(line))),
            ]))
        }
    }

    var wantsOutput: Bool { false }

    func outputLine(step: Step, node: String, line: String) {}

    func issue(_ issue: RunIssue) {}
}
