/// Receives the run's progress as it happens; the CLI prints it on stderr.
public protocol ProgressSink: Sendable {
    func started(step: Step, node: String?, attempt: Int, command: String?)
    func finished(_ record: StepRecord)
    /// A command's output once it ended, for `--verbose`.
    func output(step: Step, node: String, stdout: String, stderr: String)
    func issue(_ issue: RunIssue)
}
