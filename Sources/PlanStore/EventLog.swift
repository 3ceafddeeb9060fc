import PlanEngine

/// Events not yet written to the store, as NDJSON: each event's JSON text (made once, for `--events` too) is
/// appended as it comes; a periodic flush writes them as one row of `events`, the run's end into `runs.log`.
struct EventLog: Sendable {
    /// One JSON object a line, each ending with `\n`.
    private(set) var lines: [UInt8] = []
    /// The run's number of the first event here (1 for a run's first).
    private(set) var firstSeq = 0
    /// The last event's time, seconds since 1970: a run cut short ends there.
    private(set) var lastAt = 0.0

    var isEmpty: Bool { lines.isEmpty }

    mutating func append(_ event: EventText, seq: Int) {
        if lines.isEmpty {
            firstSeq = seq
            lines.reserveCapacity(4096)
        }
        lines += event.json
        lines.append(UInt8(ascii: "\n"))
        lastAt = event.time
    }

    /// The events of a stored text: its lines, each parsed (a row of schema 2 held one event, without a line end).
    static func events(in text: String) -> [Value] {
        text.utf8.split(separator: UInt8(ascii: "\n")).compactMap { try? Value.parseJSON(String($0) ?? "") }
    }
}
