/// `--rerun-failed`: what an earlier run left to do. Steps before `fromStep` (plan order) are not run
/// again; node steps run only on `nodes`; the earlier run's knowledge (captures, vars, step results) is
/// where this run starts, so later steps and asserts still see the nodes that are not run again.
public struct Rerun: Sendable {
    /// The store's id of the run this one repeats.
    public var previous: Int
    /// The first step (top level, plan order) that did not end well there.
    public var fromStep: String
    /// The nodes whose steps failed or were not reached; nil means every node.
    public var nodes: Set<String>?
    /// `nodes`, `vars` and `steps` at the end of the earlier run, without the nodes run again.
    public var learned: Value.Object

    public init(previous: Int, fromStep: String, nodes: Set<String>?, learned: Value.Object) {
        self.previous = previous
        self.fromStep = fromStep
        self.nodes = nodes
        self.learned = learned
    }

    /// Works out what is left from an earlier run's step records (its result's `steps`): the first step, in
    /// `operation`'s order, with a record that did not end well (failed, cancelled, not run) or with none at
    /// all; and the nodes with a failed or cancelled record. Nil when everything ended well.
    public static func left(
        by steps: [(step: String, node: String?, status: String)], in operation: Operation, previous: Int,
        learned: Value.Object
    ) -> Rerun? {
        let bad: Set<String> = ["failed", "cancelled", "not_run"]
        var byStep: [String: [String]] = [:]
        for record in steps { byStep[record.step, default: []].append(record.status) }
        guard let first = operation.steps.first(where: { step in
            guard let statuses = byStep[step.id] else { return true }
            return statuses.contains { bad.contains($0) }
        }) else { return nil }
        let failedNodes = Set(steps.filter { $0.node != nil && ($0.status == "failed" || $0.status == "cancelled") }.compactMap(\.node))
        var seed = learned
        if !failedNodes.isEmpty, case .object(var nodes)? = seed["nodes"] {
            for node in failedNodes { nodes[node] = nil }
            seed["nodes"] = .object(nodes)
        } else if failedNodes.isEmpty {
            seed["nodes"] = nil
        }
        return Rerun(previous: previous, fromStep: first.id, nodes: failedNodes.isEmpty ? nil : failedNodes, learned: seed)
    }
}
