import PlanEngine

/// The text forms of recorded runs: `history`'s table and `show`'s report.
public enum RunReport {
    /// What a run came to in one word: its validation status once ended, else running or interrupted.
    static func outcome(_ run: StoredRun) -> String {
        switch run.status {
        case .running: "running"
        case .interrupted: "interrupted"
        case .finished: run.validationStatus ?? "finished"
        }
    }

    public static func table(_ runs: [StoredRun]) -> String {
        guard !runs.isEmpty else { return "no recorded runs\n" }
        var rows = [["ID", "STARTED (UTC)", "PLAN", "OPERATION", "STATUS", "EXIT", "TIME"]]
        for run in runs {
            let started = String(RunEvents.timestamp(run.startedAt).prefix(19).map { $0 == "T" ? " " : $0 })
            rows.append([
                "\(run.id)", started, run.planName, run.operation, outcome(run),
                run.exitCode.map(String.init) ?? "-", run.duration.map(seconds) ?? "-",
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func text(_ run: StoredRun, events: [Value]) -> String {
        let view = RunView(run, events: events)
        var lines: [String] = []
        var title = "run \(run.id): \(run.planName) \(run.operation), \(outcome(run))"
        if let code = run.exitCode { title += " (exit \(code))" }
        lines.append(title)
        lines.append("plan:    \(run.planPath) (sha256 \(run.planDigest.prefix(12)))")
        var started = "started: \(RunEvents.timestamp(run.startedAt))"
        if let duration = run.duration { started += ", took \(seconds(duration))" }
        lines.append(started)
        lines.append("inputs:  \(run.inputs.jsonText())")
        if let previous = run.rerunOf { lines.append("rerun of run \(previous)") }
        if run.result == nil, run.status != .running {
            lines.append("no result: the run was cut short; the steps below are those its log says ended")
        }
        var phase: String?
        for row in view.rows {
            if row.phase != phase {
                phase = row.phase
                lines.append("")
                lines.append("\(row.phase):")
            }
            var line = "  \(row.status.padded(9)) \(row.step)"
            if let node = row.node { line += " [\(node)]" }
            if let duration = row.duration, row.status != "skipped", row.status != "not_run" { line += " \(seconds(duration))" }
            if row.cached { line += " (cached)" }
            if let reason = row.reason { line += "  (\(reason))" }
            lines.append(line)
            if row.status == "failed" || row.status == "cancelled" || row.status == "recovered" {
                lines += ResultText.tail("stdout", row.stdoutTail) + ResultText.tail("stderr", row.stderrTail)
            }
        }
        if !view.issues.isEmpty {
            lines.append("")
            lines.append("issues:")
            for case .object(let issue) in view.issues { lines += ResultText.issueLines(issue) }
        }
        if !view.output.isEmpty {
            lines.append("")
            lines.append("output:")
            for (key, value) in view.output { lines.append("  \(key): \(value.jsonText())") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Seconds with three decimals, as the progress prints them.
    static func seconds(_ value: Double) -> String { StderrProgress.seconds(value) }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
