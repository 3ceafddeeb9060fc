#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs `body` with SIGPIPE held back at this thread, and takes any that came.
///
/// A write to a pipe whose reader is gone (a child that stopped reading, a session that just ended) fails with
/// EPIPE and raises SIGPIPE at the writing thread; held and taken here, it cannot kill a process that has not
/// ignored it (a test, a library user), and the EPIPE tells the caller what happened.
func withBrokenPipeHeld<T>(_ body: () -> T) -> T {
    var brokenPipe = sigset_t()
    sigemptyset(&brokenPipe)
    sigaddset(&brokenPipe, SIGPIPE)
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &brokenPipe, &previous)
    defer {
        var now = timespec()
        while sigtimedwait(&brokenPipe, nil, &now) > 0 {}
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
    return body()
}
