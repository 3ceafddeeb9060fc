/// The mutable state of one run: what expressions can read, and what the result will report.
actor RunState {
    private(set) var inputs: Value.Object
    private var nodes = Value.Object()
    private var steps = Value.Object()
    private var vars = Value.Object()

    private(set) var records: [StepRecord] = []
    private(set) var issues: [RunIssue] = []
    private(set) var recommendations: [String] = []
    private(set) var assertsHeld = 0
    private(set) var assertsCounted = 0
    /// Node name → the step that marked it offline.
    private(set) var offline: [String: String] = [:]
    /// Why no new work starts any more; nil while the run goes on.
    private(set) var stop: RunResult.Ending?
    /// Steps that ran without leaving a record: in a sharded run, a node step none of whose nodes are in
    /// the shard. They are not "not run".
    private(set) var handled: Set<String> = []

    /// Inventory order, so `nodes` lists nodes the same way whichever answered first.
    private let nodeRank: [String: Int]

    /// `learned` is where a rerun starts: the earlier run's `nodes`, `vars` and `steps`.
    init(inputs: Value.Object, nodeOrder: [String], learned: Value.Object = Value.Object()) {
        self.inputs = inputs
        self.nodeRank = Dictionary(nodeOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        if case .object(let o)? = learned["nodes"] { nodes = o }
        if case .object(let o)? = learned["vars"] { vars = o }
        if case .object(let o)? = learned["steps"] { steps = o }
    }

    private func storeNode(_ name: String, _ entry: Value.Object) {
        let isNew = nodes[name] == nil
        nodes[name] = .object(entry)
        guard isNew, nodes.count > 1 else { return }
        var ordered = Value.Object()
        for key in nodes.keys.sorted(by: { (nodeRank[$0] ?? .max, $0) < (nodeRank[$1] ?? .max, $1) }) {
            ordered[key] = nodes[key]
        }
        nodes = ordered
    }

    /// What expressions see; `node` is added per node by the caller.
    func scope() -> Value.Object {
        var scope = Value.Object()
        scope["inputs"] = .object(inputs)
        scope["nodes"] = .object(nodes)
        scope["steps"] = .object(steps)
        scope["vars"] = .object(vars)
        return scope
    }

    // MARK: Nodes

    func nodeContacted(_ node: String, online: Bool) {
        var entry = nodes[node]?.objectValue ?? Value.Object([("name", .string(node))])
        if entry["status"] != .string("offline") || online == false {
            entry["status"] = .string(online ? "online" : "offline")
        }
        storeNode(node, entry)
    }

    private var unreachableReported = Set<String>()

    /// True the first time a node's connection failure is reported, so it is one issue, not one per step.
    func firstConnectionFailure(_ node: String) -> Bool {
        unreachableReported.insert(node).inserted
    }

    func markOffline(_ node: String, by step: String) {
        if offline[node] == nil { offline[node] = step }
        nodeContacted(node, online: false)
    }

    func setCaptures(_ captures: Value.Object, on node: String) {
        var entry = nodes[node]?.objectValue ?? Value.Object([("name", .string(node)), ("status", .string("online"))])
        for (key, value) in captures { entry[key] = value }
        storeNode(node, entry)
    }

    // MARK: Steps

    func setStepResult(_ step: String, node: String?, _ value: Value.Object) {
        if let node {
            var entry = steps[step]?.objectValue ?? Value.Object()
            entry[node] = .object(value)
            steps[step] = .object(entry)
        } else {
            steps[step] = .object(value)
        }
    }

    func setVars(_ values: Value.Object) {
        for (key, value) in values { vars[key] = value }
    }

    func record(_ record: StepRecord) {
        records.append(record)
    }

    func markHandled(_ step: String) {
        handled.insert(step)
    }

    /// What a sharded run hands to `planrun merge`: the data expressions read, and the asserts counted.
    func shardData() -> Value.Object {
        Value.Object([
            ("nodes", .object(nodes)), ("steps", .object(steps)), ("vars", .object(vars)),
            ("asserts_held", .int(assertsHeld)), ("asserts_counted", .int(assertsCounted)),
        ])
    }

    /// Starts `planrun merge`'s evaluation from the shards' united data.
    func seed(_ seed: MergeSeed) {
        nodes = seed.nodes
        steps = seed.steps
        vars = seed.vars
        records = seed.records
        issues = seed.issues
        recommendations = seed.recommendations
        assertsHeld = seed.assertsHeld
        assertsCounted = seed.assertsCounted
        stop = seed.ending == .finished ? nil : seed.ending
    }

    func report(_ issue: RunIssue) {
        issues.append(issue)
    }

    /// Marks the issues of `step` on `node` as rescued by a fallback.
    func markRecovered(step: String, node: String) {
        for i in issues.indices where issues[i].step == step && issues[i].node == node {
            issues[i].recovered = true
        }
    }

    func recommend(_ text: String) {
        if !text.isEmpty, !recommendations.contains(text) { recommendations.append(text) }
    }

    func countAssert(held: Bool) {
        assertsCounted += 1
        if held { assertsHeld += 1 }
    }

    func halt(_ ending: RunResult.Ending) {
        if stop == nil { stop = ending }
    }
}

extension Value {
    var objectValue: Value.Object? {
        if case .object(let o) = self { return o }
        return nil
    }
}
