import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into one call of a handler, so the engine can cancel its root task, let every
/// command's process group be stopped, and still print the result JSON (then exit 130).
///
/// The default action is replaced by `SIG_IGN` first, so a signal arriving while the trap is being set up
/// cannot kill planrun with its children left running. Then a minimal C handler writes the signal number
/// to a pipe that a `DispatchSource` reads. (A dispatch *signal* source is not enough on Linux: it relies on
/// signalfd, which only sees the signal when every thread blocks it, and the Swift runtime's threads do not.)
/// A repeated signal (the impatient second Ctrl-C) is handled by `onRepeat`. One trap at a time per process.
public final class InterruptTrap: @unchecked Sendable {
    /// What a signal after the first does.
    public enum Repeat: Sendable, Hashable {
        /// Nothing: the run keeps stopping at its own pace.
        case ignore
        /// Leave at once with this exit status, without waiting for cleanup.
        case exit(Int32)
    }

    /// The first signal, shared with the event handler.
    private final class FirstSignal: Sendable {
        let value = Mutex<Int32?>(nil)
    }

    private let first = FirstSignal()
    private let installed = Atomic<Bool>(true)
    private let signals: [Int32]
    /// Reads the pipe; thread-safe, never replaced after `init`.
    private let source: any DispatchSourceRead

    /// Installs the trap; `handler` runs once, on a dispatch queue, with the first signal that arrived.
    /// - Parameters:
    ///   - signals: the signals to catch (SIGINT and SIGTERM by default).
    ///   - onRepeat: what a second signal does (exit 130 by default).
    public init(
        signals: [Int32] = [SIGINT, SIGTERM], onRepeat: Repeat = .exit(130),
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        self.signals = signals
        for signo in signals { signal(signo, SIG_IGN) }

        var fds: [Int32] = [-1, -1]
        let piped = pipe(&fds) == 0
        precondition(piped, "cannot create the signal pipe")
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        signalPipeWriteEnd.store(writeEnd, ordering: .releasing)

        let first = self.first
        source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: DispatchQueue(label: "planrun.signals"))
        source.setEventHandler {
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = read(readEnd, &bytes, bytes.count)
            for index in 0..<max(count, 0) {
                let signo = Int32(bytes[index])
                let isFirst = first.value.withLock { received -> Bool in
                    guard received == nil else { return false }
                    received = signo
                    return true
                }
                if isFirst {
                    handler(signo)
                } else if case .exit(let status) = onRepeat {
                    _exit(status)
                }
            }
        }
        source.setCancelHandler {
            close(readEnd)
            close(writeEnd)
        }
        source.resume()

        var action = sigaction()
        action.__sigaction_handler.sa_handler = forwardSignal
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for signo in signals { sigaction(signo, &action, nil) }
    }

    /// The first signal caught, if any (`SIGINT` or `SIGTERM`).
    public var received: Int32? { first.value.withLock { $0 } }

    /// Stops catching and restores the default actions. Safe to call more than once.
    public func uninstall() {
        guard installed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for signo in signals { signal(signo, SIG_DFL) }
        signalPipeWriteEnd.store(-1, ordering: .releasing)
        source.cancel()
    }

    deinit { uninstall() }
}

/// Where the C handler writes; -1 when no trap is installed. An atomic, so the handler reads it safely.
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// The signal handler itself: async-signal-safe, it only writes one byte.
private func forwardSignal(_ signo: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signo)
    let fd = signalPipeWriteEnd.load(ordering: .acquiring)
    if fd >= 0 { _ = write(fd, &byte, 1) }
    errno = saved
}

/// Process-wide signal settings planrun needs before it starts any work.
public enum ProcessSignals {
    /// Ignores SIGPIPE, so writing to a closed pipe (`planrun run … | head`, a dead ssh) fails with EPIPE
    /// instead of killing planrun before it has stopped its commands and printed the result.
    /// Children get the default action back at exec (swift-subprocess resets signal dispositions).
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }
}
