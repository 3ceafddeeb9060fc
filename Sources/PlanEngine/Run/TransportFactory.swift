/// Chooses the transport for each node: this machine's processes, or OpenSSH with a control socket in
/// the run's private directory.
public enum TransportFactory {
    public static func standard(controlDirectory: String?) -> @Sendable (NodeDeclaration) -> any NodeTransport {
        { node in
            switch node.transport {
            case .local: return LocalTransport()
            case .ssh(let settings):
                guard let controlDirectory else { return UnavailableTransport(reason: "no private directory for SSH control sockets") }
                return SSHTransport(node: node.name, settings: settings, controlDirectory: controlDirectory)
            }
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
