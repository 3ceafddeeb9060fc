#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs commands on this machine, each the leader of its own process group with stdin `/dev/null`.
///
/// A command that cannot be started is a command failure, as in a shell: exit 127 when the program is not
/// found, 126 when it is found but cannot be executed, with the reason on stderr and `failure` nil.
/// A command stopped because its task was cancelled carries `failure` of kind `interrupted`.
public struct LocalTransport: NodeTransport {
    public init() {}

    /// Nothing to open: this machine is always reachable.
    public func connect(timeout: Double) async -> TransportFailure? { nil }

    public func execute(_ request: CommandRequest) async -> CommandOutcome {
        var program: Program
        var arguments: [String]
        switch request.command {
        case .shell(let script):
            program = .path("/bin/sh")
            arguments = ["-c", script]
        case .argv(let argv):
            guard let first = argv.first, !first.isEmpty else {
                return CommandOutcome(exitCode: 127, stderr: "planrun: empty argv: nothing to run\n")
            }
            program = Program(first)
            arguments = Array(argv.dropFirst())
        }
        let (feed, download): (UploadFeed?, DownloadFile)
        do { (feed, download) = try request.openTransfer() } catch { return error.outcome }
        defer { download.close() }
        if let upload = request.upload, let feed {
            // The same receive as on an SSH node, then the command with stdin /dev/null as usual.
            defer { unlink(upload.path) }
            let command = ([program.text] + arguments).map(ShellQuote.quote).joined(separator: " ")
            let script = Upload.receiveScript(size: "\"$1\"", path: "\"$2\"", input: "", umaskUnless: "\"$3\"")
                + "; exec " + command + " </dev/null"
            program = .path("/bin/sh")
            arguments = ["-c", script, "planrun", String(feed.size), upload.path, upload.umaskModeIfAbsent ?? ""]
            return await run(program, arguments, request, feed: feed, download: download)
        }
        return await run(program, arguments, request, feed: nil, download: download)
    }

    private func run(
        _ program: Program, _ arguments: [String], _ request: CommandRequest, feed: UploadFeed?, download: DownloadFile
    ) async -> CommandOutcome {
        do {
            let run = try await ProcessGroupRunner.run(
                program, arguments: arguments, timeout: request.timeout, grace: request.grace,
                outputLimit: request.outputLimit, onLine: request.onLine, upload: feed, stdoutFile: download.descriptor,
                environment: request.environment)
            return CommandOutcome(run)
        } catch where error.isCancellation {
            return CommandOutcome(exitCode: nil, failure: TransportFailure(.interrupted, "not started: the run was interrupted"))
        } catch where error.isArgumentListTooLong {
            return error.tooLongOutcome
        } catch {
            return Self.outcome(startFailure: error)
        }
    }

    public func close() async {}

    /// Maps a spawn error to the exit status a shell would give: 127 not found, 126 not executable.
    static func outcome(startFailure error: SpawnFailure) -> CommandOutcome {
        let program = error.program
        let errno = error.code
        if errno == ENOENT || errno == EACCES || errno == ENOEXEC
            || errno == ENOTDIR
        {
            if errno == ENOEXEC {
                return CommandOutcome(exitCode: 126, stderr: "planrun: \(program): exec format error\n")
            }
            if let found = existingCandidate(for: program) {
                return CommandOutcome(exitCode: 126, stderr: "planrun: \(found): permission denied\n")
            }
            return CommandOutcome(exitCode: 127, stderr: "planrun: \(program): command not found\n")
        }
        return CommandOutcome(
            exitCode: nil, stderr: "planrun: cannot start \(program): \(error)\n",
            failure: TransportFailure(.command, "cannot start \(program): \(error)"))
    }

    /// The file the program name refers to when one exists but could not be executed.
    private static func existingCandidate(for program: String) -> String? {
        let candidates: [String]
        if program.contains("/") {
            candidates = [program]
        } else {
            let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/\(program)" }
        }
        return candidates.first { access($0, F_OK) == 0 }
    }
}

extension CommandOutcome {
    /// The outcome of a supervised local process.
    init(_ run: GroupRunResult) {
        self.init(
            exitCode: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr,
            duration: run.duration, timedOut: run.stoppedBy == .timeout,
            failure: run.stoppedBy == .cancellation
                ? TransportFailure(.interrupted, "command stopped: the run was interrupted") : nil)
    }
}
