import Foundation
import PlanEngine
import PlanTestSupport
import Synchronization
import Testing

/// Connection set-up on its own bound (`policy.max_connecting`), its time kept out of a step's timeout, and
/// a node that never answers reported as a connection failure.
@Suite(.serialized)
struct ConnectionBoundTests {
    typealias B = PlanBuilder

    /// A node whose `connect` takes `connectSeconds`, counting how many connect at once and what timeout
    /// each command is given.
    final class SlowConnections: Sendable {
        let connectSeconds: Double
        private let state = Mutex((now: 0, most: 0, timeouts: [Double]()))
        init(connectSeconds: Double) { self.connectSeconds = connectSeconds }

        var most: Int { state.withLock { $0.most } }
        var timeouts: [Double] { state.withLock { $0.timeouts } }

        func transport() -> any NodeTransport { Node(owner: self) }

        struct Node: NodeTransport {
            let owner: SlowConnections
            func connect(timeout: Double) async -> TransportFailure? {
                owner.state.withLock {
                    $0.now += 1
                    $0.most = max($0.most, $0.now)
                }
                try? await Task.sleep(for: .seconds(owner.connectSeconds))
                owner.state.withLock { $0.now -= 1 }
                return nil
            }
            func execute(_ request: CommandRequest) async -> CommandOutcome {
                owner.state.withLock { $0.timeouts.append(request.timeout) }
                return CommandOutcome(exitCode: 0)
            }
            func close() async {}
        }
    }

    private func request(_ plan: (Plan, PlanCore.Operation), maxConnecting: Int, connectTimeout: Double = 10) -> RunRequest {
        var (plan, operation) = plan
        plan.policy.maxConnecting = maxConnecting
        let inputs = Value.Object([("operation", .string(operation.name))])
        return RunRequest(plan: plan, operation: operation, inputs: inputs, connectTimeout: connectTimeout, grace: 0.5)
    }

    @Test func connectionSetUpIsBoundedApartFromMaxParallel() async {
        let nodes = (1...40).map { "n\($0)" }
        let plan = B.plan(nodes: nodes, maxParallel: 40, steps: [B.run("hi", "echo hi", target: nodes)])
        let slow = SlowConnections(connectSeconds: 0.03)
        let result = await PlanRunner(request(plan, maxConnecting: 3), transports: { _ in slow.transport() }).run()
        #expect(result.steps.filter { $0.status == .succeeded }.count == 40)
        #expect(slow.most == 3)
    }

    @Test func theWaitForAConnectionDoesNotCountAgainstTheStepTimeout() async {
        // One connection at a time, 0.3 s each: the last of six nodes waits 1.5 s before its command starts,
        // longer than the step's 1 s timeout. Its `until:` budget is still the whole second.
        let nodes = (1...6).map { "n\($0)" }
        let plan = B.plan(nodes: nodes, maxParallel: 6, steps: [
            B.run("poll", "true", target: nodes, timeout: 1, until: "${{ true }}")
        ])
        let slow = SlowConnections(connectSeconds: 0.3)
        let result = await PlanRunner(request(plan, maxConnecting: 1), transports: { _ in slow.transport() }).run()
        #expect(result.steps.map(\.status) == Array(repeating: .succeeded, count: 6))
        #expect(slow.timeouts.count == 6)
        #expect(slow.timeouts.allSatisfy { $0 > 0.9 }, "command timeouts: \(slow.timeouts)")
    }

    @Test func aNodeThatNeverAnswersIsAConnectionFailureNotATimeout() async throws {
        // A listener that accepts TCP (the kernel's backlog does) and never says a word.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 16) == 0
            }
        }
        try #require(listening)
        var (plan, operation) = B.plan(nodes: ["mute"], steps: [B.run("hi", "echo hi", timeout: 30)])
        let settings = SSHSettings(
            host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)),
            options: [.init(name: "UserKnownHostsFile", value: "/dev/null")])
        plan.inventory.nodes = [NodeDeclaration(name: "mute", transport: .ssh(settings))]
        let clock = ContinuousClock()
        let started = clock.now
        let result = await PlanRunner(request((plan, operation), maxConnecting: 8, connectTimeout: 1)).run()
        #expect(clock.now - started < .seconds(15))
        #expect(result.steps.first?.status == .failed)
        #expect(result.issues.map(\.kind) == [.connection], "issues: \(result.issues)")
        #expect(result.issues.first?.node == "mute")
    }
}
