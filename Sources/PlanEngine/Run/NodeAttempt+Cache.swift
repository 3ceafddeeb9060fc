/// `cache:`: a recorded result of the same command on the same node answers instead of running it again.
extension NodeAttempt {
    /// The node as the cache knows it: its name and where it is, so a node of the same name elsewhere (another
    /// inventory, another test bed) never answers for it.
    var cacheKey: String { node.name + " " + node.transport.description }

    /// A recorded result of `command` young enough for `cache:`, made into this attempt's outcome (captures
    /// included); nil when there is none, or when its captures can no longer be made.
    func reuse(_ command: String, started: ContinuousClock.Instant) async -> Outcome? {
        guard let seconds = step.cache, let cache = runner.cache,
              let hit = cache.lookup(node: cacheKey, command: command, maxAge: seconds),
              case .success(let captures) = CaptureExtractor.extract(step.captures, from: hit.stdout)
        else { return nil }
        runner.announce(step, node: node.name, attempt: 1, command: command, frame)
        await runner.state.nodeContacted(node.name, online: true)
        if !captures.isEmpty { await runner.state.setCaptures(captures, on: node.name) }
        return Outcome(
            status: .succeeded, attempts: 1, exitCode: hit.exitCode, duration: (ContinuousClock().now - started).inSeconds,
            stdout: hit.stdout, stderr: hit.stderr, cacheAge: hit.age)
    }

    /// Keeps a success for later runs, unless masking changed its output (the cache must give the real captures back).
    func keep(_ result: CommandOutcome, as command: String, _ outcome: Outcome) {
        guard let cache = runner.cache, outcome.stdout == result.stdout, outcome.stderr == result.stderr else { return }
        cache.store(node: cacheKey, command: command, CachedCommand(
            exitCode: result.exitCode ?? 0, stdout: result.stdout, stderr: result.stderr))
    }
}
