import CPosixSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches one spawned group until nothing of it is left.
///
/// One `poll` over the child's stdout and stderr, a pidfd for the leader's exit and the stop request
/// drains both streams (keeping the tail), enforces the timeout and stops the group on cancellation:
/// SIGTERM to the group, SIGKILL after the grace, and always a final group SIGKILL before the leader is
/// reaped — until then its pid still names our group and cannot have been reused. A command is done when
/// its leader has exited: what it wrote is read from the pipes, and a descendant left behind (`sleep 300 &`)
/// is swept, not waited for — as a shell's `$(…)` would wait for it, a step would hang on every daemon.
///
/// Owned by one thread at a time: the calling thread watches first, for a moment (most trivial commands end
/// within it), then hands the rest to a pooled thread; the hand-off's lock orders the two.
final class GroupSupervisor: @unchecked Sendable {
    let group: SpawnedGroup
    let grace: Double
    let stop: StopRequest
    private(set) var stdout: OutputTail
    private(set) var stderr: OutputTail

    private let clock = ContinuousClock()
    /// When the command gets SIGTERM for outliving its timeout.
    private let deadline: ContinuousClock.Instant
    private var stoppedBy: StopReason?
    /// When the group gets SIGKILL, once it was asked to stop.
    private var killAt: ContinuousClock.Instant?
    /// When the group gets SIGTERM after a stop that began by closing stdin (an upload's stop).
    private var termAt: ContinuousClock.Instant?
    /// The command received an upload: it is stopped by closing its stdin first (`requestStop`).
    private let stopsByClosingInput: Bool
    /// The child's stdout and stderr read ends; -1 once at end-of-file.
    private var streams: [Int32]
    /// planrun's copies of the pipes' write ends (`SpawnedGroup.outputWriters`), closed once the leader exited.
    private var heldWriters: [Int32]
    /// Readable when the leader has exited; -1 without pidfd support (then the leader is polled every 10 ms).
    private let pidfd: Int32
    private(set) var leaderExited = false {
        didSet { if leaderExited { releaseWriters() } }
    }
    /// Read buffer, left uninitialized: zeroing 64 KB for every command is work no step needs.
    private var buffer = [UInt8](unsafeUninitializedCapacity: 64 * 1024) { _, count in count = 64 * 1024 }
    /// Receives each line as it arrives (`--verbose`); nil when nobody watches.
    private let onLine: (@Sendable (String) -> Void)?
    /// One splitter per stream, only when `onLine` is set.
    private var lines: [LineSplitter]
    /// Bytes still to be written to the child's stdin (an upload); nil when there are none (left).
    private var feed: UploadFeed?
    /// The leader leaves a daemon behind (`ssh -f`): `finish` waits for the end of the output pipes, which
    /// the daemon closes only once it has left the group, before it sweeps the group.
    private let daemonizes: Bool

    /// - Parameter start: when the command was started; its timeout counts from there.
    init(
        group: SpawnedGroup, timeout: Double, grace: Double, outputLimit: Int, stop: StopRequest,
        startedAt start: ContinuousClock.Instant, onLine: (@Sendable (String) -> Void)? = nil, feed: UploadFeed? = nil,
        daemonizes: Bool = false
    ) {
        self.group = group
        self.daemonizes = daemonizes
        self.feed = group.stdinWriter >= 0 ? feed : nil
        self.stopsByClosingInput = group.stdinWriter >= 0 && feed != nil
        if stopsByClosingInput { _ = cps_pipe_set_size(group.stdinWriter, UploadFeed.pipeSize) }
        self.onLine = onLine
        self.lines = onLine == nil ? [] : [LineSplitter(), LineSplitter()]
        self.deadline = start + .seconds(min(max(timeout, 0), 1e9))
        self.grace = grace
        self.stop = stop
        self.stdout = OutputTail(limit: outputLimit)
        self.stderr = OutputTail(limit: outputLimit)
        self.streams = [group.stdout, group.stderr]
        self.heldWriters = group.outputWriters
        self.pidfd = cps_pidfd_open(group.pid)
        if stop.isRequested { requestStop(.cancellation) }
    }

    /// A supervisor dropped without `finish` still gives back the write ends it held.
    deinit { releaseWriters() }

    /// The leader has exited and both streams are at end-of-file: `finish` has nothing to drain and no
    /// descendant holding the pipes, so it returns at once (the caller may then finish on its own thread).
    var isQuiet: Bool { leaderExited && streams.allSatisfy { $0 < 0 } }

    /// Drains output, enforces the deadline and answers stop requests until the leader exits (true), or
    /// until `giveUp` (false; call again to go on).
    func watch(until giveUp: ContinuousClock.Instant?) -> Bool {
        let pgid = group.pid
        // A watch that gives up soon looks at the stop flag after each poll; one with no end polls the
        // stop request's pipe, made only now (most commands end within the first, short watch).
        let stopReader = giveUp == nil ? stop.pollable() : -1
        var fds: [pollfd] = []
        fds.reserveCapacity(4)
        while !leaderExited {
            let now = clock.now
            if let giveUp, now >= giveUp { return false }
            fds.removeAll(keepingCapacity: true)
            for fd in streams where fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if feed != nil, stoppedBy == nil { fds.append(pollfd(fd: group.stdinWriter, events: Int16(POLLOUT), revents: 0)) }
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            if stoppedBy == nil, stopReader >= 0 { fds.append(pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0)) }

            var wake: ContinuousClock.Instant? = stoppedBy == nil ? deadline : (termAt ?? killAt)
            // Without a pidfd (or a stop pipe) the leader's exit and a stop are noticed by looking every 10 ms.
            if pidfd < 0 || (stoppedBy == nil && stopReader < 0) {
                wake = min(wake ?? now + .milliseconds(10), now + .milliseconds(10))
            }
            if let giveUp { wake = min(wake ?? giveUp, giveUp) }
            let ready = poll(&fds, nfds_t(fds.count), Self.milliseconds(from: now, to: wake))
            if ready < 0, errno != EINTR {
                // Nothing left to wait with: treat the leader as gone; `finish` reaps it, blocking if need be.
                leaderExited = true
                break
            }

            for entry in fds where entry.revents != 0 {
                if entry.fd == pidfd {
                    leaderExited = true
                } else if entry.fd == group.stdinWriter {
                    // The pipe stays open once the upload is sent: its end-of-file means planrun is gone.
                    if let feed, !feed.feed(entry.fd) || feed.isDone { finishFeed(feed) }
                } else if entry.fd == stopReader {
                    requestStop(.cancellation)
                } else {
                    readChunk(from: entry.fd)
                }
            }
            if pidfd < 0 { leaderExited = Self.hasExited(group.pid) }
            if stoppedBy == nil, stopReader < 0, stop.isRequested { requestStop(.cancellation) }

            let later = clock.now
            if stoppedBy == nil, later >= deadline { requestStop(.timeout) }
            if let termAt, later >= termAt {
                kill(-pgid, SIGTERM)
                self.termAt = nil
                killAt = later + .seconds(min(max(grace, 0), 1e9))
            }
            if let killAt, later >= killAt {
                kill(-pgid, SIGKILL)
                self.killAt = nil
            }
        }
        // The leader's last output and the end-of-file its exit caused may arrive a poll after the exit
        // itself. A few rounds at most: a descendant that keeps the pipes open (and writing) is left to `finish`.
        readWhatIsReady(rounds: 4)
        return true
    }

    /// Why the upload could not be sent whole (a source that shrank or failed; a child that stopped reading).
    private(set) var uploadFailure: String?
    private var stdinClosed = false

    /// Ends feeding. A source that failed closes stdin at once: the receiving side sees a short upload
    /// and gives up, rather than waiting for bytes that never come.
    private func finishFeed(_ feed: UploadFeed) {
        self.feed = nil
        uploadFailure = feed.failure
        if feed.failure != nil, !stdinClosed {
            close(group.stdinWriter)
            stdinClosed = true
        }
    }

    /// Stops the group without a grace period: SIGTERM now and SIGKILL at the next look.
    func stopAtOnce() {
        requestStop(.cancellation)
        killAt = clock.now
    }

    /// After the leader exited: reads what is left, sweeps the group, reaps the leader.
    func finish() -> (status: Int32, stoppedBy: StopReason?) {
        let pgid = group.pid
        // A daemonizing leader (`ssh -f` is glibc's daemon(): fork, the parent exits, the child calls setsid)
        // exits while its child may not yet have left the group: swept then, the daemon dies before it
        // starts. The child closes its copies of the pipes after setsid, so their end (awaited up to 2 s)
        // says it is out of the group.
        releaseWriters()
        if daemonizes { readUntilEnd(within: .seconds(2)) }
        // What the leader wrote is in the pipes by now; a descendant still writing is about to be swept.
        readWhatIsReady(rounds: .max)
        if let onLine {
            lines[0].flush(onLine)
            lines[1].flush(onLine)
        }
        // Grandchildren that outlived the leader (`sleep 300 &`) end here, whatever happened above.
        kill(-pgid, SIGKILL)
        for fd in streams where fd >= 0 { close(fd) }
        if pidfd >= 0 { close(pidfd) }
        if group.stdinWriter >= 0, !stdinClosed { close(group.stdinWriter) }
        var status: Int32 = 0
        while waitpid(group.pid, &status, 0) < 0, errno == EINTR {}
        Self.awaitEmptyGroup(pgid)
        return (status, stoppedBy)
    }

    /// Closes the held write ends: the pipes now end when the last descendant holding them does.
    private func releaseWriters() {
        for fd in heldWriters { close(fd) }
        heldWriters = []
    }

    /// Reads one chunk from a ready stream into its tail; closes the stream at end-of-file.
    private func readChunk(from fd: Int32) {
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

    /// Reads until both streams are at end-of-file, or `limit` has passed.
    private func readUntilEnd(within limit: Duration) {
        let end = clock.now + limit
        while streams.contains(where: { $0 >= 0 }) {
            let now = clock.now
            guard now < end else { return }
            var fds = streams.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Self.milliseconds(from: now, to: end))
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for entry in fds where entry.revents != 0 { readChunk(from: entry.fd) }
        }
    }

    /// Reads, without waiting, until no stream has data, for at most `rounds` polls and half a second (a
    /// descendant may never stop writing).
    private func readWhatIsReady(rounds: Int) {
        let end = clock.now + .milliseconds(500)
        var round = 0
        while round < rounds, streams.contains(where: { $0 >= 0 }), clock.now < end {
            round += 1
            var fds = streams.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 0)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for entry in fds where entry.revents != 0 { readChunk(from: entry.fd) }
        }
    }

    /// Stops the group: SIGTERM, then SIGKILL after the grace. A command that received an upload first
    /// sees its stdin close: the receiving side (over SSH, the remote wrapper) takes that end-of-file as
    /// "planrun is gone", removes the partial or temporary file and stops its command within the grace, so
    /// by the time the step returns nothing of it is left on the node; SIGTERM follows only after two graces.
    private func requestStop(_ reason: StopReason) {
        guard stoppedBy == nil else { return }
        stoppedBy = reason
        let grace = Duration.seconds(min(max(self.grace, 0), 1e9))
        if stopsByClosingInput, !stdinClosed {
            feed = nil
            close(group.stdinWriter)
            stdinClosed = true
            termAt = clock.now + grace * 2
            return
        }
        kill(-group.pid, SIGTERM)
        killAt = clock.now + grace
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
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                return info.si_signo != 0
            }
            if errno != EINTR { return true }
        }
    }

    /// A poll timeout: -1 for none, else the milliseconds until `wake`, rounded up so the loop never spins.
    static func milliseconds(from now: ContinuousClock.Instant, to wake: ContinuousClock.Instant?) -> Int32 {
        guard let wake else { return -1 }
        let (seconds, attoseconds) = (wake - now).components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let millis = Double(seconds) * 1000 + (Double(attoseconds) / 1e15).rounded(.up)
        return Int32(min(millis, Double(Int32.max)))
    }
}
