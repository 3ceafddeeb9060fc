/// Chooses the transport for each node of a run.
public enum TransportFactory {
    /// `controlDirectory` is the run's private directory for SSH control sockets; without one, SSH nodes
    /// report a connection failure instead of running anything.
    public static func standard(controlDirectory: String?) -> @Sendable (NodeDeclaration) -> any NodeTransport {
        { node in
            if case .ssh = node.transport, controlDirectory == nil {
                return UnavailableTransport(reason: "no private directory for SSH control sockets could be made")
            }
            return node.makeTransport(controlDirectory: controlDirectory ?? "")
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
