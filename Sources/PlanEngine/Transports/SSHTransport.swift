import Glibc

/// Runs commands on a remote node with the system OpenSSH client over one multiplexed master connection.
///
/// `connect` opens the node's session (`SSHSession`): one ssh process that is the master of the connection
/// (its socket in a private directory) and runs a shell on the node that takes the node's commands one at a
/// time on its stdin. A command that finds the session busy (steps side by side on one node), or that
/// streams a download, runs as a command of its own through the master (ControlMaster=auto: a master that
/// went away is reopened, with ControlPersist). Each command is wrapped on the remote side in
/// coreutils `timeout` (SIGTERM, SIGKILL after the grace) and watched for the local client going away, so
/// the remote process tree ends on timeout and on Ctrl-C too. Failures of ssh itself (exit 255 with one
/// of ssh's messages) come back as `failure` with kind `connection`, `authentication`, `unreachable` or
/// `timeout`; anything else is the remote command's exit status and stderr.
///
/// The node needs a POSIX `sh` and `timeout` (coreutils or BusyBox); each command's wrapper checks for the latter.
public struct SSHTransport: NodeTransport {
    public let node: String
    public let settings: SSHSettings
    /// Seconds ssh may spend on a TCP connect when a command must reopen the master.
    public var connectTimeout: Double
    private let commandLine: SSHCommandLine
    private let session = SSHSessionSlot()

    /// Extra seconds the local client gets beyond the remote timeout and grace, for the round trip.
    static let localSlack = 5.0

    /// - Parameters:
    ///   - controlDirectory: a private directory for control sockets (`SSHControlDirectory`), one per run;
    ///     several nodes may share it.
    ///   - controlName: the node's socket name in it, unique among the run's nodes (`%C`, ssh's hash of
    ///     host, port and user, when there is one node per host).
    public init(
        node: String, settings: SSHSettings, controlDirectory: String, controlName: String = "%C",
        connectTimeout: Double = 10
    ) {
        self.node = node
        self.settings = settings
        self.connectTimeout = connectTimeout
        self.commandLine = SSHCommandLine(settings: settings, controlDirectory: controlDirectory, controlName: controlName)
    }

    /// Opens the node's session, which is also its master connection, and waits until its shell on the node
    /// is ready. A node costs sshd one connection and one session, whatever the number of its commands.
    /// - Parameter timeout: seconds for the TCP connect and ssh's banner exchange (`ConnectTimeout`). Key
    ///   exchange and authentication, which ssh does not bound, get as long again (they are CPU-bound, and
    ///   slow on a busy controller or sshd), and a few seconds more.
    public func connect(timeout: Double) async -> TransportFailure? {
        guard SSHSession.reserve() else { return await connectMaster(timeout: timeout) }
        let opened = await SSHSession.open(
            Self.ssh,
            arguments: commandLine.arguments(connectTimeout: timeout, persists: false) + [SSHSessionProtocol.remoteCommand],
            timeout: 2 * timeout + Self.localSlack)
        switch opened {
        case .success(let opened):
            if !session.keep(opened) { await opened.end() }
            return nil
        case .failure(let why):
            return connectionFailure(stoppedBy: why.stoppedBy, exitCode: why.exitCode, stderr: why.stderr, timeout: timeout)
        }
    }

    /// What a failed connection set-up (a session or a master) was, from how its ssh ended.
    private func connectionFailure(stoppedBy: StopReason?, exitCode: Int32?, stderr: String, timeout: Double) -> TransportFailure {
        switch (stoppedBy, exitCode) {
        case (.timeout, _):
            // Setting up the connection is not a command: a node that never answers is a connection failure.
            return TransportFailure(
                .connection, "ssh to \(settings.host) did not connect within \(Int(2 * timeout + Self.localSlack)) s")
        case (.cancellation, _):
            return TransportFailure(.interrupted, "connecting to \(settings.host) was interrupted")
        case (nil, 255):
            return SSHFailureClassifier.classify(stderr: stderr)
                ?? TransportFailure(.connection, Self.lastLine(of: stderr) ?? "ssh to \(settings.host) failed")
        default:
            let status = exitCode.map { "exit status \($0)" } ?? "a signal"
            return TransportFailure(
                .connection, Self.lastLine(of: stderr) ?? "setting up the connection to \(settings.host) ended with \(status)")
        }
    }

    /// Opens the master connection alone (`-f -N`: ssh returns once authenticated, the master stays in the
    /// background with no session opened), for a node that gets no session: its commands each run as a
    /// command of their own through it.
    private func connectMaster(timeout: Double) async -> TransportFailure? {
        let run: GroupRunResult
        do {
            run = try await ProcessGroupRunner.run(
                Self.ssh, arguments: commandLine.arguments(connectTimeout: timeout, control: ["-f", "-N"]),
                timeout: 2 * timeout + Self.localSlack, grace: 1, outputLimit: 64 * 1024, daemonizes: true)
        } catch where error.isCancellation {
            return TransportFailure(.interrupted, "connecting to \(settings.host) was interrupted")
        } catch {
            return TransportFailure(.connection, "cannot start ssh: \(error)")
        }
        if run.stoppedBy == nil, run.exitCode == 0 { return nil }
        return connectionFailure(stoppedBy: run.stoppedBy, exitCode: run.exitCode, stderr: run.stderr, timeout: timeout)
    }

    public func execute(_ request: CommandRequest) async -> CommandOutcome {
        let (feed, download): (UploadFeed?, DownloadFile)
        do { (feed, download) = try request.openTransfer() } catch { return error.outcome }
        defer { download.close() }
        let mode = SSHCommandLine.WrapperMode(request)
        let arguments = SSHCommandLine.wrapperArguments(
            for: request.command, timeout: request.timeout, grace: request.grace, upload: request.upload,
            uploadSize: feed?.size ?? 0, mode: mode)
        // No remote `timeout` bounds a transfer or an inline script: this side's timeout is the step's.
        let boundHere = feed != nil || mode == .inline
        // The node's shell starts the command as one argument of `sh -c`, which Linux bounds (128 KiB): a longer
        // one goes the other way, where its own spawn reports it as too long.
        if request.download == nil, arguments.utf8.count < Self.longestSessionCommand, let lent = session.borrow() {
            let outcome = await execute(request, arguments: arguments, feed: feed, boundHere: boundHere, in: lent)
            if let ended = session.giveBack(lent) { await ended.end() }
            if let outcome { return outcome }
        }
        // Secrets travel on ssh's stdin, read by the remote wrapper: no command line shows them, locally or remotely.
        let remote = SSHCommandLine.remoteCommand(arguments: arguments)
        let run: GroupRunResult
        do {
            // stdin stays an open pipe: its end-of-file tells the remote watcher the client is gone.
            // The remote `timeout` bounds the command; this local bound is only a safety net for a connection
            // that stalls (or a master that went away and must be reopened, within ConnectTimeout). With an
            // upload the remote `timeout` starts only once the bytes are in (and an inline script has none), so
            // the local timeout is the one that bounds the whole step: stopping ssh stops the transfer or,
            // through the watcher, the command.
            run = try await ProcessGroupRunner.run(
                Self.ssh, arguments: commandLine.arguments(connectTimeout: connectTimeout) + [remote],
                timeout: request.timeout + (boundHere ? 0 : request.grace + Self.localSlack + connectTimeout),
                grace: request.grace, outputLimit: request.outputLimit, holdStandardInput: true, onLine: request.onLine,
                upload: feed, stdoutFile: download.descriptor,
                firstInput: request.environment.isEmpty ? [] : SSHCommandLine.environmentInput(request.environment))
        } catch where error.isCancellation {
            return CommandOutcome(exitCode: nil, failure: TransportFailure(.interrupted, "not started: the run was interrupted"))
        } catch where error.isArgumentListTooLong {
            return error.tooLongOutcome
        } catch {
            return CommandOutcome(
                exitCode: nil, stderr: "planrun: cannot start ssh: \(error)\n",
                failure: TransportFailure(.connection, "cannot start ssh: \(error)"))
        }
        var outcome = CommandOutcome(run)
        if run.exitCode == SSHCommandLine.noTimeoutStatus, run.stderr.contains(SSHCommandLine.noTimeoutMessage) {
            outcome.failure = TransportFailure(
                .command, "node \(node) has no 'timeout' command, which planrun needs to stop remote commands")
        } else if run.exitCode == 255, let failure = SSHFailureClassifier.classify(stderr: run.stderr) {
            outcome.failure = failure
        } else if run.exitCode == 255, run.stoppedBy == nil, let feed, !feed.sentWhole {
            // The remote wrapper never exits 255 while it receives (a short upload is 125): ssh itself gave up
            // mid-transfer, as a mux client does, silently, when its master dies.
            outcome.failure = TransportFailure(
                .connection, "the connection to \(settings.host) was lost while the file was sent (ssh exited 255)")
        } else if run.exitCode == 255, run.stoppedBy == nil, run.stderr.allSatisfy(\.isWhitespace), await !masterIsAlive() {
            // ssh said nothing, and its master is gone: the node went away mid-command (sshd stopped, the
            // machine halted). A command that exits 255 itself leaves the master running.
            outcome.failure = TransportFailure(
                .connection, "the connection to \(settings.host) was lost while the command ran (ssh exited 255 with no message)")
        }
        if run.stoppedBy == .timeout, !boundHere {
            // The remote side ends the command at its timeout; ssh still running well past it means the
            // connection stalled, which is not the command's timeout. (With an upload or an inline script the
            // local timeout is the step's own, so it stays a timeout.)
            outcome.timedOut = false
            outcome.failure = TransportFailure(
                .connection, "ssh to \(settings.host) did not return within \(Int(run.duration)) s: the connection stalled")
        }
        // `timeout` exits 124 after SIGTERM worked and 137 when SIGKILL was needed.
        if let code = run.exitCode, code == 124 || code == 137, run.duration >= request.timeout {
            outcome.timedOut = true
        }
        return outcome
    }

    /// Runs `request` through the node's session; nil when the session had ended before the request
    /// reached it (nothing ran: the caller runs the command on its own).
    private func execute(
        _ request: CommandRequest, arguments: String, feed: UploadFeed?, boundHere: Bool, in session: SSHSession
    ) async -> CommandOutcome? {
        // As for a command of its own: the remote `timeout` bounds the command, this bound only a stalled
        // connection; with an upload or an inline script it is the step's own timeout.
        let run = await session.run(
            arguments: arguments,
            input: request.environment.isEmpty ? [] : SSHCommandLine.environmentInput(request.environment), feed: feed,
            outputLimit: request.outputLimit, onLine: request.onLine,
            limit: request.timeout + (boundHere ? 0 : request.grace + Self.localSlack), grace: request.grace)
        if run.notStarted { return nil }
        var outcome = CommandOutcome(
            exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, duration: run.duration)
        switch run.stoppedBy {
        case .cancellation:
            outcome.failure = TransportFailure(.interrupted, "command stopped: the run was interrupted")
        case .timeout where boundHere:
            outcome.timedOut = true
        case .timeout:
            outcome.failure = TransportFailure(
                .connection, "ssh to \(settings.host) did not return within \(Int(run.duration)) s: the connection stalled")
        case nil where run.exitCode == nil:
            let what = run.uploadUnsent ? "the file was sent" : "the command ran"
            outcome.failure = SSHFailureClassifier.classify(stderr: run.stderr)
                ?? TransportFailure(.connection, "the connection to \(settings.host) was lost while \(what)")
        case nil:
            break
        }
        if outcome.exitCode == SSHCommandLine.noTimeoutStatus, outcome.stderr.contains(SSHCommandLine.noTimeoutMessage) {
            outcome.failure = TransportFailure(
                .command, "node \(node) has no 'timeout' command, which planrun needs to stop remote commands")
        }
        // `timeout` exits 124 after SIGTERM worked and 137 when SIGKILL was needed.
        if let code = outcome.exitCode, code == 124 || code == 137, run.duration >= request.timeout {
            outcome.timedOut = true
        }
        return outcome
    }

    /// Whether the master connection still answers (`ssh -O check`).
    private func masterIsAlive() async -> Bool {
        let run = try? await ProcessGroupRunner.run(
            Self.ssh, arguments: commandLine.arguments(connectTimeout: connectTimeout, control: ["-O", "check"]),
            timeout: 10, grace: 1, outputLimit: 4096)
        return run?.exitCode == 0
    }

    /// Asks the master to exit; its socket is removed. Safe when no master runs.
    public func close() async {
        if let open = session.takeForClosing() { await open.end() }
        // The session was the master; one reopened by a command of its own since persists, and is asked to exit.
        let socket = "\(commandLine.controlDirectory)/\(commandLine.controlName)"
        if !commandLine.controlName.contains("%"), access(socket, F_OK) != 0 { return }
        _ = try? await ProcessGroupRunner.run(
            Self.ssh, arguments: commandLine.arguments(connectTimeout: connectTimeout, control: ["-O", "exit"]),
            timeout: 10, grace: 1, outputLimit: 4096)
        // The master answers `-O exit` before it leaves and removes its socket; wait (up to 5 s) until it has,
        // so a run that ends leaves no master behind. A `%C` name is ssh's to expand: not waited for.
        guard !commandLine.controlName.contains("%") else { return }
        for _ in 0..<500 where access(socket, F_OK) == 0 {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    static let ssh = Program.path("/usr/bin/ssh")

    /// Bytes of a command's wrapper arguments above which it is not sent through the session (see `execute`).
    static let longestSessionCommand = 128 * 1024 - 4096

    private static func lastLine(of text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map(String.init)
    }
}
