#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Two pieces of independent work at once, one on a new thread: for the few places where a large plan's
/// work splits cleanly in two (its steps to decode, its rules to check) and a second core would otherwise
/// sit idle. Synchronous, so callers stay simple; when no thread can be started, both run here in turn.
enum Concurrently {
    /// Returns `(first(), second())`, having run `second` on another thread.
    static func run<A, B: Sendable>(_ first: () -> A, _ second: @escaping @Sendable () -> B) -> (A, B) {
        let other = OtherThread(second)
        guard other.start() else { return (first(), second()) }
        let a = first()
        return (a, other.join())
    }

    /// One piece of work on its own thread; its result is written before the thread ends and read after
    /// the join, which orders the two.
    private final class OtherThread<B: Sendable>: @unchecked Sendable {
        private let work: @Sendable () -> B
        private var result: B?
        private var thread = pthread_t()

        init(_ work: @escaping @Sendable () -> B) { self.work = work }

        func start() -> Bool {
            // A C thread function cannot be generic: it is handed a closure that stores the result.
            let body = ThreadBody { self.result = self.work() }
            let context = Unmanaged.passRetained(body).toOpaque()
            var started = pthread_t()
            guard pthread_create(&started, nil, { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context) == 0 else {
                Unmanaged<ThreadBody>.fromOpaque(context).release()
                return false
            }
            thread = started
            return true
        }

        func join() -> B {
            pthread_join(thread, nil)
            return result!
        }
    }

    private final class ThreadBody: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
