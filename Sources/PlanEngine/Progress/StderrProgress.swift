import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Prints a line per step and node as it starts and ends on stderr: coloured symbols on a terminal,
/// plain words otherwise (and when `NO_COLOR` is set); nothing with `quiet`, command output with `verbose`.
public final class StderrProgress: ProgressSink, @unchecked Sendable {
    public enum Level: Sendable { case quiet, normal, verbose }

    private let level: Level
    private let color: Bool
    private let terminal: Bool
    private let redactor: Redactor
    private let lock = Mutex(())

    public init(level: Level, redactor: Redactor, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.level = level
        self.redactor = redactor
        self.terminal = isatty(STDERR_FILENO) == 1
        self.color = terminal && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
    }

    public func started(step: Step, node: String?, attempt: Int, command: String?) {
        guard level != .quiet else { return }
        var line = terminal ? paint("▸", 36) : "start"
        line += " \(step.phase.rawValue)/\(step.id)"
        if let name = step.name { line += " (\(name))" }
        if let node { line += " [\(node)]" }
        if attempt > 1 { line += " attempt \(attempt)" }
        if level == .verbose, let command { line += ": \(command)" }
        write(line)
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
        if record.status != .skipped && record.status != .notRun && record.status != .planned {
            line += " " + Self.seconds(record.duration)
        }
        if let reason = record.reason { line += " (\(reason))" }
        write(line)
    }

    public var wantsOutput: Bool { level == .verbose }

    public func outputLine(step: Step, node: String, line: String) {
        guard level == .verbose else { return }
        write("[\(node)] \(line)")
    }

    public func issue(_ issue: RunIssue) {
        guard level != .quiet else { return }
        var line = (terminal ? paint("!", 31) : "issue") + " \(issue.kind)"
        if let node = issue.node { line += " [\(node)]" }
        line += ": \(issue.message)"
        if let hint = issue.hint { line += " — \(hint)" }
        write(line)
    }

    private func paint(_ text: String, _ code: Int) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Seconds with three decimals, as `%.3fs` would print them.
    static func seconds(_ value: Double) -> String {
        let millis = Int((max(value, 0) * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction + "s"
    }

    private func write(_ line: String) {
        let text = redactor.redact(line) + "\n"
        lock.withLock { _ in StandardStream.write(text, to: STDERR_FILENO) }
    }
}
