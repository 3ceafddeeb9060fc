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
    private let start = LiveLine.now()
    private var done = 0
    private var failed = 0
    private var running: [String: Running] = [:]

    init(heartbeatAfter: Double) {
        self.heartbeatAfter = heartbeatAfter
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
