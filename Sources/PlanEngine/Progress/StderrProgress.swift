import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Prints a line per step and node as it starts and ends on stderr: coloured symbols on a terminal,
/// plain words otherwise (and when `NO_COLOR` is set); nothing with `quiet`, command output with `verbose`.
/// On a terminal at the normal level a live line (`LiveLine`) stays under the others; `tick()` refreshes it
/// and prints the heartbeats of long steps.
public final class StderrProgress: ProgressSink, @unchecked Sendable {
    public enum Level: Sendable { case quiet, normal, verbose }

    private let level: Level
    private let color: Bool
    private let terminal: Bool
    private let redactor: Redactor
    private let descriptor: Int32
    /// The live line, when there is one; its lock also keeps the lines whole.
    private let lock: Mutex<LiveLine?>

    /// `terminal` and `descriptor` are for tests; by default the progress goes to stderr and is a terminal's
    /// when stderr is one.
    public init(
        level: Level, redactor: Redactor, environment: [String: String] = ProcessInfo.processInfo.environment,
        terminal: Bool? = nil, descriptor: Int32 = STDERR_FILENO, heartbeatAfter: Double = 10
    ) {
        self.level = level
        self.redactor = redactor
        self.descriptor = descriptor
        self.terminal = terminal ?? (isatty(descriptor) == 1)
        self.color = self.terminal && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
        self.lock = Mutex(self.terminal && level == .normal ? LiveLine(heartbeatAfter: heartbeatAfter) : nil)
    }

    /// Whether `tick()` has anything to do: a live line is shown.
    public var isLive: Bool { lock.withLock { $0 != nil } }

    /// Refreshes the live line's counts and time, and prints a heartbeat for each step running long.
    public func tick() {
        lock.withLock { live in
            guard live != nil else { return }
            let beats = live!.heartbeats().map { redactor.redact($0) + "\n" }.joined()
            StandardStream.write("\r\u{1B}[K" + beats + live!.text, to: descriptor)
        }
    }

    /// Clears the live line at the end of the run, so the terminal is left as a plain list of lines.
    public func end() {
        lock.withLock { live in
            if live != nil { StandardStream.write("\r\u{1B}[K", to: descriptor) }
        }
    }

    /// Items of one loop may run side by side on one node: each is its own entry in the live line.
    private static func key(_ step: String, _ node: String?, _ item: Int?) -> String {
        step + "\u{0}" + (node ?? "") + "\u{0}" + (item.map(String.init) ?? "")
    }

    /// ` item "a"`: which pass of a `for_each` loop a line is about, as the text result shows it.
    private static func itemText(_ item: Value?, index: Int?) -> String {
        index == nil ? "" : " item " + TerminalText.escaped((item ?? .null).jsonText())
    }

    public func started(step: Step, node: String?, attempt: Int, command: String?, item: LoopItem?) {
        guard level != .quiet else { return }
        var line = terminal ? paint("▸", 36) : "start"
        line += " \(step.phase.rawValue)/\(step.id)"
        if let name = step.name { line += " (\(name))" }
        if let node { line += " [\(node)]" }
        line += Self.itemText(item?.value, index: item?.index)
        if attempt > 1 { line += " attempt \(attempt)" }
        if level == .verbose, let command { line += ": \(TerminalText.escaped(command, keepingLineBreaks: true))" }
        write(line) { live in
            // Only on a terminal: without a live line this closure is not called.
            let label = "\(step.phase.rawValue)/\(step.id)" + (node.map { " [\($0)]" } ?? "")
                + Self.itemText(item?.value, index: item?.index)
            live.started(Self.key(step.id, node, item?.index), label: label)
            guard node != nil else { return .line }
            return live.fold(step: step.id, label: "\(step.phase.rawValue)/\(step.id)", starting: true)
        }
    }

    public func finished(_ record: StepRecord) {
        guard level != .quiet else { return }
        let (symbol, code): (String, Int) = switch record.status {
        case .succeeded: ("✓", 32)
        case .recovered: ("↺", 33)
        case .failed, .cancelled: ("✗", 31)
        case .skipped, .notRun: ("–", 90)
        case .planned: ("·", 36)
        }
        var line = terminal ? paint(symbol, code) + " " + record.status.rawValue : record.status.rawValue
        line += " \(record.phase.rawValue)/\(record.step)"
        if let node = record.node { line += " [\(node)]" }
        line += Self.itemText(record.item, index: record.itemIndex)
        if record.status != .skipped && record.status != .notRun && record.status != .planned {
            line += " " + Self.seconds(record.duration)
        }
        if let reason = record.reason { line += " (\(reason))" }
        let failed = record.status == .failed || record.status == .cancelled
        write(line) { live in
            live.finished(Self.key(record.step, record.node, record.itemIndex), failed: failed)
            guard record.node != nil else { return .line }
            return live.fold(step: record.step, label: "\(record.phase.rawValue)/\(record.step)", starting: false, failed: failed)
        }
        // A dry-run's diffs are in its text result; a run's come here, beside the JSON on stdout.
        if let diff = record.diff, !diff.isEmpty, record.status != .planned {
            for text in diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let code = text.hasPrefix("+") ? 32 : text.hasPrefix("-") ? 31 : text.hasPrefix("@@") ? 36 : 0
                write(terminal && code != 0 ? paint(String(text), code) : String(text))
            }
        }
    }

    public var wantsOutput: Bool { level == .verbose }

    /// `pause execute/restart 10s before batch 2/3`: the rollout is waiting, not hung.
    public func pausing(group: Step, before batch: Int, of batches: Int, seconds: Double) {
        guard level != .quiet else { return }
        let word = terminal ? paint("‖", 90) + " pause" : "pause"
        write("\(word) \(group.phase.rawValue)/\(group.id) \(DurationText.format(seconds)) before batch \(batch)/\(batches)")
    }

    public func outputLine(step: Step, node: String, line: String) {
        guard level == .verbose else { return }
        write("[\(node)] \(TerminalText.escaped(line))")
    }

    public func issue(_ issue: RunIssue) {
        guard level != .quiet else { return }
        var line = (terminal ? paint("!", 31) : "issue") + " \(issue.kind)"
        if let node = issue.node { line += " [\(node)]" }
        line += ": \(TerminalText.escaped(issue.message))"
        if let hint = issue.hint { line += " — \(hint)" }
        write(line)
    }

    private func paint(_ text: String, _ code: Int) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Seconds with three decimals, as `%.3fs` would print them.
    public static func seconds(_ value: Double) -> String {
        let millis = Int((max(value, 0) * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction + "s"
    }

    /// Writes `line`, first updating the live line with `change`; the live line is cleared before the line
    /// and drawn again after it.
    /// A fleet's per-node lines may be folded into the live line (`LiveLine.fold`).
    private func write(_ line: String, change: (inout LiveLine) -> LiveLine.Shown = { _ in .line }) {
        let text = redactor.redact(line) + "\n"
        lock.withLock { live in
            guard live != nil else { return StandardStream.write(text, to: descriptor) }
            let shown: String
            switch change(&live!) {
            case .line: shown = text
            case .folded: shown = ""
            case .note(let note): shown = redactor.redact(note) + "\n"
            }
            StandardStream.write("\r\u{1B}[K" + shown + live!.text, to: descriptor)
        }
    }
}
