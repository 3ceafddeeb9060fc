import Synchronization

/// Chooses the transport for each node of a run.
public enum TransportFactory {
    /// `controlDirectory` is the run's private directory for SSH control sockets; without one, SSH nodes
    /// report a connection failure instead of running anything.
    /// Each SSH node's control socket is named by a number counted up per run (short, whatever the node's
    /// name, for the 107-byte limit of a socket path).
    public static func standard(controlDirectory: String?) -> @Sendable (NodeDeclaration) -> any NodeTransport {
        let count = SocketCounter()
        return { node in
            if node.transport.needsControlDirectory, controlDirectory == nil {
                return UnavailableTransport(reason: "no private directory for SSH control sockets could be made")
            }
            let number = count.value.add(1, ordering: .relaxed).newValue
            return node.makeTransport(controlDirectory: controlDirectory ?? "", controlName: "n\(number)")
        }
    }
}

/// A node that cannot be used at all, reported as a connection failure by its probe.
struct UnavailableTransport: NodeTransport {
    let reason: String
    func connect(timeout: Double) async -> TransportFailure? { TransportFailure(.connection, reason) }
    func execute(_ request: CommandRequest) async -> CommandOutcome {
        CommandOutcome(exitCode: nil, failure: TransportFailure(.connection, reason))
    }
    func close() async {}
}

/// Numbers the control sockets of one run.
private final class SocketCounter: Sendable {
    let value = Atomic<Int>(0)
}
