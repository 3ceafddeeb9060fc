/// `run:` and `argv:`: a command of the plan's on the node; its stdout feeds `capture:`.
struct CommandAction: StepAction {
    let command: CommandRequest.Command

    var shown: String {
        switch command {
        case .shell(let text): return text
        case .argv(let argv): return argv.map(ShellQuote.quote).joined(separator: " ")
        }
    }
    var capturesOutput: Bool { true }

    static func shell(_ template: Template, scope: Value.Object, secrets: inout SecretWords) throws(StepFailure) -> CommandAction {
        do { return CommandAction(command: .shell(try template.renderShell(in: scope, secrets: &secrets))) } catch {
            throw StepFailure(evaluating: error)
        }
    }

    /// An `argv` holding a secret fails: its words are the program's command line, where anyone can read them.
    static func argv(_ templates: [Template], scope: Value.Object, secrets: SecretWords, at range: SourceRange)
        throws(StepFailure) -> CommandAction
    {
        var argv: [String] = []
        do { for t in templates { argv.append(try t.evaluate(in: scope).interpolationText) } } catch {
            throw StepFailure(evaluating: error)
        }
        if argv.contains(where: secrets.holdsSecret) {
            throw StepFailure(evaluating: EvaluationError(
                "argv would put a secret input on the program's command line, readable in ps; use run:, which passes it in the environment",
                at: range))
        }
        return CommandAction(command: .argv(argv))
    }

    func request(
        timeout: Double, grace: Double, outputLimit: Int, onLine: (@Sendable (String) -> Void)?
    ) -> CommandRequest {
        CommandRequest(command: command, timeout: timeout, grace: grace, outputLimit: outputLimit, onLine: onLine)
    }

    /// Without `changed_when:`, a command that succeeded is taken to have changed something.
    func finish(_ outcome: CommandOutcome) -> Result<Bool, StepFailure> { .success(true) }
}
