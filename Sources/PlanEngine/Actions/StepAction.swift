/// What a node step does on one node, rendered for it. One conformer per action of the plan
/// (`CommandAction` for `run`/`argv`, `CopyPlan`, `FetchPlan`); `Step.Action.rendered` is the one place that
/// registers them. `NodeAttempt` talks to this protocol only, so a new action is one new file plus a case
/// there.
protocol StepAction: Sendable {
    /// What progress and dry-run show (secrets not yet masked).
    var shown: String { get }
    /// Whether the step's `capture:` reads its stdout (a command's; a copy's stdout is planrun's own script's).
    var capturesOutput: Bool { get }
    /// Whether `--diff` shows what the action would change (it reads the node, even in a dry-run).
    var showsDiff: Bool { get }

    /// `--diff`'s text for this node, read within the step's timeout.
    func diff(node: String, on transport: any NodeTransport, timeout: Double, grace: Double) async
        -> Result<String, StepFailure>
    /// Once connected, before the first attempt: what the action learns from the node (a large copy that is
    /// already in place is not sent again).
    mutating func prepare(on transport: any NodeTransport, timeout: Double, grace: Double) async
    /// The command one attempt runs.
    func request(
        timeout: Double, grace: Double, outputLimit: Int, onLine: (@Sendable (String) -> Void)?
    ) throws(StepFailure) -> CommandRequest
    /// After the command succeeded: whether it changed something, or the failure that finishing found.
    func finish(_ outcome: CommandOutcome) -> Result<Bool, StepFailure>
    /// After the command failed: the action's own reading of it (a copy's verify), or nil to classify it
    /// as any command's failure.
    func failed(_ outcome: CommandOutcome) -> StepFailure?
    /// After an attempt that did not succeed: removes what it left on this machine (a partial fetch).
    func cleanUp()
}

extension StepAction {
    var capturesOutput: Bool { false }
    var showsDiff: Bool { false }
    func diff(node: String, on transport: any NodeTransport, timeout: Double, grace: Double) async
        -> Result<String, StepFailure> { .success("") }
    mutating func prepare(on transport: any NodeTransport, timeout: Double, grace: Double) async {}
    func failed(_ outcome: CommandOutcome) -> StepFailure? { nil }
    func cleanUp() {}
}

extension Step.Action {
    /// The registration: this action rendered for one node (its scope has `node`), with secrets named by
    /// variables of `secrets.environment` rather than written out; nil for `set`, `assert` and groups, which
    /// run no command on nodes.
    func rendered(scope: Value.Object, secrets: inout SecretWords, startTime: String, at range: SourceRange)
        throws(StepFailure) -> (any StepAction)?
    {
        switch self {
        case .run(let template): return try CommandAction.shell(template, scope: scope, secrets: &secrets)
        case .argv(let templates): return try CommandAction.argv(templates, scope: scope, secrets: secrets, at: range)
        case .copy(let copy): return try CopyPlan.prepare(copy, scope: scope, time: startTime)
        case .fetch(let fetch): return try FetchPlan.prepare(fetch, scope: scope)
        case .set, .assert, .group: return nil
        }
    }
}
