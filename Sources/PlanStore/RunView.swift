import PlanEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A recorded run as `show` presents it: one row per step and node, from the result when the run ended
/// (else from its events), with the output tails and times from the event log.
struct RunView {
    struct Row {
        var step: String
        var phase: String
        var node: String?
        var status: String
        var duration: Double?
        var reason: String?
        var stdoutTail: String?
        var stderrTail: String?
        var cached = false
        /// In a rolling rollout: the node's batch.
        var batch: Int?
        /// Seconds since the run started, from the events; nil when the step never started.
        var start: Double?
        var end: Double?
    }

    var rows: [Row] = []
    var issues: [Value] = []
    /// The plan's own output fields (result keys that are not the engine's).
    var output: [(key: String, value: Value)] = []
    /// Seconds from the run's first event to its last.
    var span: Double = 0

    init(_ run: StoredRun, events: [Value]) {
        let origin = run.startedAt
        var started: [String: Double] = [:]
        var finished: [String: Value.Object] = [:]
        var finishedOrder: [String] = []
        var eventIssues: [Value] = []
        func key(_ o: Value.Object) -> String {
            (o["step"]?.text ?? "") + "\u{0}" + (o["node"]?.text ?? "")
        }
        for event in events {
            guard case .object(let o) = event, let kind = o["event"]?.text else { continue }
            let at = o["time"]?.text.flatMap(Self.seconds).map { $0 - origin }
            if let at { span = max(span, at) }
            switch kind {
            case "step_started":
                if started[key(o)] == nil, let at { started[key(o)] = at }
            case "step_finished":
                if finished[key(o)] == nil { finishedOrder.append(key(o)) }
                var entry = o
                if let at { entry["_end"] = .double(at) }
                finished[key(o)] = entry
            case "issue":
                var issue = o
                issue["event"] = nil
                issue["time"] = nil
                eventIssues.append(.object(issue))
            default: break
            }
        }
        func row(_ o: Value.Object, idKey: String) -> Row {
            let k = (o[idKey]?.text ?? "") + "\u{0}" + (o["node"]?.text ?? "")
            let event = finished[k]
            var row = Row(
                step: o[idKey]?.text ?? "", phase: o["phase"]?.text ?? "", node: o["node"]?.text,
                status: o["status"]?.text ?? "", duration: o["duration"]?.number, reason: o["reason"]?.text)
            row.stdoutTail = event?["stdout_tail"]?.text
            row.stderrTail = event?["stderr_tail"]?.text
            row.cached = o["cached"] == .bool(true)
            row.batch = o["batch"]?.number.map { Int($0) }
            row.start = started[k]
            row.end = event?["_end"]?.number
            return row
        }
        if case .object(let result)? = run.result {
            if case .array(let steps)? = result["steps"] {
                rows = steps.compactMap { if case .object(let o) = $0 { row(o, idKey: "id") } else { nil } }
            }
            if case .array(let list)? = result["issues"] { issues = list }
            for (key, value) in result where !RunResult.engineKeys.contains(key) && key != "dry_run" && key != "waves" {
                output.append((key, value))
            }
        } else {
            rows = finishedOrder.compactMap { finished[$0].map { row($0, idKey: "step") } }
            issues = eventIssues
        }
        if let duration = run.duration { span = max(span, duration) }
    }

    /// Seconds since 1970 from an event's `time` (`2026-11-30T07:25:45.123Z`).
    static func seconds(_ text: String) -> Double? {
        let parts = text.split(whereSeparator: { "-T:Z".contains($0) })
        guard parts.count == 6, let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
              let hour = Int32(parts[3]), let minute = Int32(parts[4]), let second = Double(parts[5])
        else { return nil }
        var t = tm()
        t.tm_year = year - 1900
        t.tm_mon = month - 1
        t.tm_mday = day
        t.tm_hour = hour
        t.tm_min = minute
        return Double(timegm(&t)) + second
    }
}

extension Value {
    var text: String? { if case .string(let s) = self { s } else { nil } }
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
}
