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
/// cannot kill planrun with its children left running; the signal is then observed through a
/// `DispatchSource`. A repeated signal (the impatient second Ctrl-C) is handled by `onRepeat`.
public final class InterruptTrap: @unchecked Sendable {
    /// What a signal after the first does.
    public enum Repeat: Sendable, Hashable {
        /// Nothing: the run keeps stopping at its own pace.
        case ignore
        /// Leave at once with this exit status, without waiting for cleanup.
        case exit(Int32)
    }

    /// The first signal, shared with the event handlers.
    private final class FirstSignal: Sendable {
        let value = Mutex<Int32?>(nil)
    }

    private let first = FirstSignal()
    private let installed = Atomic<Bool>(true)
    private let signals: [Int32]
    /// Dispatch sources are thread-safe; the array itself never changes after `init`.
    private let sources: [any DispatchSourceSignal]

    /// Installs the trap; `handler` runs once, on a dispatch queue, with the first signal that arrived.
    /// - Parameters:
    ///   - signals: the signals to catch (SIGINT and SIGTERM by default).
    ///   - onRepeat: what a second signal does (exit 130 by default).
    public init(
        signals: [Int32] = [SIGINT, SIGTERM], onRepeat: Repeat = .exit(130),
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        self.signals = signals
        let first = self.first
        let queue = DispatchQueue(label: "planrun.signals")
        var sources: [any DispatchSourceSignal] = []
        for signo in signals {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler {
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
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// The first signal caught, if any (`SIGINT` or `SIGTERM`).
    public var received: Int32? { first.value.withLock { $0 } }

    /// Stops catching and restores the default actions. Safe to call more than once.
    public func uninstall() {
        guard installed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for source in sources { source.cancel() }
        for signo in signals { signal(signo, SIG_DFL) }
    }

    deinit { uninstall() }
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
