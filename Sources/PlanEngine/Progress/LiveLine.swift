#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The last line of the progress on a terminal, rewritten in place: node-steps done, running and failed,
/// and the time since the run started; and a heartbeat for a step that has run longer than `heartbeatAfter`
/// seconds (then again every as many seconds), so a long run never looks hung.
struct LiveLine: Sendable {
    private struct Running: Sendable {
        var label: String
        var since: Double
        var lastBeat: Double
    }

    let heartbeatAfter: Double
    /// Past this many nodes of one step, the step's per-node lines are folded into the live line (a fleet of
    /// a thousand nodes would print thousands); failures still get their lines.
    let foldAfter: Int
    /// Per step, the nodes it started on.
    private var nodesStarted: [String: Int] = [:]
    private let start = LiveLine.now()
    private var done = 0
    private var failed = 0
    private var running: [String: Running] = [:]

    init(heartbeatAfter: Double, foldAfter: Int = 20) {
        self.heartbeatAfter = heartbeatAfter
        self.foldAfter = foldAfter
    }

    /// Whether a progress line is printed above the live line, left out, or replaced by a note.
    enum Shown: Equatable {
        case line, folded, note(String)
    }

    /// What becomes of the line for `step` starting (or ending, and whether it failed) on a node: the first
    /// `foldAfter` nodes of a step print as usual, then one note, then only failures.
    mutating func fold(step: String, label: String, starting: Bool, failed: Bool = false) -> Shown {
        if starting { nodesStarted[step, default: 0] += 1 }
        let count = nodesStarted[step] ?? 0
        if failed || count <= foldAfter { return .line }
        if starting, count == foldAfter + 1 {
            return .note("⋯ \(label): more than \(foldAfter) nodes; their lines are counted in the line below, failures still print")
        }
        return .folded
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    mutating func started(_ key: String, label: String) {
        let now = Self.now()
        if running[key] == nil { running[key] = Running(label: label, since: now, lastBeat: now) }
    }

    mutating func finished(_ key: String, failed stepFailed: Bool) {
        running[key] = nil
        if stepFailed { failed += 1 } else { done += 1 }
    }

    /// The steps due a heartbeat now, as lines to print; each is due again `heartbeatAfter` seconds later.
    mutating func heartbeats() -> [String] {
        let now = Self.now()
        var lines: [String] = []
        for key in running.keys.sorted() {
            guard var step = running[key], now - step.lastBeat >= heartbeatAfter else { continue }
            step.lastBeat = now
            running[key] = step
            lines.append("… \(step.label) still running after \(Int(now - step.since))s")
        }
        return lines
    }

    /// The line itself, without a line break.
    var text: String {
        "⋯ \(done) done · \(running.count) running · \(failed) failed · \(Int(Self.now() - start))s"
    }
}
