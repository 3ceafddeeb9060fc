@testable import PlanEngine
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The threads that carry blocking command loops: reused, yet never queued behind each other.
struct DetachedThreadTests {
    /// Jobs that only finish once all of them run at the same time: a pool that handed two jobs to one
    /// thread would leave them waiting for each other until the give-up time.
    @Test func concurrentJobsAllRunAtOnceEvenWithIdleThreadsAround() async {
        for round in 0..<3 {  // later rounds find idle threads left by the earlier ones
            let jobs = 6
            let running = Counter()
            let metUp = Counter()
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<jobs {
                    group.addTask {
                        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                            let code = DetachedThread.start {
                                running.increment()
                                // Give up after 10 s rather than hang the suite.
                                for _ in 0..<10_000 where running.value < jobs { usleep(1000) }
                                if running.value >= jobs { metUp.increment() }
                                continuation.resume()
                            }
                            #expect(code == 0)
                            if code != 0 { continuation.resume() }
                        }
                    }
                }
            }
            #expect(metUp.value == jobs, "round \(round)")
        }
    }
}

private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func increment() { count.add(1, ordering: .acquiringAndReleasing) }
}
