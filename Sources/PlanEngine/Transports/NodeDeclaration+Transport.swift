extension NodeDeclaration {
    /// The transport that runs this node's commands: `LocalTransport`, or `SSHTransport` with its control
    /// socket `controlName` in `controlDirectory` (one private directory per run, see `SSHControlDirectory`).
    public func makeTransport(controlDirectory: String, controlName: String = "%C", connectTimeout: Double = 10) -> any NodeTransport {
        switch transport {
        case .local:
            return LocalTransport()
        case .ssh(let settings):
            return SSHTransport(
                node: name, settings: settings, controlDirectory: controlDirectory, controlName: controlName,
                connectTimeout: connectTimeout)
        }
    }
}
