/// What to run: a decoded plan, the operation picked, resolved inputs, and how.
public struct RunRequest: Sendable {
    public var plan: Plan
    public var operation: Operation
    /// Typed and defaulted inputs, `operation` included.
    public var inputs: Value.Object
    /// Resolve everything and start nothing.
    public var dryRun: Bool
    /// `--diff`: show what each `copy` changes, per node (reads the nodes, even in a dry-run).
    public var diff = false
    /// Seconds an SSH node has to accept the connection probe.
    public var connectTimeout: Double
    /// Seconds between SIGTERM and SIGKILL when a command is stopped.
    public var grace: Double
    /// Bytes kept of each command's stdout and stderr.
    public var outputLimit: Int
    /// `--rerun-failed`: only what an earlier run left to do.
    public var rerun: Rerun?
    /// `--no-cache`: run `cache:` steps; their fresh results are still kept for later runs.
    public var noCache = false
    /// Run only this slice of the nodes (`--shard I/N`); the result carries what `planrun merge` needs.
    public var shard: Shard?
    /// `--limit`: the only nodes steps may run on (groups already expanded); nil for every node.
    public var limit: Set<String>? = nil
    /// `planrun merge`: only node-less steps are evaluated; node steps ran in the shards, which recorded them.
    var merging = false

    public init(
        plan: Plan, operation: Operation, inputs: Value.Object, dryRun: Bool = false, connectTimeout: Double = 10,
        grace: Double = 2, outputLimit: Int = 1 << 20
    ) {
        self.plan = plan
        self.operation = operation
        self.inputs = inputs
        self.dryRun = dryRun
        self.connectTimeout = connectTimeout
        self.grace = grace
        self.outputLimit = outputLimit
    }
}
