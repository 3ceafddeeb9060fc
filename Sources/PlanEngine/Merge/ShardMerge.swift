/// `planrun merge`: the results of every shard of one run united into one result, as if one run had done it.
///
/// Steps, captures and issues are united (node-less steps of the first three phases come from shard 0,
/// where they ran); the validate phase's node-less steps and the plan's `output:` are evaluated again over
/// the united data, so a cross-node assert holds or fails across shards. The result has the schema and
/// the exit-code rules of a run.
public enum ShardMerge {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// One result document: where it came from and its text.
    public struct Document: Sendable {
        public var source: String
        public var text: String
        public init(source: String, text: String) {
            self.source = source
            self.text = text
        }
    }

    /// Reads the shards, checks that every one of them is there exactly once, loads the plan (`plan`, or
    /// the path the shards recorded) and unites their results.
    public static func merge(_ documents: [Document], plan override: String? = nil) async throws(Failure) -> RunResult {
        guard !documents.isEmpty else { throw Failure("no results to merge") }
        var shards: [ShardResult] = []
        for document in documents { shards.append(try ShardResult(source: document.source, text: document.text)) }
        shards = try complete(shards)
        let request = try request(for: shards, plan: override)
        let seed = Self.seed(shards, operation: request.operation)
        // Nothing is contacted: a node that is asked for anyway is unavailable.
        let runner = PlanRunner(request, transports: { _ in UnavailableTransport(reason: "planrun merge contacts no node") })
        return await runner.evaluateMerged(seed)
    }

    /// The shards in index order, or the failure naming a shard that is missing, given twice or of
    /// another run.
    static func complete(_ shards: [ShardResult]) throws(Failure) -> [ShardResult] {
        let first = shards[0]
        for shard in shards.dropFirst() {
            if shard.count != first.count {
                throw Failure("\(first.source) is shard \(first.index) of \(first.count), but \(shard.source) is shard \(shard.index) of \(shard.count)")
            }
            if shard.operation != first.operation {
                throw Failure("\(first.source) ran operation '\(first.operation)', but \(shard.source) ran '\(shard.operation)'")
            }
        }
        var byIndex: [Int: ShardResult] = [:]
        for shard in shards {
            if let earlier = byIndex[shard.index] {
                throw Failure("shard \(shard.index) of \(shard.count) is given twice: \(earlier.source) and \(shard.source)")
            }
            byIndex[shard.index] = shard
        }
        let missing = (0..<first.count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            let given = byIndex.keys.sorted().map(String.init).joined(separator: ", ")
            let names = missing.map(String.init).joined(separator: ", ")
            throw Failure(
                (missing.count == 1 ? "shard \(names) of \(first.count) is missing" : "shards \(names) of \(first.count) are missing")
                    + " (given: \(given))")
        }
        return (0..<first.count).map { byIndex[$0]! }
    }

    /// The run to evaluate: the shards' plan and operation, their inputs, and their nodes in shard order.
    private static func request(for shards: [ShardResult], plan override: String?) throws(Failure) -> RunRequest {
        let path = override ?? shards[0].plan
        let (decoded, diagnostics) = PlanDecoder.decode(path: path)
        guard var plan = decoded, !diagnostics.hasErrors else {
            let first = diagnostics.first { $0.severity == .error }.map { ": \($0.message)" } ?? ""
            throw Failure("cannot read the plan \(path)\(first)")
        }
        guard let operation = plan.operation(named: shards[0].operation) else {
            throw Failure("the plan \(path) has no operation '\(shards[0].operation)'")
        }
        // The shards' nodes (their inventory may have come from --inventory); never contacted here.
        let declared = Dictionary(plan.inventory.nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        plan.inventory.nodes = shards.flatMap(\.nodes).map { declared[$0] ?? NodeDeclaration(name: $0) }
        var request = RunRequest(plan: plan, operation: operation, inputs: shards[0].inputs)
        request.merging = true
        return request
    }

    /// The shards' records, issues and data united.
    static func seed(_ shards: [ShardResult], operation: Operation) -> MergeSeed {
        let nodeless = operation.nodelessStepIDs
        var seed = MergeSeed()
        var seenWithoutNode = Set<String>()
        var seenRunIssues = Set<String>()
        for shard in shards {
            for record in shard.records {
                if nodeless.contains(record.step) {
                    // Evaluated again below (validate), or run in shard 0 only (the other phases).
                    if record.phase == .validate || shard.index != 0 { continue }
                }
                // A node step's record without a node (not run, skipped by its group's `when`, its target
                // unresolved) is the same in every shard: kept once.
                let key = [record.step, record.status.rawValue, record.reason ?? "", record.itemIndex.map(String.init) ?? ""]
                if record.node == nil, !seenWithoutNode.insert(key.joined(separator: "\u{0}")).inserted { continue }
                seed.records.append(record)
            }
            for issue in shard.issues {
                if let id = issue.step, nodeless.contains(id), issue.phase == .validate { continue }
                if issue.step == nil, issue.node == nil,
                    !seenRunIssues.insert(issue.kind.rawValue + "\u{0}" + issue.message).inserted
                {
                    continue
                }
                seed.issues.append(issue)
            }
            for text in shard.recommendations where !seed.recommendations.contains(text) {
                seed.recommendations.append(text)
            }
            seed.ending = seed.ending.worse(shard.ending)
            seed.executionTime = max(seed.executionTime, shard.executionTime)
            if case .int(let held)? = shard.data["asserts_held"] { seed.assertsHeld += held }
            if case .int(let counted)? = shard.data["asserts_counted"] { seed.assertsCounted += counted }
            unite(&seed.nodes, shard.data["nodes"]?.objectValue)
            unite(&seed.vars, shard.data["vars"]?.objectValue)
            for (id, value) in shard.data["steps"]?.objectValue ?? Value.Object() {
                if nodeless.contains(id) {
                    if shard.index == 0 { seed.steps[id] = value }
                    continue
                }
                var perNode = seed.steps[id]?.objectValue ?? Value.Object()
                uniteSteps(&perNode, value.objectValue)
                seed.steps[id] = .object(perNode)
            }
        }
        // `nodes` in inventory order, as a run lists them.
        let order = shards.flatMap(\.nodes)
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var ordered = Value.Object()
        for name in seed.nodes.keys.sorted(by: { (rank[$0] ?? .max, $0) < (rank[$1] ?? .max, $1) }) {
            ordered[name] = seed.nodes[name]
        }
        seed.nodes = ordered
        return seed
    }

    /// Adds `other`'s entries to `object`; an entry both have (a node that answered in two shards) gets the
    /// keys of both.
    /// `unite` at every depth, for `steps`: a group's steps nest under its id (`steps.GROUP.STEP.NODE`, deeper
    /// for groups in groups), and each shard holds the nodes it ran at the bottom.
    private static func uniteSteps(_ object: inout Value.Object, _ other: Value.Object?) {
        for (key, value) in other ?? Value.Object() {
            if case .object(var mine)? = object[key], case .object(let theirs) = value {
                uniteSteps(&mine, theirs)
                object[key] = .object(mine)
            } else {
                object[key] = value
            }
        }
    }

    private static func unite(_ object: inout Value.Object, _ other: Value.Object?) {
        for (key, value) in other ?? Value.Object() {
            if case .object(let mine)? = object[key], case .object(let theirs) = value {
                var both = mine
                for (k, v) in theirs { both[k] = v }
                object[key] = .object(both)
            } else {
                object[key] = value
            }
        }
    }
}

/// What `planrun merge` starts its evaluation from: the shards' united records, issues and data.
public struct MergeSeed: Sendable {
    var nodes = Value.Object()
    var steps = Value.Object()
    var vars = Value.Object()
    var records: [StepRecord] = []
    var issues: [RunIssue] = []
    var recommendations: [String] = []
    var assertsHeld = 0
    var assertsCounted = 0
    var ending: RunResult.Ending = .finished
    /// Seconds: the longest shard's, since shards run side by side.
    var executionTime = 0.0
}
