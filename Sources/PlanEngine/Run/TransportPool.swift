/// One transport per node per run, connected (probed) once before the node's first step.
///
/// Connection set-up has its own bound (`policy.max_connecting`), apart from the commands' `max_parallel`:
/// a fan-out over a thousand nodes starts a few handshakes at a time instead of all of them at once. A node
/// waiting for its turn has not started connecting, so its `ConnectTimeout` starts only when its turn comes.
actor TransportPool {
    typealias Factory = @Sendable (NodeDeclaration) -> any NodeTransport

    private let factory: Factory
    private let connectTimeout: Double
    private let connecting: ConcurrencyLimiter
    private var transports: [String: any NodeTransport] = [:]
    private var connections: [String: Task<TransportFailure?, Never>] = [:]

    init(factory: @escaping Factory, connectTimeout: Double, maxConnecting: Int) {
        self.factory = factory
        self.connectTimeout = connectTimeout
        self.connecting = ConcurrencyLimiter(limit: maxConnecting)
    }

    /// The node's transport, or the failure that keeps the node from being used. Concurrent callers for
    /// the same node share one connection attempt; cancelling a caller (Ctrl-C, the deadline) cancels it.
    func transport(for node: NodeDeclaration) async -> Result<any NodeTransport, TransportFailure> {
        let transport: any NodeTransport
        if let existing = transports[node.name] {
            transport = existing
        } else {
            transport = factory(node)
            transports[node.name] = transport
            let timeout = connectTimeout
            let connecting = self.connecting
            connections[node.name] = Task {
                await connecting.withSlot { await transport.connect(timeout: timeout) }
                    ?? TransportFailure(.interrupted, "connecting to node \(node.name) was interrupted")
            }
        }
        let connection = connections[node.name]!
        let failure = await withTaskCancellationHandler { await connection.value } onCancel: { connection.cancel() }
        if let failure { return .failure(failure) }
        return .success(transport)
    }

    /// Closes every transport (for SSH: asks each master to exit), several at a time: a thousand masters
    /// closed one by one would add seconds to the end of a run. Closing runs in a task of its own, so an
    /// interrupted run (whose task is cancelled) still closes what it opened.
    func closeAll() async {
        let open = Array(transports.values)
        transports.removeAll()
        // A connection still being set up is stopped first, so no master comes up after its `close`.
        for connection in connections.values { connection.cancel() }
        for connection in connections.values { _ = await connection.value }
        await Task {
            // Each close may start an ssh (`-O exit`): under a low open-file limit, fewer at once, or the spawns
            // fail for want of descriptors and masters stay behind.
            let closing = ConcurrencyLimiter(limit: min(16, OpenFileLimit.processBudget(limit: OpenFileLimit.current())))
            await withTaskGroup(of: Void.self) { group in
                for transport in open {
                    group.addTask { _ = await closing.withSlot { await transport.close() } }
                }
            }
        }.value
    }
}

/// Stands in for every node during `--dry-run`: contacts nothing, runs nothing.
struct DryRunTransport: NodeTransport {
    func connect(timeout: Double) async -> TransportFailure? { nil }
    func execute(_ request: CommandRequest) async -> CommandOutcome { CommandOutcome(exitCode: 0) }
    func close() async {}
}
