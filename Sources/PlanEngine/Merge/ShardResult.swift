/// One shard's result document as `planrun merge` reads it back: which shard it is, its records and
/// issues, and the data its expressions saw.
struct ShardResult: Sendable {
    /// Where the document came from (a file name, or `-`), for messages.
    var source: String
    var index: Int
    var count: Int
    var operation: String
    var plan: String
    var nodes: [String]
    var inputs: Value.Object
    var ending: RunResult.Ending
    var data: Value.Object
    var records: [StepRecord]
    var issues: [RunIssue]
    var recommendations: [String]
    var executionTime: Double

    /// Reads a result JSON printed by `planrun run --shard I/N`.
    init(source: String, text: String) throws(ShardMerge.Failure) {
        let document: Value
        do { document = try Value.parseJSON(text) } catch {
            throw ShardMerge.Failure("\(source): not a result JSON document: \(error.message)")
        }
        guard case .object(let o) = document else { throw ShardMerge.Failure("\(source): not a result JSON object") }
        guard case .object(let shard)? = o["shard"] else {
            throw ShardMerge.Failure("\(source): not the result of a sharded run (no 'shard' key); run each shard with --shard I/N")
        }
        func field<T>(_ object: Value.Object, _ key: String, _ read: (Value) -> T?) throws(ShardMerge.Failure) -> T {
            guard let value = object[key], let read = read(value) else {
                throw ShardMerge.Failure("\(source): the result's '\(key)' is missing or malformed")
            }
            return read
        }
        self.source = source
        index = try field(shard, "index") { if case .int(let i) = $0 { i } else { nil } }
        count = try field(shard, "count") { if case .int(let i) = $0 { i } else { nil } }
        plan = try field(shard, "plan") { if case .string(let s) = $0 { s } else { nil } }
        nodes = try field(shard, "nodes") { Self.strings($0) }
        inputs = try field(shard, "inputs") { $0.objectValue }
        ending = try field(shard, "ending") { RunResult.Ending(json: $0) }
        data = try field(shard, "data") { $0.objectValue }
        operation = try field(o, "operation") { if case .string(let s) = $0 { s } else { nil } }
        recommendations = try field(o, "recommendations") { Self.strings($0) }
        executionTime = try field(o, "execution_time") { $0.number }
        let steps = try field(o, "steps") { if case .array(let a) = $0 { a } else { nil } }
        let issues = try field(o, "issues") { if case .array(let a) = $0 { a } else { nil } }
        records = try steps.map { (value) throws(ShardMerge.Failure) -> StepRecord in
            guard let record = StepRecord(json: value) else { throw ShardMerge.Failure("\(source): a malformed step record") }
            return record
        }
        self.issues = try issues.map { (value) throws(ShardMerge.Failure) -> RunIssue in
            guard let issue = RunIssue(json: value) else { throw ShardMerge.Failure("\(source): a malformed issue") }
            return issue
        }
        guard count >= 1, index >= 0, index < count else {
            throw ShardMerge.Failure("\(source): shard \(index) of \(count) is not a shard")
        }
    }

    private static func strings(_ value: Value) -> [String]? {
        guard case .array(let items) = value else { return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }
}

extension Value {
    fileprivate var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    fileprivate var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    fileprivate var integer: Int? {
        if case .int(let i) = self { return i }
        return nil
    }
}

extension StepRecord {
    static let modelledKeys: Set<String> = [
        "id", "phase", "node", "status", "attempts", "exit_code", "duration", "reason", "answered_by", "command",
        "timeout", "retries", "fallbacks", "fallback_node", "changed", "diff",
    ]

    /// A record read back from a result's `steps`; keys this version does not model are carried.
    init?(json: Value) {
        guard case .object(let o) = json, let id = o["id"]?.text, let phase = o["phase"]?.text.flatMap(Phase.init),
            let status = o["status"]?.text.flatMap(Status.init)
        else { return nil }
        self.init(
            step: id, phase: phase, node: o["node"]?.text, status: status, attempts: o["attempts"]?.integer ?? 0,
            exitCode: o["exit_code"]?.integer.map { Int32(clamping: $0) }, duration: o["duration"]?.number ?? 0,
            reason: o["reason"]?.text, answeredBy: o["answered_by"]?.text, command: o["command"]?.text,
            timeout: o["timeout"]?.number, changed: o["changed"] == .bool(true), diff: o["diff"]?.text)
        retries = o["retries"]?.integer
        if case .array(let ids)? = o["fallbacks"] { fallbacks = ids.compactMap(\.text) }
        fallbackNode = o["fallback_node"]?.text
        for (key, value) in o where !Self.modelledKeys.contains(key) { carried[key] = value }
    }
}

extension RunIssue {
    static let modelledKeys: Set<String> = [
        "kind", "node", "step", "phase", "message", "exit_code", "stderr_tail", "hint", "recovered",
    ]

    /// An issue read back from a result's `issues`; keys this version does not model are carried.
    init?(json: Value) {
        guard case .object(let o) = json, let kind = o["kind"]?.text, let message = o["message"]?.text else { return nil }
        self.init(
            kind: ErrorKind(rawValue: kind), node: o["node"]?.text, step: o["step"]?.text,
            phase: o["phase"]?.text.flatMap(Phase.init), message: message,
            exitCode: o["exit_code"]?.integer.map { Int32(clamping: $0) }, stderrTail: o["stderr_tail"]?.text,
            hint: o["hint"]?.text, recovered: o["recovered"] == .bool(true))
        for (key, value) in o where !Self.modelledKeys.contains(key) { carried[key] = value }
    }
}
