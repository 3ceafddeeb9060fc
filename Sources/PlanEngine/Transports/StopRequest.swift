import CPosixSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The cancellation of one supervised command, made visible to a thread blocked in `poll`.
///
/// A task's cancellation handler runs on whatever thread cancels it; it writes one byte to a pipe whose
/// read end is in the supervisor's poll set, so the command is stopped at once instead of at the next tick.
/// The write end is closed under the same lock, so a late cancellation never writes to a reused descriptor.
final class StopRequest: Sendable {
    private struct State {
        var requested = false
        var writer: Int32 = -1
    }

    private let state = Mutex(State())
    /// Polls readable once a stop was requested; -1 when no pipe could be made (then only `isRequested` tells).
    let reader: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if cps_pipe_cloexec(&fds) == 0 {
            reader = fds[0]
            state.withLock { $0.writer = fds[1] }
        } else {
            reader = -1
        }
    }

    var isRequested: Bool { state.withLock { $0.requested } }

    func request() {
        state.withLock { state in
            guard !state.requested else { return }
            state.requested = true
            if state.writer >= 0 {
                var byte: UInt8 = 1
                _ = write(state.writer, &byte, 1)
            }
        }
    }

    /// Closes both ends; later requests only set the flag.
    func close() {
        state.withLock { state in
            if state.writer >= 0 { _ = Glibc.close(state.writer) }
            state.writer = -1
        }
        if reader >= 0 { _ = Glibc.close(reader) }
    }
}
