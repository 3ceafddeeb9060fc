/// Receives the run's progress as it happens; the CLI prints it on stderr.
public protocol ProgressSink: Sendable {
    /// `item`: in a `for_each` loop, the item this start is for.
    func started(step: Step, node: String?, attempt: Int, command: String?, item: LoopItem?)
    func finished(_ record: StepRecord)
    /// Whether `outputLine` wants commands' output (`--verbose`); when false it is never read line by line.
    var wantsOutput: Bool { get }
    /// One line of a command's stdout or stderr as it arrives, without its line break; called from the
    /// command's own thread.
    func outputLine(step: Step, node: String, line: String)
    func issue(_ issue: RunIssue)
    /// A group's rollout waits `seconds` (its `pause:`) before batch `batch` (1-based) of `batches`: without
    /// a word, a long pause looks like a hung run.
    func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double)
}

extension ProgressSink {
    /// A start outside a loop.
    public func started(step: Step, node: String?, attempt: Int, command: String?) {
        started(step: step, node: node, attempt: attempt, command: command, item: nil)
    }

    /// By default a pause is not shown.
    public func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double) {}
}

/// A `for_each` item as progress reports it: the value (secrets masked) and its place in the loop, from 0.
public struct LoopItem: Sendable, Hashable {
    public var value: Value
    public var index: Int

    public init(value: Value, index: Int) {
        self.value = value
        self.index = index
    }
}
