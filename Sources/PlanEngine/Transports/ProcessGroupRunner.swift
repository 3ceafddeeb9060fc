import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
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
}

/// Runs one child as the leader of its own process group and makes sure nothing of the group survives.
///
/// swift-subprocess has no timeout, and cancelling its task is not enough: when the leader dies on SIGTERM
/// the library stops its teardown and a grandchild that ignored SIGTERM lives on. So the deadline lives
/// inside the `body:` closure: SIGTERM to the group at the deadline (or on cancellation), SIGKILL after
/// the grace, and always a final group SIGKILL before the body returns — the leader is not reaped until
/// then, so its pid still names our group and cannot have been reused.
enum ProcessGroupRunner {
    /// Runs `executable` with `arguments`; stdout and stderr are drained concurrently, keeping the tail.
    ///
    /// - Parameters:
    ///   - timeout: seconds before the group gets SIGTERM.
    ///   - grace: seconds between SIGTERM and SIGKILL.
    ///   - outputLimit: most bytes kept of each stream.
    ///   - holdStandardInput: give the child a pipe on stdin that stays open until the child is done (so
    ///     the remote side of an ssh session sees end-of-file exactly when the local client goes away);
    ///     otherwise stdin is `/dev/null`.
    /// - Throws: `SubprocessError` when the process could not be started (no such file, not executable).
    static func run(
        _ executable: Executable, arguments: [String], timeout: Double, grace: Double, outputLimit: Int,
        holdStandardInput: Bool = false
    ) async throws -> GroupRunResult {
        if holdStandardInput {
            return try await run(executable, arguments, timeout, grace, outputLimit, input: .inputWriter)
        }
        return try await run(executable, arguments, timeout, grace, outputLimit, input: .none)
    }

    private static func run<Input: InputProtocol>(
        _ executable: Executable, _ arguments: [String], _ timeout: Double, _ grace: Double, _ outputLimit: Int,
        input: Input
    ) async throws -> GroupRunResult {
        var options = PlatformOptions()
        // Its own group, so one kill(-pgid) reaches every descendant; never with createSession.
        options.processGroupID = 0
        // On cancellation the library kills the leader at once unless told otherwise; give it the same grace
        // as the watchdog, which also signals the group and sweeps it afterwards.
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(min(max(grace, 0), 1e9)))
        ]
        let clock = ContinuousClock()
        let start = clock.now
        let execution = try await Subprocess.run(
            executable, arguments: Arguments(arguments), environment: inheritedEnvironment, platformOptions: options,
            input: input, output: .sequence, error: .sequence
        ) { execution in
            await supervise(
                group: execution.processIdentifier.value, stdout: execution.standardOutput,
                stderr: execution.standardError, timeout: timeout, grace: grace, limit: outputLimit)
        }
        let (stdout, stderr, stoppedBy) = execution.closureResult
        var result = GroupRunResult(
            exitCode: nil, signal: nil, stdout: stdout.text, stderr: stderr.text,
            duration: seconds(clock.now - start), stoppedBy: stoppedBy)
        switch execution.terminationStatus {
        case .exited(let code): result.exitCode = code
        case .signaled(let signal): result.signal = signal
        }
        return result
    }

    /// This process's environment, read once: with `.inherit` the library re-parses `environ` into a
    /// dictionary of Strings twice per spawn, which was a sixth of planrun's own time per trivial step.
    /// Raw bytes also pass values that are not UTF-8 through unchanged. planrun never changes its environment.
    private static let inheritedEnvironment: Environment = {
        var rows: [[UInt8]] = []
        var entry = environ
        while let pointer = entry.pointee {
            rows.append(Array(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))))
            entry += 1
        }
        return .custom(rows)
    }()

    private enum Event: Sendable {
        case stdout(OutputTail)
        case stderr(OutputTail)
        case watchdog(StopReason?)
    }

    /// The body of the run: drains both streams, enforces the deadline, then sweeps the group.
    private static func supervise(
        group pgid: pid_t, stdout: SubprocessOutputSequence, stderr: SubprocessOutputSequence,
        timeout: Double, grace: Double, limit: Int
    ) async -> (OutputTail, OutputTail, StopReason?) {
        let finished = Flag()
        var out = OutputTail(limit: limit)
        var err = OutputTail(limit: limit)
        var reason: StopReason?
        await withTaskGroup(of: Event.self) { tasks in
            tasks.addTask { .stdout(await drain(stdout, limit: limit)) }
            tasks.addTask { .stderr(await drain(stderr, limit: limit)) }
            tasks.addTask { .watchdog(await watch(pgid, timeout: timeout, grace: grace, finished: finished)) }
            var openStreams = 2
            while openStreams > 0, let event = await tasks.next() {
                switch event {
                case .stdout(let tail): out = tail; openStreams -= 1
                case .stderr(let tail): err = tail; openStreams -= 1
                case .watchdog(let stop): reason = stop
                }
            }
            // Both streams are closed, but the leader may still run (it can close its output and carry on).
            await waitForExit(of: pgid)
            finished.set()
            tasks.cancelAll()
            while let event = await tasks.next() {
                if case .watchdog(let stop) = event { reason = stop }
            }
        }
        // Grandchildren that outlived the leader (`sleep 300 &`) end here, whatever happened above.
        kill(-pgid, SIGKILL)
        return (out, err, reason)
    }

    private static func drain(_ stream: SubprocessOutputSequence, limit: Int) async -> OutputTail {
        var tail = OutputTail(limit: limit)
        do {
            for try await chunk in stream {
                chunk.withUnsafeBytes { tail.append($0) }
            }
        } catch {
            // Reading stops when the leader exits or the task is cancelled; keep what arrived.
        }
        return tail
    }

    /// Sleeps until the timeout or cancellation, then stops the group: SIGTERM, and SIGKILL after the grace.
    /// Returns nil when the process finished first.
    private static func watch(_ pgid: pid_t, timeout: Double, grace: Double, finished: Flag) async -> StopReason? {
        let reason: StopReason
        do {
            try await Task.sleep(for: .seconds(min(max(timeout, 0), 1e9)))
            reason = .timeout
        } catch {
            reason = .cancellation
        }
        if finished.isSet { return nil }
        kill(-pgid, SIGTERM)
        let clock = ContinuousClock()
        let end = clock.now + .seconds(min(max(grace, 0), 1e9))
        while !finished.isSet, clock.now < end {
            await pause(min(.milliseconds(20), end - clock.now))
        }
        if !finished.isSet { kill(-pgid, SIGKILL) }
        return reason
    }

    /// Waits, without reaping, until the group leader has exited.
    private static func waitForExit(of pid: pid_t) async {
        var delay = Duration.microseconds(100)
        while !hasExited(pid) {
            await pause(delay)
            delay = min(delay * 2, .milliseconds(50))
        }
    }

    /// Peeks at the leader's state with WNOWAIT, so the library still collects the status itself.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                return info.si_signo != 0
            }
            if errno != EINTR { return true }
        }
    }

    /// Sleeps even when the task is cancelled: stopping a group must finish its grace period.
    private static func pause(_ duration: Duration) async {
        if !Task.isCancelled, (try? await Task.sleep(for: duration)) != nil { return }
        await Task { try? await Task.sleep(for: duration) }.value
    }
}

/// A one-way flag shared between the body and its watchdog.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

extension ProcessGroupRunner {
    /// A duration in seconds as a `Double`.
    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
