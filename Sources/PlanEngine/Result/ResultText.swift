/// The human form of a result (`--format text`): for a dry-run, every step that would start, per node,
/// with its command and timeout, and the reason for each skipped step; for a run, a status table, the issues
/// with their output tails, the `output:` fields and a summary line.
public enum ResultText {
    public static func render(_ result: RunResult) -> String {
        var lines: [String] = []
        let title = result.dryRun ? "dry-run of operation '\(result.operation)'" : "operation '\(result.operation)'"
        lines.append(title + (result.dryRun ? ": nothing was executed" : ": \(result.validationStatus.rawValue)"))
        var phase: Phase?
        for record in result.steps {
            if record.phase != phase {
                phase = record.phase
                lines.append("")
                lines.append("\(record.phase.rawValue):")
            }
            var line = "  \(record.status.rawValue.padding(9)) \(record.step)"
            if let node = record.node { line += " [\(node)]" }
            if record.itemIndex != nil { line += " item \((record.item ?? .null).jsonText())" }
            if let command = record.command { line += ": \(command)" }
            var details: [String] = []
            if let timeout = record.timeout { details.append("timeout \(DurationText.format(timeout))") }
            if let retries = record.retries, retries > 0 { details.append("retries \(retries)") }
            if let fallbacks = record.fallbacks { details.append("fallback " + fallbacks.joined(separator: ", ")) }
            if let node = record.fallbackNode { details.append("fallback node \(node)") }
            if let cache = record.cache { details.append("cache \(DurationText.format(cache))") }
            if record.cached { details.append("cached, \(DurationText.format(((record.cacheAge ?? 0) * 10).rounded() / 10)) old") }
            if let handlers = record.onFailure { details.append("on failure " + handlers.joined(separator: ", ")) }
            if let batch = record.batch { details.append("batch \(batch)") }
            if !result.dryRun, record.status != .skipped, record.status != .notRun {
                details.append("\(record.attempts) attempt\(record.attempts == 1 ? "" : "s")")
            }
            if let reason = record.reason { details.append(reason) }
            if !details.isEmpty { line += "  (" + details.joined(separator: "; ") + ")" }
            lines.append(line)
            if let diff = record.diff {
                lines += diff.isEmpty ? ["      (no change)"]
                    : diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "      " + $0 }
            }
        }
        if result.dryRun, !result.waves.isEmpty {
            lines.append("")
            lines.append("waves (steps that may run together):")
            for (i, wave) in result.waves.enumerated() { lines.append("  \(i + 1). " + wave.joined(separator: ", ")) }
        }
        if result.dryRun, !result.batches.isEmpty {
            lines.append("")
            for (step, batches) in result.batches {
                let listed = batches.enumerated().map { "\($0.offset + 1). " + $0.element.joined(separator: ", ") }
                lines.append("batches of \(step): " + listed.joined(separator: "  "))
            }
        }
        if !result.issues.isEmpty {
            lines.append("")
            lines.append("issues:")
            for issue in result.issues {
                if case .object(let o) = issue.json { lines += issueLines(o) }
            }
        }
        guard !result.dryRun else { return lines.joined(separator: "\n") }
        if !result.output.isEmpty {
            lines.append("")
            lines.append("output:")
            for (key, value) in result.output { lines.append("  \(key): \(value.jsonText())") }
        }
        lines.append("")
        lines.append(summary(result))
        return lines.joined(separator: "\n")
    }

    /// The last line of a run's text: how it ended, the count of node-steps by status, the time, the exit code.
    public static func summary(_ result: RunResult) -> String {
        var counts: [StepRecord.Status: Int] = [:]
        for record in result.steps { counts[record.status, default: 0] += 1 }
        let order: [StepRecord.Status] = [.succeeded, .recovered, .failed, .cancelled, .skipped, .notRun]
        let parts = order.compactMap { status in counts[status].map { "\($0) \(status.rawValue.replacingUnderscores)" } }
        let seconds = (result.executionTime * 1000).rounded() / 1000
        return "\(result.validationStatus.rawValue): " + (parts.isEmpty ? "no steps" : parts.joined(separator: ", "))
            + " in \(seconds)s (exit \(result.exitCode))"
    }

    /// An issue (its result JSON) as the text formats show it: kind, node, step and message, then its hint and
    /// output tails. `show` renders stored issues with it too.
    public static func issueLines(_ issue: Value.Object) -> [String] {
        func text(_ key: String) -> String? { if case .string(let s)? = issue[key] { s } else { nil } }
        var line = "  \(text("kind") ?? "")"
        if let node = text("node") { line += " [\(node)]" }
        if let step = text("step") { line += " \(step)" }
        line += ": \(text("message") ?? "")"
        if issue["recovered"] == .bool(true) { line += " (recovered)" }
        var lines = [line]
        if let hint = text("hint") { lines.append("    hint: \(hint)") }
        return lines + tail("stdout", text("stdout_tail")) + tail("stderr", text("stderr_tail"))
    }

    /// A command's output tail, indented under its name.
    public static func tail(_ name: String, _ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return ["    \(name):"] + text.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)" }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }

    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
