/// Chooses the transport for each node.
public enum TransportFactory {
    public static func standard() -> @Sendable (NodeDeclaration) -> any NodeTransport {
        { node in
            switch node.transport {
            case .local: return LocalTransport()
            case .ssh: return LocalTransport() // TODO(transport): SSHTransport once merged.
            }
        }
    }
}
