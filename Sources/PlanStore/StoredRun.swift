import PlanEngine

/// One run as the store keeps it.
public struct StoredRun: Sendable {
    public enum Status: String, Sendable {
        case running, finished, interrupted
    }

    public var id: Int
    public var status: Status
    public var pid: Int
    /// Seconds since 1970, UTC.
    public var startedAt: Double
    public var endedAt: Double?
    public var planName: String
    public var planPath: String
    public var planDigest: String
    public var operation: String
    public var inputs: Value
    public var exitCode: Int?
    public var validationStatus: String?
    /// The result JSON; nil while running, or when the run was cut short before it had one.
    public var result: Value?
    /// `{nodes, vars}` at the end of the run.
    public var learned: Value?
    public var rerunOf: Int?

    static let columns =
        "id, status, pid, started_at, ended_at, plan_name, plan_path, plan_digest, operation, inputs, exit_code, validation_status, rerun_of"

    init(row: [SQLite.Datum]) {
        id = Int(row[0].int ?? 0)
        status = Status(rawValue: row[1].text ?? "") ?? .interrupted
        pid = Int(row[2].int ?? 0)
        startedAt = row[3].double ?? 0
        endedAt = row[4].double
        planName = row[5].text ?? ""
        planPath = row[6].text ?? ""
        planDigest = row[7].text ?? ""
        operation = row[8].text ?? ""
        inputs = (try? Value.parseJSON(row[9].text ?? "{}")) ?? .object(Value.Object())
        exitCode = row[10].int.map { Int($0) }
        validationStatus = row[11].text
        rerunOf = row[12].int.map { Int($0) }
    }

    /// Seconds from start to end, when it ended.
    public var duration: Double? { endedAt.map { max(0, $0 - startedAt) } }

    /// The record as `history --format json` and `show --format json` give it (without events).
    public var json: Value {
        var o = Value.Object()
        o["id"] = .int(id)
        o["status"] = .string(status.rawValue)
        o["started_at"] = .string(RunEvents.timestamp(startedAt))
        o["ended_at"] = endedAt.map { .string(RunEvents.timestamp($0)) } ?? .null
        o["duration"] = duration.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
        o["plan"] = .string(planName)
        o["plan_path"] = .string(planPath)
        o["plan_digest"] = .string(planDigest)
        o["operation"] = .string(operation)
        o["inputs"] = inputs
        o["exit_code"] = exitCode.map { .int($0) } ?? .null
        o["validation_status"] = validationStatus.map(Value.string) ?? .null
        o["rerun_of"] = rerunOf.map { .int($0) } ?? .null
        return .object(o)
    }
}

extension RunStore {
    /// The newest runs first, of one plan (by name or path) when given.
    public func runs(plan: String? = nil, limit: Int = 20) throws(Failure) -> [StoredRun] {
        do {
            let rows: [[SQLite.Datum]]
            if let plan {
                rows = try database.query(
                    "SELECT \(StoredRun.columns) FROM runs WHERE plan_name = ?1 OR plan_path = ?1 ORDER BY id DESC LIMIT ?2",
                    [.text(plan), .int(Int64(limit))])
            } else {
                rows = try database.query(
                    "SELECT \(StoredRun.columns) FROM runs ORDER BY id DESC LIMIT ?", [.int(Int64(limit))])
            }
            return rows.map(StoredRun.init(row:))
        } catch {
            throw Failure(message: "cannot read the run store: \(error.message)")
        }
    }

    /// One run with its result and what it learned; nil when there is no such run.
    public func run(_ id: Int) throws(Failure) -> StoredRun? {
        do {
            guard let row = try database.query(
                "SELECT \(StoredRun.columns), result, learned FROM runs WHERE id = ?", [.int(Int64(id))]).first
            else { return nil }
            var run = StoredRun(row: row)
            run.result = row[13].text.flatMap { try? Value.parseJSON($0) }
            run.learned = row[14].text.flatMap { try? Value.parseJSON($0) }
            return run
        } catch {
            throw Failure(message: "cannot read the run store: \(error.message)")
        }
    }

    /// The newest run's id (of one plan, by name or path, when given).
    public func lastRunID(plan: String? = nil) throws(Failure) -> Int? {
        try runs(plan: plan, limit: 1).first?.id
    }

    /// The run's events in the order they happened.
    public func events(of run: Int) throws(Failure) -> [Value] {
        do {
            // What the periodic flushes wrote, then what the run's end wrote into its own row.
            let rows = try database.query(
                """
                SELECT seq, lines FROM events WHERE run_id = ?1
                UNION ALL SELECT 9223372036854775807, log FROM runs WHERE id = ?1 AND log IS NOT NULL
                ORDER BY 1
                """, [.int(Int64(run))])
            return rows.flatMap { EventLog.events(in: $0[1].text ?? "") }
        } catch {
            throw Failure(message: "cannot read the run store: \(error.message)")
        }
    }
}

extension StoredRun {
    /// Each step's outcome per node: from the result when the run ended, else from its `step_finished`
    /// events (a run cut short by `kill -9` has no result, but its log says what ended).
    public static func stepRecords(result: Value?, events: [Value]) -> [(step: String, node: String?, status: String)] {
        func record(_ value: Value, idKey: String) -> (step: String, node: String?, status: String)? {
            guard case .object(let o) = value, case .string(let step)? = o[idKey], case .string(let status)? = o["status"]
            else { return nil }
            if case .string(let node)? = o["node"] { return (step, node, status) }
            return (step, nil, status)
        }
        if case .object(let o)? = result, case .array(let steps)? = o["steps"] {
            return steps.compactMap { record($0, idKey: "id") }
        }
        return events.filter { if case .object(let o) = $0 { o["event"] == .string("step_finished") } else { false } }
            .compactMap { record($0, idKey: "step") }
    }
}
