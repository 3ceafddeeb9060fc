#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Plain threads for work that blocks (a command's `poll` loop), so it never holds one of the few threads of
/// Swift's cooperative pool.
///
/// Finished threads wait a few seconds for the next job before they exit: creating a thread per command was
/// a tenth of planrun's own cost per trivial step. Each idle thread has its own condition, and a job is
/// handed to one idle thread directly, so two jobs never queue behind each other while a thread could start.
enum DetachedThread {
    /// How long an idle thread waits for another job.
    static let idleSeconds = 5

    /// Runs `body` on an idle thread or a new one; returns the `pthread_create` error, or 0.
    static func start(_ body: @escaping @Sendable () -> Void) -> Int32 {
        if let worker = IdleWorkers.shared.claim() {
            worker.hand(body)
            return 0
        }
        return Worker.spawn(first: body)
    }
}

/// One reusable thread: runs its job, then offers itself to `IdleWorkers` until the next one or the timeout.
private final class Worker: @unchecked Sendable {
    // Heap-allocated: the address of a Swift stored property is not guaranteed stable across accesses.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The next job; set under `mutex` by the one caller that claimed this worker.
    private var job: (@Sendable () -> Void)?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    static func spawn(first body: @escaping @Sendable () -> Void) -> Int32 {
        let worker = Worker()
        worker.job = body
        let context = Unmanaged.passRetained(worker).toOpaque()
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

    func hand(_ body: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        job = body
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    private func loop() {
        while true {
            pthread_mutex_lock(mutex)
            let next = job
            job = nil
            pthread_mutex_unlock(mutex)
            if let next {
                next()
            }
            IdleWorkers.shared.offer(self)
            guard waitForJob() else { return }
        }
    }

    /// Waits for a job; false when none came in time and this worker left the idle list (the thread ends).
    private func waitForJob() -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += DetachedThread.idleSeconds
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while job == nil {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT, job == nil {
                // Leave only if nobody claimed this worker meanwhile; a claimer hands the job right after.
                if IdleWorkers.shared.withdraw(self) { return false }
            }
        }
        return true
    }
}

/// The workers waiting for a job, most recently idle first.
private final class IdleWorkers: @unchecked Sendable {
    static let shared = IdleWorkers()
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var workers: [Worker] = []

    init() { pthread_mutex_init(mutex, nil) }

    func claim() -> Worker? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return workers.popLast()
    }

    func offer(_ worker: Worker) {
        pthread_mutex_lock(mutex)
        workers.append(worker)
        pthread_mutex_unlock(mutex)
    }

    /// Removes `worker` if it is still idle; false when a caller already claimed it.
    func withdraw(_ worker: Worker) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let index = workers.firstIndex(where: { $0 === worker }) else { return false }
        workers.remove(at: index)
        return true
    }
}
