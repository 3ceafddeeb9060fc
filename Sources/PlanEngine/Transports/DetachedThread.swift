import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Plain threads for work that blocks (a command's `poll` loop), so it never holds one of the few threads of
/// Swift's cooperative pool. This is planrun's one thread pool; nothing else creates threads.
///
/// Finished threads wait a few seconds for the next job before they exit: creating a thread per command was
/// a tenth of planrun's own cost per trivial step. A job is handed to one idle thread directly (its own
/// semaphore), so two jobs never queue behind each other while a thread could start.
///
/// Why not Dispatch: on Linux its overcommit queues share one pool of at most 255 threads, and a command past
/// that would wait unwatched (its pipes not drained, its timeout not enforced) during a fan-out with
/// `max_parallel` in the hundreds. Foundation's `Thread` ignores a failed `pthread_create`, which here would
/// leave a command running with nobody to stop it.
enum DetachedThread {
    /// How long an idle thread waits for another job.
    static let idleSeconds = 5

    /// The threads waiting for a job, most recently idle first.
    fileprivate static let idle = Mutex<[Worker]>([])

    /// Runs `body` on an idle thread or a new one; returns the `pthread_create` error, or 0.
    static func start(_ body: @escaping @Sendable () -> Void) -> Int32 {
        if let worker = idle.withLock({ $0.popLast() }) {
            worker.hand(body)
            return 0
        }
        let worker = Worker()
        worker.hand(body)
        return worker.spawn()
    }
}

/// One reusable thread: runs its job, then offers itself as idle until the next job or the idle time is up.
private final class Worker: @unchecked Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let job = Mutex<(@Sendable () -> Void)?>(nil)

    func hand(_ body: @escaping @Sendable () -> Void) {
        job.withLock { $0 = body }
        wake.signal()
    }

    func spawn() -> Int32 {
        let context = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Small stacks: the loop needs little, and a wide fan-out starts many of these.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, { context in
            Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue().loop()
            return nil
        }, context)
        if code != 0 { Unmanaged<Worker>.fromOpaque(context).release() }
        return code
    }

    private func loop() {
        wake.wait()  // the first job was handed before the thread started
        while true {
            let next = job.withLock { job -> (@Sendable () -> Void)? in
                defer { job = nil }
                return job
            }
            next?()
            DetachedThread.idle.withLock { $0.append(self) }
            if wake.wait(timeout: .now() + .seconds(DetachedThread.idleSeconds)) == .timedOut {
                // Leave only if nobody claimed this worker meanwhile; a claimer signals right after.
                let claimed = DetachedThread.idle.withLock { idle in
                    guard let index = idle.firstIndex(where: { $0 === self }) else { return true }
                    idle.remove(at: index)
                    return false
                }
                guard claimed else { return }
                wake.wait()
            }
        }
    }
}
