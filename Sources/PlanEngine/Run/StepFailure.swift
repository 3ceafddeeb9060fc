/// Why a step failed on a node, as the issue reports it: the kind, the message and a hint. Everything that
/// judges a step (rendering its action, the transfer of a `copy`/`fetch`, the command's outcome) throws or
/// returns this one type, so the attempt loop branches on values, never on error types or strings.
struct StepFailure: Error, Sendable {
    var kind: ErrorKind
    var message: String
    var hint: String?
    /// An expression could not be evaluated: in a dry-run, one that reads captures or step results is
    /// decided at run time rather than a failure.
    var isEvaluation = false

    init(_ kind: ErrorKind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// A failed expression of the step's own (its command, its timeout).
    init(evaluating error: EvaluationError) {
        self.init(.command, error.message)
        isEvaluation = true
    }
}
