/// Durations as plans write them: `500ms`, `10s`, `2m`, `1h`, `1m30s`, or a bare number of seconds.
public enum DurationText {
    /// The longest duration a plan, an input or a captured value may give: 1e9 seconds (about 31 years).
    ///
    /// Far beyond any real timeout, and far below where turning seconds into a `Duration` or into
    /// nanoseconds traps (~9.2e9 s as Int64 nanoseconds, ~9.2e18 s as whole seconds). Every duration read
    /// from outside passes through `seconds(_:)`, which refuses longer ones, so no later conversion can trap.
    public static let longest = 1e9

    /// How the limit reads in diagnostics.
    public static let longestText = "1e9 seconds (about 31 years)"

    /// The duration in seconds, or nil when `text` is not one or is longer than `longest`.
    ///
    /// Units may be combined from largest to smallest (`1h30m`, `1m30s`, `2s500ms`); each number may have a
    /// fraction (`1.5s`). Negative durations are not durations.
    public static func seconds(_ text: String) -> Double? {
        unboundedSeconds(text).flatMap(bounded)
    }

    /// Whether `text` reads as a duration but one longer than `longest` (for a diagnostic that says so).
    public static func isTooLong(_ text: String) -> Bool {
        unboundedSeconds(text).map { bounded($0) == nil } ?? false
    }

    /// `seconds` when it is a duration a run can wait for: finite, not negative, at most `longest`.
    public static func bounded(_ seconds: Double) -> Double? {
        seconds.isFinite && seconds >= 0 && seconds <= longest ? seconds : nil
    }

    private static func unboundedSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if let bare = ScalarTyping.number(text) { return bare >= 0 ? bare : nil }
        var total = 0.0
        var index = 0
        var lastRank = Int.max
        while index < bytes.count {
            let numberStart = index
            while index < bytes.count, (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x2E {
                index += 1
            }
            guard index > numberStart, let number = Double(String(decoding: bytes[numberStart..<index], as: UTF8.self))
            else { return nil }
            let unitStart = index
            while index < bytes.count, bytes[index] >= 0x61, bytes[index] <= 0x7A { index += 1 }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let (rank, factor) = Self.unit(unit), rank < lastRank else { return nil }
            lastRank = rank
            total += number * factor
        }
        return total
    }

    /// Unit → (rank, seconds); ranks force largest-to-smallest order and forbid repeats. A switch: four short
    /// names compare faster than one hash (every step's `timeout:` and `delay:` come through here).
    private static func unit(_ name: String) -> (Int, Double)? {
        switch name {
        case "h": return (4, 3600)
        case "m": return (3, 60)
        case "s": return (2, 1)
        case "ms": return (1, 0.001)
        default: return nil
        }
    }

    /// Seconds as a plan would write them: `90` → `1m30s`, `0.5` → `500ms`.
    /// Total for any number: beyond whole-second range it prints the number itself (`1e+19s`).
    public static func format(_ seconds: Double) -> String {
        if !seconds.isFinite || abs(seconds) >= 1e15 { return "\(seconds)s" }
        if seconds < 1, seconds > 0 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds != seconds.rounded() { return "\(seconds)s" }
        var rest = Int(seconds)
        var out = ""
        if rest >= 3600 { out += "\(rest / 3600)h"; rest %= 3600 }
        if rest >= 60 { out += "\(rest / 60)m"; rest %= 60 }
        if rest > 0 || out.isEmpty { out += "\(rest)s" }
        return out
    }

    /// Seconds as a plan value: whole seconds stay an int, so `60s` equals the input `60`.
    public static func value(_ seconds: Double) -> Value {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return .int(Int(seconds)) }
        return .double(seconds)
    }
}
