/// One transport per node per run, connected (probed) once before the node's first step.
actor TransportPool {
    typealias Factory = @Sendable (NodeDeclaration) -> any NodeTransport

    private let factory: Factory
    private let connectTimeout: Double
    private var transports: [String: any NodeTransport] = [:]
    private var connections: [String: Task<TransportFailure?, Never>] = [:]

    init(factory: @escaping Factory, connectTimeout: Double) {
        self.factory = factory
        self.connectTimeout = connectTimeout
    }

    /// The node's transport, or the failure that keeps the node from being used. Concurrent callers for
    /// the same node share one connection attempt.
    func transport(for node: NodeDeclaration) async -> Result<any NodeTransport, TransportFailure> {
        let transport: any NodeTransport
        if let existing = transports[node.name] {
            transport = existing
        } else {
            transport = factory(node)
            transports[node.name] = transport
            let timeout = connectTimeout
            connections[node.name] = Task { await transport.connect(timeout: timeout) }
        }
        if let failure = await connections[node.name]!.value { return .failure(failure) }
        return .success(transport)
    }

    func closeAll() async {
        for transport in transports.values { await transport.close() }
        transports.removeAll()
    }
}

/// Stands in for every node during `--dry-run`: contacts nothing, runs nothing.
struct DryRunTransport: NodeTransport {
    func connect(timeout: Double) async -> TransportFailure? { nil }
    func execute(_ request: CommandRequest) async -> CommandOutcome { CommandOutcome(exitCode: 0) }
    func close() async {}
}
