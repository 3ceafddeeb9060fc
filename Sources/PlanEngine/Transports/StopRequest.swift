import CPosixSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The cancellation of one supervised command, made visible to a thread blocked in `poll`.
///
/// A task's cancellation handler runs on whatever thread cancels it; once the command is watched by a
/// blocking `poll` with no end in sight, it writes one byte to a pipe whose read end is in that poll set, so
/// the command is stopped at once instead of at the next tick. The pipe is made only then (`pollable()`):
/// most commands end within the first moment's watch, which looks at the flag instead, and never need it
/// (a pipe and its two closes were 3 of a trivial step's ~45 system calls). The write end is closed under
/// the same lock, so a late cancellation never writes to a reused descriptor.
final class StopRequest: Sendable {
    private struct State {
        var requested = false
        var reader: Int32 = -1
        var writer: Int32 = -1
        /// `pollable()` was called: a failed pipe is not tried again.
        var madePollable = false
        var closed = false
    }

    private let state = Mutex(State())

    init() {}

    var isRequested: Bool { state.withLock { $0.requested } }

    /// A descriptor that polls readable once a stop was requested (at once when it already was), made on
    /// the first call; -1 when no pipe could be made (then only `isRequested` tells).
    func pollable() -> Int32 {
        state.withLock { state in
            guard !state.madePollable else { return state.reader }
            state.madePollable = true
            guard !state.closed else { return -1 }
            var fds: [Int32] = [-1, -1]
            guard cps_pipe_cloexec(&fds) == 0 else { return -1 }
            state.reader = fds[0]
            state.writer = fds[1]
            if state.requested { Self.poke(fds[1]) }
            return state.reader
        }
    }

    func request() {
        state.withLock { state in
            guard !state.requested else { return }
            state.requested = true
            if state.writer >= 0 { Self.poke(state.writer) }
        }
    }

    /// Closes both ends; later requests only set the flag.
    func close() {
        state.withLock { state in
            if state.writer >= 0 { _ = Glibc.close(state.writer) }
            if state.reader >= 0 { _ = Glibc.close(state.reader) }
            state.writer = -1
            state.reader = -1
            state.closed = true
        }
    }

    private static func poke(_ writer: Int32) {
        var byte: UInt8 = 1
        _ = write(writer, &byte, 1)
    }
}
