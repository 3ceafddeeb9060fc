/// `copy` as a step action: the upload and its script, the script's own verdicts, and `--diff`.
extension CopyPlan: StepAction {
    var showsDiff: Bool { true }

    func diff(node: String, on transport: any NodeTransport, timeout: Double, grace: Double) async
        -> Result<String, StepFailure>
    {
        await CopyDiff.diff(self, node: node, transport: transport, timeout: timeout, grace: grace)
    }

    mutating func prepare(on transport: any NodeTransport, timeout: Double, grace: Double) async {
        if await contentIsInPlace(on: transport, timeout: timeout, grace: grace) { contentInPlace = true }
    }

    /// The command request that sends the bytes and runs the script.
    func request(
        timeout: Double, grace: Double, outputLimit: Int, onLine: (@Sendable (String) -> Void)? = nil
    ) -> CommandRequest {
        var request = CommandRequest(
            command: .shell(script), timeout: timeout, grace: grace, outputLimit: outputLimit, upload: upload)
        // Without `verify` the script is planrun's own file operations alone.
        request.runsInWrapper = verify == nil
        return request
    }

    /// The script's last line says whether it changed the file.
    func finish(_ outcome: CommandOutcome) -> Result<Bool, StepFailure> {
        guard let changed = Self.changed(outcome.stdout) else {
            return .failure(StepFailure(.command, "copy to \(dest) ended without saying whether it changed the file"))
        }
        return .success(changed)
    }

    /// The copy's own failures (verify, permission, the upload), named for the operator.
    func failed(_ outcome: CommandOutcome) -> StepFailure? {
        if outcome.failure != nil || outcome.timedOut { return nil }
        let lines = outcome.stderr.split(whereSeparator: \.isNewline)
        if let verify = lines.last(where: { $0.hasPrefix(Self.verifyMarker) }) {
            return StepFailure(.command, String(verify.dropFirst("planrun: ".count)))
        }
        if outcome.stderr.lowercased().contains("permission denied") || outcome.stderr.contains("Operation not permitted") {
            return StepFailure(
                .permission, "cannot write \(dest): permission denied",
                hint: "the node's user cannot write \(dest) or its directory: connect as a user who can (the node's user:), or choose another dest")
        }
        if outcome.exitCode == Upload.failedStatus {
            return StepFailure(.command, "the file could not be written beside \(dest): "
                + (lines.first.map(String.init) ?? "the upload did not arrive whole"))
        }
        return nil
    }
}
