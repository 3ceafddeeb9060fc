import CPosixSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A node's session: one `ssh` process that is the master of the node's connection and runs the session
/// shell (`SSHSessionProtocol`), which runs the node's commands one at a time.
///
/// Why: with a client process per command, a fleet's controller spent most of its CPU starting OpenSSH
/// clients (about 7 ms each) and the node's sshd a session and a login shell per command; through the
/// session a command costs a request on a pipe. The process is its own process group; when it ends, however
/// it ends, the node's shell sees end-of-file on its stdin and the running command's watcher stops it.
///
/// Used by one thread at a time (`SSHTransport`'s slot hands it out), hence unchecked.
final class SSHSession: @unchecked Sendable {
    private let group: SpawnedGroup
    /// Readable once the process has ended; -1 without pidfd support (then it is looked at every 10 ms).
    private let pidfd: Int32
    /// Set once the process was reaped: it ended, or was stopped, and takes no more commands.
    private var reaped = false
    /// Still running and between commands.
    var isOpen: Bool { !reaped }
    /// Read buffer of the exchange under way; empty between commands, so a thousand idle sessions hold none.
    private var buffer: [UInt8] = []
    private let clock = ContinuousClock()

    private init(group: SpawnedGroup) {
        self.group = group
        pidfd = cps_pidfd_open(group.pid)
    }

    /// Sessions open in this process: each holds descriptors for the whole run, so their number is bounded
    /// by the open-file limit (`OpenFileLimit.sessionBudget`).
    private static let openCount = Atomic<Int>(0)

    /// Takes a place for a new session; false when the open-file limit has none left.
    static func reserve() -> Bool {
        let budget = OpenFileLimit.sessionBudget(limit: OpenFileLimit.current())
        if openCount.add(1, ordering: .relaxed).newValue <= budget { return true }
        openCount.subtract(1, ordering: .relaxed)
        return false
    }

    private static func release() {
        openCount.subtract(1, ordering: .relaxed)
    }

    /// Why a session could not be opened: what ssh said, and how it ended.
    struct OpenFailure: Error {
        var exitCode: Int32?
        var stderr: String
        var stoppedBy: StopReason?
    }

    /// Starts `ssh` with `arguments` (ending with the session's remote command) and waits until the
    /// session shell is ready, the process ends, or `timeout` seconds pass. The caller has `reserve`d a place,
    /// which the session gives back when it ends (also when it fails to open).
    static func open(_ program: Program, arguments: [String], timeout: Double) async -> Result<SSHSession, OpenFailure> {
        if Task.isCancelled {
            release()
            return .failure(OpenFailure(exitCode: nil, stderr: "", stoppedBy: .cancellation))
        }
        let group: SpawnedGroup
        do {
            group = try SpawnedGroup.spawn(program, arguments: arguments, holdStandardInput: true)
        } catch {
            release()
            return .failure(OpenFailure(exitCode: nil, stderr: "cannot start ssh: \(error)", stoppedBy: nil))
        }
        OrphanReaper.shared.started(group.pid)
        let session = SSHSession(group: group)
        let exchange = Exchange(out: MarkedStream(nonce: SSHSessionProtocol.readyWord), err: nil, outputLimit: 64 * 1024)
        let deadline = session.clock.now + .seconds(min(max(timeout, 0), 1e9))
        let ending = await session.onThread(grace: 1) { stop in
            session.exchange(exchange, input: [], feed: nil, deadline: deadline, stop: stop)
        }
        switch ending {
        case .marked:
            return .success(session)
        case .ended(let status):
            return .failure(OpenFailure(exitCode: status?.exitCode, stderr: exchange.stderr.text, stoppedBy: nil))
        case .stopped(let reason):
            return .failure(OpenFailure(exitCode: nil, stderr: exchange.stderr.text, stoppedBy: reason))
        }
    }

    /// What one command sent to the session left behind.
    struct CommandResult {
        /// The command's exit status from the session's mark; nil when the session ended or was stopped first.
        var exitCode: Int32?
        var stdout: String
        var stderr: String
        var duration: Double
        /// The local deadline or a cancellation stopped the session before the command's mark.
        var stoppedBy: StopReason?
        /// The session was found ended before the request was written: the command never reached the node.
        var notStarted = false
        /// The upload was not sent whole.
        var uploadUnsent = false
    }

    /// Runs one command through the session. The session stays open only when the command's marks arrived;
    /// otherwise it is ended here (stopped, its process reaped).
    /// - Parameter limit: seconds after which the session itself is stopped (a stalled connection).
    func run(arguments: String, input: [UInt8], feed: UploadFeed?, outputLimit: Int,
             onLine: (@Sendable (String) -> Void)?, limit: Double, grace: Double) async -> CommandResult {
        let start = clock.now
        guard !hasEnded() else {
            await end()
            return CommandResult(exitCode: nil, stdout: "", stderr: "", duration: 0, notStarted: true)
        }
        let nonce = SSHSessionProtocol.nonce()
        let request = SSHSessionProtocol.request(nonce: nonce, arguments: arguments, input: input)
        let exchange = Exchange(out: MarkedStream(nonce: nonce), err: MarkedStream(nonce: nonce), outputLimit: outputLimit)
        exchange.onLine = onLine
        let deadline = start + .seconds(min(max(limit, 0), 1e9))
        let ending = await onThread(grace: grace) { stop in
            self.exchange(exchange, input: request, feed: feed, deadline: deadline, stop: stop)
        }
        var result = CommandResult(
            exitCode: nil, stdout: exchange.stdout.text, stderr: exchange.stderr.text, duration: (clock.now - start).inSeconds)
        result.uploadUnsent = feed.map { !$0.sentWhole } ?? false
        switch ending {
        case .marked:
            result.exitCode = Int32(exchange.out.trailer?.trimmingPrefix(" ") ?? "")
        case .ended:
            result.notStarted = exchange.written == 0 && exchange.nothingCame
        case .stopped(let reason):
            result.stoppedBy = reason
        }
        return result
    }

    /// Closes the session's stdin, so its shell ends and ssh with it, and reaps the process (stopping it
    /// if it has not ended within two seconds).
    func end() async {
        guard !reaped else { return }
        closeInput()
        await waitForEnd(within: .seconds(2))
        reap()
    }

    private func waitForEnd(within limit: Duration) async {
        let end = clock.now + limit
        while !hasEnded(), clock.now < end {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: - The exchange

    /// How an exchange ended.
    private enum Ending {
        /// The awaited marks arrived; the session goes on.
        case marked
        /// The process ended first (with its wait status when it was reaped here).
        case ended(WaitStatus?)
        /// The deadline passed or the task was cancelled; the session was stopped.
        case stopped(StopReason)
    }

    struct WaitStatus {
        var raw: Int32
        var exitCode: Int32? { raw & 0x7f == 0 ? (raw >> 8) & 0xff : nil }
    }

    /// The streams of one exchange: stdout (and, for a command, stderr) are cut at their marks. A class: the
    /// pooled thread fills it while the task waits.
    private final class Exchange: @unchecked Sendable {
        var out: MarkedStream
        /// Without a mark, stderr is only collected (while opening, for ssh's messages).
        var err: MarkedStream?
        var stdout: OutputTail
        var stderr: OutputTail
        var onLine: (@Sendable (String) -> Void)?
        var lines = [LineSplitter(), LineSplitter()]
        /// Bytes of the request written so far.
        var written = 0
        var nothingCame = true

        init(out: MarkedStream, err: MarkedStream?, outputLimit: Int) {
            self.out = out
            self.err = err
            stdout = OutputTail(limit: outputLimit)
            stderr = OutputTail(limit: outputLimit)
        }

        var isDone: Bool { out.ended && (err?.ended ?? true) }

        func take(_ chunk: UnsafeRawBufferPointer, fromStandardError: Bool) {
            nothingCame = false
            if fromStandardError {
                guard var cut = err else {
                    stderr.append(chunk)
                    return
                }
                cut.take(chunk) { part in
                    stderr.append(part)
                    if let onLine { lines[1].feed(part, onLine) }
                }
                err = cut
            } else {
                var cut = out
                cut.take(chunk) { part in
                    stdout.append(part)
                    if let onLine { lines[0].feed(part, onLine) }
                }
                out = cut
            }
        }

        func flushLines() {
            guard let onLine else { return }
            lines[0].flush(onLine)
            lines[1].flush(onLine)
        }
    }

    /// Writes the request and the upload, reads both streams, until the marks arrive, the process ends,
    /// the deadline passes or `stop` is requested. Blocks; runs on a thread of its own (`onThread`).
    private func exchange(
        _ exchange: Exchange, input: [UInt8], feed: UploadFeed?, deadline: ContinuousClock.Instant, stop: StopRequest
    ) -> Ending {
        defer { exchange.flushLines() }
        return withBrokenPipeHeld { exchangeHeld(exchange, input: input, feed: feed, deadline: deadline, stop: stop) }
    }

    private func exchangeHeld(
        _ exchange: Exchange, input: [UInt8], feed: UploadFeed?, deadline: ContinuousClock.Instant, stop: StopRequest
    ) -> Ending {
        buffer = [UInt8](unsafeUninitializedCapacity: 64 * 1024) { _, count in count = 64 * 1024 }
        defer { buffer = [] }
        var feed = feed
        var streams = [group.stdout, group.stderr]
        var fds: [pollfd] = []
        // -1 when no pipe could be made: then a stop is looked for every 10 ms, as is the end without a pidfd.
        let stopper = stop.pollable()
        while !exchange.isDone {
            let now = clock.now
            if now >= deadline { return .stopped(.timeout) }
            let writing = exchange.written < input.count || feed != nil
            fds.removeAll(keepingCapacity: true)
            for fd in streams where fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if writing, !inputClosed { fds.append(pollfd(fd: group.stdinWriter, events: Int16(POLLOUT), revents: 0)) }
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            if stopper >= 0 { fds.append(pollfd(fd: stopper, events: Int16(POLLIN), revents: 0)) }
            let wait = pidfd < 0 || stopper < 0 ? min(deadline, now + .milliseconds(10)) : deadline
            if poll(&fds, nfds_t(fds.count), GroupSupervisor.milliseconds(from: now, to: wait)) < 0, errno != EINTR {
                return .ended(nil)
            }
            if stop.isRequested { return .stopped(.cancellation) }
            var exited = pidfd < 0 && hasEnded()
            for entry in fds where entry.revents != 0 {
                if entry.fd == pidfd {
                    exited = true
                } else if entry.fd == group.stdinWriter {
                    if exchange.written < input.count {
                        let count = input[exchange.written...].withUnsafeBytes { write(entry.fd, $0.baseAddress, $0.count) }
                        if count > 0 { exchange.written += count } else if errno != EAGAIN, errno != EINTR { exited = true }
                    } else if let upload = feed, !upload.feed(entry.fd) || upload.isDone {
                        feed = nil
                        if upload.failure != nil { exited = true }
                    }
                } else if entry.fd != stopper, let index = streams.firstIndex(of: entry.fd) {
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        buffer.withUnsafeBytes {
                            exchange.take(UnsafeRawBufferPointer(rebasing: $0[..<count]), fromStandardError: index == 1)
                        }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        streams[index] = -1
                        exited = true
                    }
                }
            }
            if exited, !exchange.isDone {
                // What ssh wrote last (its message about the connection) is still in the pipes.
                drain(exchange, streams: streams)
                return .ended(nil)
            }
        }
        return .marked
    }

    /// Reads what the ended process left in its pipes, for half a second at most.
    private func drain(_ exchange: Exchange, streams: [Int32]) {
        let end = clock.now + .milliseconds(500)
        var open = streams.filter { $0 >= 0 }
        while !open.isEmpty, clock.now < end {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { return }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.withUnsafeBytes {
                        exchange.take(UnsafeRawBufferPointer(rebasing: $0[..<count]), fromStandardError: entry.fd == group.stderr)
                    }
                } else {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
    }

    /// Runs `body` on a pooled thread (it blocks in `poll`); the task's cancellation reaches it through a
    /// stop request. An exchange that did not end with its marks ends the session: stopped (SIGTERM to its
    /// group, SIGKILL after `grace`) and reaped.
    private func onThread(grace: Double, _ body: @escaping @Sendable (StopRequest) -> Ending) async -> Ending {
        let stop = StopRequest()
        defer { stop.close() }
        let ending = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
                let started = DetachedThread.start { continuation.resume(returning: body(stop)) }
                if started != 0 { continuation.resume(returning: .stopped(.cancellation)) }
            }
        } onCancel: {
            stop.request()
        }
        if case .marked = ending { return ending }
        // As a command of its own is stopped: its stdin closes first, so the node's watcher stops the command
        // and the wrapper removes an upload's file while the connection still stands; SIGTERM after two graces.
        closeInput()
        if case .stopped = ending {
            let grace = Duration.seconds(min(max(grace, 0.1), 60))
            await waitForEnd(within: grace * 2)
            if !hasEnded() {
                kill(-group.pid, SIGTERM)
                await waitForEnd(within: grace)
            }
        }
        let status = reap()
        if case .ended = ending { return .ended(status) }
        return ending
    }

    // MARK: - The process

    private func closeInput() {
        if !inputClosed, group.stdinWriter >= 0 { close(group.stdinWriter) }
        inputClosed = true
    }

    private var inputClosed = false

    /// Whether the process has ended (reaped, or a zombie waiting to be).
    private func hasEnded() -> Bool {
        reaped || GroupSupervisor.hasExited(group.pid)
    }

    /// Kills what is left of the group and reaps the process; its wait status.
    @discardableResult
    private func reap() -> WaitStatus? {
        guard !reaped else { return nil }
        reaped = true
        kill(-group.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(group.pid, &status, 0) < 0, errno == EINTR {}
        OrphanReaper.shared.swept(group.pid)
        Self.release()
        if group.stdout >= 0 { close(group.stdout) }
        close(group.stderr)
        if pidfd >= 0 { close(pidfd) }
        return WaitStatus(raw: status)
    }
}
