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
    fileprivate final class OtherThread<B: Sendable>: @unchecked Sendable, Computing {
        private let work: @Sendable () -> B
        private var result: B?
        private var thread = pthread_t()

        init(_ work: @escaping @Sendable () -> B) { self.work = work }

        func start() -> Bool {
            let context = Unmanaged.passRetained(self as AnyObject).toOpaque()
            var started = pthread_t()
            guard pthread_create(&started, nil, otherThreadMain, context) == 0 else {
                Unmanaged<AnyObject>.fromOpaque(context).release()
                return false
            }
            thread = started
            return true
        }

        func compute() { result = work() }

        func join() -> B {
            pthread_join(thread, nil)
            return result!
        }
    }
}

/// What the new thread runs: the work object's `compute` (a C function pointer cannot be generic).
private protocol Computing: AnyObject {
    func compute()
}

private func otherThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    (Unmanaged<AnyObject>.fromOpaque(context!).takeRetainedValue() as! any Computing).compute()
    return nil
}
