/// What the engine asks of a node's transport, answered by the transport itself: the places that show,
/// cache or connect a node do not switch over its kind. A new transport is a case of `Transport` (PlanCore)
/// and its answers here, plus its `NodeTransport`.
extension Transport {
    /// `local` or `ssh`: what `node.transport` reads in expressions.
    public var kind: String {
        switch self {
        case .local: return "local"
        case .ssh: return "ssh"
        }
    }

    /// The remote host, for `node.host`; nil for this machine.
    public var host: String? {
        if case .ssh(let ssh) = self { return ssh.host }
        return nil
    }

    /// What `explain` shows, and where `cache:` takes the node to be (a node of the same name elsewhere never
    /// answers for it): `local`, or `ssh USER@HOST:PORT` with what the inventory gives.
    public var description: String {
        guard case .ssh(let ssh) = self else { return kind }
        return "ssh " + (ssh.user.map { $0 + "@" } ?? "") + ssh.host + (ssh.port.map { ":\($0)" } ?? "")
    }

    /// Whether the node needs the run's private directory for control sockets.
    var needsControlDirectory: Bool { host != nil }

    /// The transport that runs the node's commands: `LocalTransport`, or `SSHTransport` with its control socket
    /// `controlName` in `controlDirectory` (one private directory per run, see `SSHControlDirectory`).
    func make(node: String, controlDirectory: String, controlName: String, connectTimeout: Double) -> any NodeTransport {
        switch self {
        case .local:
            return LocalTransport()
        case .ssh(let settings):
            return SSHTransport(
                node: node, settings: settings, controlDirectory: controlDirectory, controlName: controlName,
                connectTimeout: connectTimeout)
        }
    }
}

extension NodeDeclaration {
    /// This node's transport (`Transport.make`); one per node per run.
    public func makeTransport(controlDirectory: String, controlName: String = "%C", connectTimeout: Double = 10) -> any NodeTransport {
        transport.make(node: name, controlDirectory: controlDirectory, controlName: controlName, connectTimeout: connectTimeout)
    }
}
