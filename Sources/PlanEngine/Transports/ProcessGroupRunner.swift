#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a process group was stopped before it ended by itself.
enum StopReason: Sendable, Hashable {
    /// The command outlived its `timeout`.
    case timeout
    /// The task running it was cancelled (Ctrl-C, the run deadline, a sibling's failure).
    case cancellation
}

/// What one supervised child process left behind.
struct GroupRunResult: Sendable {
    var exitCode: Int32?
    var signal: Int32?
    var stdout: String
    var stderr: String
    /// Seconds from just before the spawn to the end of the final sweep.
    var duration: Double
    var stoppedBy: StopReason?
    /// Why an upload did not reach the child whole; nil when there was none or it was sent.
    var uploadFailure: String? = nil
}

/// Runs one child as the leader of its own process group and makes sure nothing of the group survives.
///
/// planrun's own spawner rather than swift-subprocess, for speed: per trivial command swift-subprocess
/// cost 1.65× a shell's fork-and-wait even with its output discarded (three thread hand-offs, an epoll
/// registration per stream, a monitor thread per exit), which put the 1.5× per-step target out of
/// reach before planrun did anything. Here a command costs one `posix_spawn` on the calling thread, which
/// then `poll`s its pipes, its pidfd and the stop request (`GroupSupervisor`) for a moment; a command still
/// running after that goes to a pooled plain thread, the task waits on a continuation, and its cancellation
/// handler wakes that thread.
enum ProcessGroupRunner {
    /// Runs `program` with `arguments`; stdout and stderr are drained concurrently, keeping the tail.
    ///
    /// - Parameters:
    ///   - timeout: seconds before the group gets SIGTERM.
    ///   - grace: seconds between SIGTERM and SIGKILL.
    ///   - outputLimit: most bytes kept of each stream.
    ///   - holdStandardInput: give the child a pipe on stdin that stays open until the child is done (so
    ///     the remote side of an ssh session sees end-of-file exactly when the local client goes away);
    ///     otherwise stdin is `/dev/null`.
    ///   - upload: bytes written to that held stdin first (it needs `holdStandardInput`), streamed.
    ///   - stdoutFile: a file that receives stdout directly (no tail is kept of it).
    ///   - firstInput: bytes written on that held stdin at once, before any upload (the remote wrapper's
    ///     variables; a few bytes, well under a pipe's buffer).
    ///   - environment: variables added to the child's environment.
    ///   - daemonizes: the program forks a daemon meant to outlive it (`ssh -f`): the group is swept only
    ///     once the daemon has left it (see `GroupSupervisor.finish`).
    /// - Throws: `SpawnFailure` when the process could not be started (no such file, not executable), or the
    ///   task was cancelled before it started (`isCancellation`).
    static func run(
        _ program: Program, arguments: [String], timeout: Double, grace: Double, outputLimit: Int,
        holdStandardInput: Bool = false, onLine: (@Sendable (String) -> Void)? = nil, upload: UploadFeed? = nil,
        stdoutFile: Int32? = nil, firstInput: [UInt8] = [], environment: [(name: String, value: String)] = [],
        daemonizes: Bool = false
    ) async throws(SpawnFailure) -> GroupRunResult {
        if Task.isCancelled { throw SpawnFailure(code: ECANCELED, program: program.text) }
        let clock = ContinuousClock()
        let start = clock.now
        // Spawned and first watched on the task's own thread: a command that ends at once never leaves it.
        let group = try SpawnedGroup.spawn(
            program, arguments: arguments, holdStandardInput: holdStandardInput || upload != nil, stdoutFile: stdoutFile,
            environment: environment, holdOutput: true)
        OrphanReaper.shared.started(group.pid)
        if group.stdinWriter >= 0, !firstInput.isEmpty { write(firstInput, to: group.stdinWriter) }
        let stop = StopRequest()
        let supervisor = GroupSupervisor(
            group: group, timeout: timeout, grace: grace, outputLimit: outputLimit, stop: stop, startedAt: start,
            onLine: onLine, feed: upload, daemonizes: daemonizes)
        return await withTaskCancellationHandler {
            // Most trivial commands end within a moment: watched here first, they are never handed to another
            // thread and back, which was most of a trivial step's cost beyond the spawn itself. Only a quiet
            // end is finished here: a descendant still holding the pipes means a sweep that may take a while,
            // and that never blocks a thread of the cooperative pool.
            if supervisor.watch(until: clock.now + quickWatch), supervisor.isQuiet {
                defer { stop.close() }
                return result(supervisor, clock, start)
            }
            return await withCheckedContinuation { (continuation: CheckedContinuation<GroupRunResult, Never>) in
                let code = DetachedThread.start {
                    defer { stop.close() }
                    _ = supervisor.watch(until: nil)
                    continuation.resume(returning: result(supervisor, clock, start))
                }
                if code != 0 {
                    // No thread to watch it: stop it here and now rather than leave it running unwatched.
                    supervisor.stopAtOnce()
                    defer { stop.close() }
                    _ = supervisor.watch(until: nil)
                    continuation.resume(returning: result(supervisor, clock, start))
                }
            }
        } onCancel: {
            stop.request()
        }
    }

    /// How long the calling thread watches a new command before handing it to a pooled thread: long enough
    /// for a trivial command to end, short enough that a fan-out's spawns are not held back.
    static let quickWatch = Duration.milliseconds(1)

    /// Sweeps and reaps the ended group; the result of the command.
    private static func result(
        _ supervisor: GroupSupervisor, _ clock: ContinuousClock, _ start: ContinuousClock.Instant
    ) -> GroupRunResult {
        let (status, stoppedBy) = supervisor.finish()
        OrphanReaper.shared.swept(supervisor.group.pid)
        var result = GroupRunResult(
            exitCode: nil, signal: nil, stdout: supervisor.stdout.text, stderr: supervisor.stderr.text,
            duration: (clock.now - start).inSeconds, stoppedBy: stoppedBy, uploadFailure: supervisor.uploadFailure)
        // The wait status: the low seven bits are the terminating signal, or 0 when the child exited.
        if status & 0x7f == 0 {
            result.exitCode = (status >> 8) & 0xff
        } else {
            result.signal = status & 0x7f
        }
        return result
    }

    /// Writes a few bytes (well under a pipe's buffer) to the child's held stdin; a child already gone is
    /// not an error here (its exit is seen by the supervisor).
    private static func write(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
