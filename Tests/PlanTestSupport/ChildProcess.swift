import Foundation

/// A process started for a test with `posix_spawn` and waited for by pid.
///
/// Not Foundation's `Process`: its waiting thread and pipes interfere with long-lived children of other
/// tests (sshd) in the same test process. Output goes to files, so an inherited descriptor can never keep a
/// reader waiting, and signals are reset to their defaults in the child.
public final class ChildProcess: @unchecked Sendable {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal that ended the process.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Killed for running past the timeout given to `wait`.
        public var timedOut: Bool
        /// The process's own peak resident memory in KB (`VmHWM`, read while it runs; `ru_maxrss` would not
        /// do: a child spawned vfork-style inherits its parent's high-water mark at exec, here the test
        /// process's).
        public var peakMemoryKB: Int = 0
    }

    public let pid: pid_t
    private let directory: String
    private var finished: Result?
    /// The highest `VmHWM` seen while polling, in KB.
    private var peakMemoryKB = 0

    /// Starts `path` with `arguments` in `workingDirectory`, `stdin` as its input.
    public init(
        _ path: String, _ arguments: [String], workingDirectory: String? = nil, stdin: String = "",
        environment: [String: String]? = nil
    ) throws {
        directory = NSTemporaryDirectory() + "planrun-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: directory + "/in"))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, directory + "/in", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // Glibc's addchdir_np is not visible to Swift: a shell changes directory, then execs in place (same pid).
        var command = [path] + arguments
        if let workingDirectory { command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workingDirectory] + command }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        self.pid = pid
    }

    deinit {
        // A child never waited for (a test that threw in between) is not left running or unreaped.
        if finished == nil {
            kill(pid, SIGKILL)
            _ = waitBlocking(timeout: 5)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Output written so far.
    public var stdoutSoFar: String { (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "" }
    public var stderrSoFar: String { (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "" }

    /// Waits for the process; after `timeout` seconds it is killed and the result says so (status 128 + 9).
    ///
    /// Polls without holding a thread: a blocking wait inside an async test takes one of the few threads of
    /// Swift's cooperative pool (two on two cores) for as long as the child runs, and starves the timing
    /// tests that share the test process.
    public func wait(timeout: Double = 300) async -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while true {
            if let finished = poll(deadline: deadline, timedOut: &timedOut) { return finished }
            do {
                try await Task.sleep(nanoseconds: 5_000_000)
            } catch {
                // Cancelled (a time limit, a stopped run): sleeping would now return at once and spin.
                kill(pid, SIGKILL)
                return waitBlocking(timeout: 5)
            }
        }
    }

    /// `wait`, blocking the calling thread: for a `deinit`, which cannot wait any other way.
    public func waitBlocking(timeout: Double = 300) -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while true {
            if let finished = poll(deadline: deadline, timedOut: &timedOut) { return finished }
            usleep(5_000)
        }
    }

    /// The result once the process has ended (killing it first when past `deadline`), else nil.
    private func poll(deadline: Date, timedOut: inout Bool) -> Result? {
        if let finished { return finished }
        // The high-water mark only grows; once the process has exited it is gone with its memory.
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        {
            peakMemoryKB = max(peakMemoryKB, kb)
        }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid || (rc == -1 && errno != EINTR) else {
            if !timedOut, Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            return nil
        }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let result = Result(
            status: code, stdout: stdoutSoFar, stderr: stderrSoFar, timedOut: timedOut, peakMemoryKB: peakMemoryKB)
        finished = result
        return result
    }
}
