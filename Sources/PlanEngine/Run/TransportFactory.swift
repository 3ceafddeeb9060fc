/// Chooses the transport for each node.
public enum TransportFactory {
    public static func standard() -> @Sendable (NodeDeclaration) -> any NodeTransport {
        { _ in DryRunTransport() } // TODO(transport): LocalTransport / SSHTransport once merged.
    }
}
