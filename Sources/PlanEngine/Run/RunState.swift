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

    /// `learned` is where a rerun starts: the earlier run's `nodes`, `vars` and `steps`. `expectedRecords` is
    /// room for the records from the start: grown from empty, the list (a few hundred bytes a record) was copied
    /// whole at every doubling, a thousand instructions a step.
    init(inputs: Value.Object, nodeOrder: [String], learned: Value.Object = Value.Object(), expectedRecords: Int = 0) {
        records.reserveCapacity(expectedRecords)
        self.inputs = inputs
        self.nodeRank = Dictionary(nodeOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        if case .object(let o)? = learned["nodes"] { nodes = o }
        if case .object(let o)? = learned["vars"] { vars = o }
        if case .object(let o)? = learned["steps"] { steps = o }
    }

    private func storeNode(_ name: String, _ entry: Value.Object) {
        placeNode(name, .object(entry), in: &nodes)
    }

    /// Sets `object[node]`, a new node going where inventory order puts it (whichever answered first), so
    /// expressions over nodes (`select`, `keys`, `pluck`) give the same result every run. Nodes mostly
    /// answer in about that order: the place is looked for from the end, and nothing is sorted again.
    private func placeNode(_ node: String, _ value: Value, in object: inout Value.Object) {
        guard object[node] == nil else {
            object[node] = value
            return
        }
        let rank = (nodeRank[node] ?? .max, node)
        var index = object.count
        while index > 0, (nodeRank[object.keys[index - 1]] ?? .max, object.keys[index - 1]) > rank { index -= 1 }
        object.insert(value, forKey: node, at: index)
    }

    /// What expressions see; `node` is added per node by the caller.
    func scope() -> Value.Object {
        var scope = Value.Object(minimumCapacity: 5)
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

    /// `steps.ID.NODE` (or `steps.ID` without a node); a group's step `web.restart` lands under `steps.web`.
    func setStepResult(_ step: String, node: String?, _ value: Value.Object) {
        let path = step.split(separator: ".").map(String.init)
        guard let node else {
            Self.set(.object(value), at: path[...], in: &steps)
            return
        }
        Self.withObject(at: path[...], in: &steps) { placeNode(node, .object(value), in: &$0) }
    }

    /// One item of a loop: `steps.ID.NODE` holds `ok` (every item so far) and `items`, one result per item,
    /// and `values` (captures, `set:` values) collect into lists in item order, null for items not (yet) run.
    func setItem(
        _ step: String, node: String?, index: Int, count: Int, result: Value.Object, values: Value.Object = Value.Object(),
        valuesOnNode: Bool = false
    ) {
        let stepPath = step.split(separator: ".").map(String.init)
        let path = stepPath + (node.map { [$0] } ?? [])
        var entry = Self.value(at: path[...], in: steps)?.objectValue ?? Value.Object()
        var items = Self.padded(entry["items"], to: count)
        items[index] = .object(result)
        entry["ok"] = .bool(items.allSatisfy { $0.objectValue?["ok"] != .bool(false) })
        entry["items"] = .array(items)
        if let node {
            Self.withObject(at: stepPath[...], in: &steps) { placeNode(node, .object(entry), in: &$0) }
        } else {
            Self.set(.object(entry), at: path[...], in: &steps)
        }
        guard !values.isEmpty else { return }
        if valuesOnNode, let node {
            var collected = nodes[node]?.objectValue ?? Value.Object()
            for (key, value) in values {
                var list = Self.padded(collected[key], to: count)
                list[index] = value
                collected[key] = .array(list)
            }
            setCaptures(collected, on: node)
        } else {
            for (key, value) in values {
                var list = Self.padded(vars[key], to: count)
                list[index] = value
                vars[key] = .array(list)
            }
        }
    }

    /// A list of `count` values: the existing one when it has that length, else nulls.
    private static func padded(_ existing: Value?, to count: Int) -> [Value] {
        if case .array(let list)? = existing, list.count == count { return list }
        return [Value](repeating: .null, count: count)
    }

    private static func value(at path: ArraySlice<String>, in object: Value.Object) -> Value? {
        guard let first = path.first else { return .object(object) }
        guard path.count > 1 else { return object[first] }
        return object[first]?.objectValue.flatMap { value(at: path.dropFirst(), in: $0) }
    }

    /// Sets `value` at `path` in place: `steps` grows by a step at a time, and a copy of it per step made a
    /// run quadratic in its steps.
    private static func set(_ value: Value, at path: ArraySlice<String>, in object: inout Value.Object) {
        guard let last = path.last else { return }
        withObject(at: path.dropLast(), in: &object) { $0[last] = value }
    }

    /// Changes the object at `path` in place (made where missing): a fan-out over a thousand nodes sets a
    /// thousand results under one step, and copying that step's object for each made it quadratic.
    private static func withObject(
        at path: ArraySlice<String>, in object: inout Value.Object, _ body: (inout Value.Object) -> Void
    ) {
        guard let first = path.first else { return body(&object) }
        object.update(first, default: .object(Value.Object())) { value in
            var inner = value.objectValue ?? Value.Object()
            value = .null  // `inner` is then the only holder of its storage
            withObject(at: path.dropFirst(), in: &inner, body)
            value = .object(inner)
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

    /// A group's rollout batches (node names), for the dry-run to list.
    private(set) var batches: [(step: String, batches: [[String]])] = []

    func noteBatches(_ step: String, _ names: [[String]]) {
        if !batches.contains(where: { $0.step == step }) { batches.append((step, names)) }
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
