#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts a plain thread for work that blocks (a command's `poll` loop), so it never holds one of the
/// few threads of Swift's cooperative pool.
enum DetachedThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Returns the `pthread_create` error, or 0 when the thread runs.
    static func start(_ body: @escaping @Sendable () -> Void) -> Int32 {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Small stacks: the loop needs little, and a wide fan-out starts many of these.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if code != 0 { Unmanaged<Box>.fromOpaque(box).release() }
        return code
    }
}
