import CPosixSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches one spawned group from a dedicated thread until nothing of it is left.
///
/// One `poll` over the child's stdout and stderr, a pidfd for the leader's exit and the stop request
/// drains both streams (keeping the tail), enforces the timeout and stops the group on cancellation:
/// SIGTERM to the group, SIGKILL after the grace, and always a final group SIGKILL before the leader is
/// reaped — until then its pid still names our group and cannot have been reused. A command is done when
/// its leader has exited: what it wrote is read from the pipes, and a descendant left behind (`sleep 300 &`)
/// is swept, not waited for — as a shell's `$(…)` would wait for it, a step would hang on every daemon.
struct GroupSupervisor {
    let group: SpawnedGroup
    let timeout: Double
    let grace: Double
    let stop: StopRequest
    var stdout: OutputTail
    var stderr: OutputTail

    private let clock = ContinuousClock()
    private var stoppedBy: StopReason?
    /// When the group gets SIGKILL, once it was asked to stop.
    private var killAt: ContinuousClock.Instant?
    /// Read buffer, left uninitialized: zeroing 64 KB for every command is work no step needs.
    private var buffer = [UInt8](unsafeUninitializedCapacity: 64 * 1024) { _, count in count = 64 * 1024 }
    /// Receives each line as it arrives (`--verbose`); nil when nobody watches.
    private let onLine: (@Sendable (String) -> Void)?
    /// One splitter per stream, only when `onLine` is set.
    private var lines: [LineSplitter]

    init(
        group: SpawnedGroup, timeout: Double, grace: Double, outputLimit: Int, stop: StopRequest,
        onLine: (@Sendable (String) -> Void)? = nil
    ) {
        self.group = group
        self.onLine = onLine
        self.lines = onLine == nil ? [] : [LineSplitter(), LineSplitter()]
        self.timeout = timeout
        self.grace = grace
        self.stop = stop
        self.stdout = OutputTail(limit: outputLimit)
        self.stderr = OutputTail(limit: outputLimit)
    }

    /// Runs the group to its end (blocking); returns the exit status and why it was stopped, if it was.
    mutating func supervise(startedAt start: ContinuousClock.Instant) -> (status: Int32, stoppedBy: StopReason?) {
        let pgid = group.pid
        let deadline = start + .seconds(min(max(timeout, 0), 1e9))
        var streams: [Int32] = [group.stdout, group.stderr]
        let pidfd = cps_pidfd_open(group.pid)
        var leaderExited = false
        if stop.isRequested { requestStop(.cancellation, pgid) }

        while !leaderExited {
            let now = clock.now
            var fds: [pollfd] = []
            for fd in streams where fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            if stoppedBy == nil, stop.reader >= 0 { fds.append(pollfd(fd: stop.reader, events: Int16(POLLIN), revents: 0)) }

            var wake: ContinuousClock.Instant? = stoppedBy == nil ? deadline : killAt
            // Without a pidfd (or a stop pipe) the leader's exit and a stop are noticed by looking every 10 ms.
            if pidfd < 0 || (stoppedBy == nil && stop.reader < 0) {
                wake = min(wake ?? now + .milliseconds(10), now + .milliseconds(10))
            }
            let ready = poll(&fds, nfds_t(fds.count), Self.milliseconds(from: now, to: wake))
            if ready < 0, errno != EINTR { break }

            for entry in fds where entry.revents != 0 {
                if entry.fd == pidfd {
                    leaderExited = true
                } else if entry.fd == stop.reader {
                    requestStop(.cancellation, pgid)
                } else {
                    readChunk(from: entry.fd, in: &streams)
                }
            }
            if pidfd < 0 { leaderExited = Self.hasExited(group.pid) }
            if stoppedBy == nil, stop.reader < 0, stop.isRequested { requestStop(.cancellation, pgid) }

            let later = clock.now
            if stoppedBy == nil, later >= deadline { requestStop(.timeout, pgid) }
            if let killAt, later >= killAt {
                kill(-pgid, SIGKILL)
                self.killAt = nil
            }
        }
        // What the leader wrote is in the pipes by now; a descendant still writing is about to be swept.
        drainWhatIsReady(&streams)
        if let onLine {
            lines[0].flush(onLine)
            lines[1].flush(onLine)
        }
        // Grandchildren that outlived the leader (`sleep 300 &`) end here, whatever happened above.
        kill(-pgid, SIGKILL)
        for fd in streams where fd >= 0 { close(fd) }
        if pidfd >= 0 { close(pidfd) }
        if group.stdinWriter >= 0 { close(group.stdinWriter) }
        var status: Int32 = 0
        while waitpid(group.pid, &status, 0) < 0, errno == EINTR {}
        Self.awaitEmptyGroup(pgid)
        return (status, stoppedBy)
    }

    /// Reads one chunk from a ready stream into its tail; closes the stream at end-of-file.
    private mutating func readChunk(from fd: Int32, in streams: inout [Int32]) {
        guard let index = streams.firstIndex(of: fd) else { return }
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            buffer.withUnsafeBytes { bytes in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                if index == 0 { stdout.append(chunk) } else { stderr.append(chunk) }
                if let onLine { lines[index].feed(chunk, onLine) }
            }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            close(fd)
            streams[index] = -1
        }
    }

    /// Reads until no stream has data waiting, for at most half a second (a descendant may never stop).
    private mutating func drainWhatIsReady(_ streams: inout [Int32]) {
        let end = clock.now + .milliseconds(500)
        while streams.contains(where: { $0 >= 0 }), clock.now < end {
            var fds = streams.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 0)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for entry in fds where entry.revents != 0 { readChunk(from: entry.fd, in: &streams) }
        }
    }

    private mutating func requestStop(_ reason: StopReason, _ pgid: pid_t) {
        guard stoppedBy == nil else { return }
        stoppedBy = reason
        kill(-pgid, SIGTERM)
        killAt = clock.now + .seconds(min(max(grace, 0), 1e9))
    }

    /// SIGKILL is delivered asynchronously: a swept descendant may take a moment to be gone. Waiting (at most
    /// 200 ms, and only when something was swept) makes "the step ended" mean "nothing of it runs".
    /// A zombie that nobody reaps still counts as a member, hence the bound.
    private static func awaitEmptyGroup(_ pgid: pid_t) {
        var waited = 0
        while kill(-pgid, 0) == 0, waited < 200 {
            usleep(1000)
            waited += 1
        }
    }

    /// Peeks at the leader's state with WNOWAIT, leaving it to be reaped at the end.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                return info.si_signo != 0
            }
            if errno != EINTR { return true }
        }
    }

    /// A poll timeout: -1 for none, else the milliseconds until `wake`, rounded up so the loop never spins.
    private static func milliseconds(from now: ContinuousClock.Instant, to wake: ContinuousClock.Instant?) -> Int32 {
        guard let wake else { return -1 }
        let (seconds, attoseconds) = (wake - now).components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let millis = Double(seconds) * 1000 + (Double(attoseconds) / 1e15).rounded(.up)
        return Int32(min(millis, Double(Int32.max)))
    }
}
