/// Receives the run's progress as it happens; the CLI prints it on stderr.
public protocol ProgressSink: Sendable {
    func started(step: Step, node: String?, attempt: Int, command: String?)
    func finished(_ record: StepRecord)
    /// Whether `outputLine` wants commands' output (`--verbose`); when false it is never read line by line.
    var wantsOutput: Bool { get }
    /// One line of a command's stdout or stderr as it arrives, without its line break; called from the
    /// command's own thread.
    func outputLine(step: Step, node: String, line: String)
    func issue(_ issue: RunIssue)
}
