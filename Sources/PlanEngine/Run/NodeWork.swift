/// What a node step sends to one node, rendered for it: a command (`run`/`argv`), a copy or a fetch.
enum NodeWork: Sendable {
    case command(CommandRequest.Command)
    case copy(CopyPlan)
    case fetch(FetchPlan)

    /// What progress and dry-run show (secrets not yet masked).
    var shown: String {
        switch self {
        case .command(let command): return NodeAttempt.display(command)
        case .copy(let plan): return plan.shown
        case .fetch(let plan): return plan.shown
        }
    }

    func request(
        timeout: Double, grace: Double, outputLimit: Int, onLine: (@Sendable (String) -> Void)?
    ) throws(FileStepFailure) -> CommandRequest {
        switch self {
        case .command(let command):
            return CommandRequest(command: command, timeout: timeout, grace: grace, outputLimit: outputLimit, onLine: onLine)
        case .copy(let plan): return plan.request(timeout: timeout, grace: grace, outputLimit: outputLimit)
        case .fetch(let plan): return try plan.request(timeout: timeout, grace: grace, outputLimit: outputLimit)
        }
    }

    /// After the command succeeded: whether it changed something (`copy` and `fetch` say; a command is
    /// assumed to), or the failure that finishing found.
    func finish(_ outcome: CommandOutcome) -> Result<Bool, FileStepFailure> {
        switch self {
        case .command: return .success(true)
        case .copy(let plan):
            guard let changed = CopyPlan.changed(outcome.stdout) else {
                return .failure(FileStepFailure(.command, "copy to \(plan.dest) ended without saying whether it changed the file"))
            }
            return .success(changed)
        case .fetch(let plan):
            do { return .success(try plan.complete()) } catch { return .failure(error) }
        }
    }

    /// After an attempt that did not succeed: removes what it left on this machine (a partial fetch).
    func cleanUp() {
        if case .fetch(let plan) = self { plan.discard() }
    }

    /// A copy's own failures (verify, permission, the upload), named for the operator.
    func failed(_ outcome: CommandOutcome) -> FileStepFailure? {
        switch self {
        case .command, .fetch: return nil
        case .copy(let plan):
            if outcome.failure != nil || outcome.timedOut { return nil }
            let lines = outcome.stderr.split(whereSeparator: \.isNewline)
            if let verify = lines.last(where: { $0.hasPrefix(CopyPlan.verifyMarker) }) {
                return FileStepFailure(.command, String(verify.dropFirst("planrun: ".count)))
            }
            if outcome.stderr.lowercased().contains("permission denied") || outcome.stderr.contains("Operation not permitted") {
                return FileStepFailure(
                    .permission, "cannot write \(plan.dest): permission denied",
                    hint: "the node's user cannot write \(plan.dest) or its directory: connect as a user who can (the node's user:), or choose another dest")
            }
            if outcome.exitCode == Upload.failedStatus {
                return FileStepFailure(.command, "the file could not be written beside \(plan.dest): "
                    + (lines.first.map(String.init) ?? "the upload did not arrive whole"))
            }
            return nil
        }
    }
}
