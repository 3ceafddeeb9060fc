import Foundation
import PlanEngine
import Synchronization
import Testing

/// The trap is exercised on this very process: without it, the signals raised here would end the test run.
@Suite(.serialized)
struct SignalTrapTests {
    final class Calls: Sendable {
        let signals = Mutex<[Int32]>([])
    }

    @Test func firstSignalCallsTheHandlerOnce() async throws {
        let calls = Calls()
        let trap = InterruptTrap(signals: [SIGUSR1, SIGUSR2], onRepeat: .ignore) { signal in
            calls.signals.withLock { $0.append(signal) }
        }
        defer { trap.uninstall() }
        kill(getpid(), SIGUSR2)
        #expect(await eventually { calls.signals.withLock { !$0.isEmpty } })
        kill(getpid(), SIGUSR1)
        kill(getpid(), SIGUSR2)
        try await Task.sleep(for: .milliseconds(200))
        #expect(calls.signals.withLock { $0 } == [SIGUSR2])
        #expect(trap.received == SIGUSR2)
    }

    @Test func interruptDoesNotKillTheProcess() async throws {
        let calls = Calls()
        let trap = InterruptTrap(signals: [SIGINT], onRepeat: .ignore) { signal in
            calls.signals.withLock { $0.append(signal) }
        }
        defer { trap.uninstall() }
        kill(getpid(), SIGINT)
        #expect(await eventually { calls.signals.withLock { !$0.isEmpty } })
        #expect(trap.received == SIGINT)
    }

    @Test func brokenPipeIsAnErrorNotDeath() {
        ProcessSignals.ignoreBrokenPipe()
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let written = write(fds[1], "x", 1)
        let error = errno
        close(fds[1])
        #expect(written == -1)
        #expect(error == EPIPE)
    }

    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<100 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
