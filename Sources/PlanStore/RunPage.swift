import PlanEngine

/// `show --format html`: one self-contained page (inline style, no script, nothing fetched) with a
/// timeline per node of its steps, coloured by status, the batches of a rolling rollout, then the issues, the
/// output and the result.
public enum RunPage {
    static let colours: [(status: String, colour: String)] = [
        ("succeeded", "#2e7d32"), ("recovered", "#f9a825"), ("failed", "#c62828"), ("cancelled", "#8e24aa"),
        ("skipped", "#9e9e9e"), ("not_run", "#cfd8dc"), ("planned", "#0277bd"),
    ]

    public static func html(_ run: StoredRun, events: [Value]) -> String {
        let view = RunView(run, events: events)
        var body = ""
        body += "<h1>Run \(run.id): \(escape(run.planName)) · \(escape(run.operation)) · "
        body += "<span class=\"outcome\">\(escape(RunReport.outcome(run)))</span></h1>\n"
        body += "<p class=\"meta\">plan <code>\(escape(run.planPath))</code> (sha256 \(escape(String(run.planDigest.prefix(12)))))"
        body += " · started \(escape(RunEvents.timestamp(run.startedAt)))"
        if let duration = run.duration { body += " · took \(RunReport.seconds(duration))" }
        if let code = run.exitCode { body += " · exit \(code)" }
        if let previous = run.rerunOf { body += " · rerun of run \(previous)" }
        body += "</p>\n<p class=\"meta\">inputs <code>\(escape(run.inputs.jsonText()))</code></p>\n"
        body += legend()
        body += timeline(view)
        body += issues(view)
        if !view.output.isEmpty {
            body += "<h2>Output</h2>\n<dl>"
            for (key, value) in view.output { body += "<dt>\(escape(key))</dt><dd><code>\(escape(value.jsonText()))</code></dd>" }
            body += "</dl>\n"
        }
        body += "<h2>Result</h2>\n<pre id=\"result\">\(escape(run.result?.jsonText(indent: 2) ?? "no result: the run was cut short"))</pre>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>planrun run \(run.id): \(escape(run.planName)) \(escape(run.operation))</title>
            <style>\(style)</style></head>
            <body>
            \(body)</body></html>

            """
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}code,pre{font:12px ui-monospace,monospace}
        .meta{color:#555;margin:.2em 0}.lane{display:flex;align-items:center;margin:2px 0}
        .lane-name{width:11em;flex:none;font-weight:600;overflow:hidden;text-overflow:ellipsis}
        .track{position:relative;flex:1;height:22px;background:#f5f5f5;border-radius:3px}
        .bar{position:absolute;top:2px;height:18px;min-width:3px;border-radius:2px;overflow:hidden;color:#fff;
        font-size:11px;line-height:18px;padding:0 2px;box-sizing:border-box;white-space:nowrap}
        .legend span{display:inline-block;margin-right:1em}.swatch{width:10px;height:10px;display:inline-block;margin-right:4px}
        table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
        pre{background:#fafafa;border:1px solid #eee;padding:.5em;overflow:auto}
        """ + colours.map { ".status-\($0.status){background:\($0.colour)}" }.joined()

    private static func legend() -> String {
        "<p class=\"legend\">" + colours.map {
            "<span><i class=\"swatch status-\($0.status)\"></i>\($0.status)</span>"
        }.joined() + "</p>\n"
    }

    /// A lane per node (node-less steps in their own lane), a bar per step placed by its start and end
    /// relative to the run; steps that never started sit at the lane's end as thin marks.
    private static func timeline(_ view: RunView) -> String {
        var lanes: [String] = []
        var byLane: [String: [RunView.Row]] = [:]
        for row in view.rows {
            let lane = row.node ?? "(no node)"
            if byLane[lane] == nil { lanes.append(lane) }
            byLane[lane, default: []].append(row)
        }
        let span = max(view.span, 0.001)
        var out = "<h2>Timeline</h2>\n<div id=\"timeline\">\n"
        for lane in lanes {
            out += "<div class=\"lane\" data-node=\"\(escape(lane))\"><div class=\"lane-name\">\(escape(lane))</div><div class=\"track\">"
            for row in byLane[lane] ?? [] {
                let start = row.start ?? row.end ?? span
                let end = row.end ?? start
                let left = min(100, max(0, start / span * 100))
                let width = min(100 - left, max(0, (end - start) / span * 100))
                var title = "\(row.phase)/\(row.step): \(row.status)"
                if let batch = row.batch { title += " (batch \(batch))" }
                if let duration = row.duration, row.start != nil || row.status != "not_run" && row.status != "skipped" {
                    title += " in \(RunReport.seconds(duration))"
                }
                if row.cached { title += " (cached)" }
                if let reason = row.reason { title += " — \(reason)" }
                out += "<div class=\"bar status-\(escape(row.status))\" data-step=\"\(escape(row.step))\" data-status=\"\(escape(row.status))\""
                out += " style=\"left:\(percent(left));width:\(percent(width))\" title=\"\(escape(title))\">\(escape(row.step))</div>"
            }
            out += "</div></div>\n"
        }
        out += "</div>\n"
        // Batches, when the run rolled out in batches: which nodes went together.
        var batches: [Int: [String]] = [:]
        for row in view.rows { if let batch = row.batch, let node = row.node, !(batches[batch]?.contains(node) ?? false) { batches[batch, default: []].append(node) } }
        if !batches.isEmpty {
            out += "<h2>Batches</h2>\n<ol id=\"batches\">"
            for batch in batches.keys.sorted() { out += "<li value=\"\(batch)\">\(escape(batches[batch]!.joined(separator: ", ")))</li>" }
            out += "</ol>\n"
        }
        out += "<table id=\"steps\"><tr><th>phase</th><th>step</th><th>node</th><th>status</th><th>time</th><th>details</th></tr>\n"
        for row in view.rows {
            var details = row.reason.map(escape) ?? ""
            if row.cached { details += " (cached)" }
            for (name, tail) in [("stdout", row.stdoutTail), ("stderr", row.stderrTail)] {
                if let tail, row.status != "succeeded" { details += "<pre>\(name):\n\(escape(tail))</pre>" }
            }
            out += "<tr class=\"step\" data-status=\"\(escape(row.status))\"><td>\(escape(row.phase))</td><td>\(escape(row.step))</td>"
            out += "<td>\(escape(row.node ?? ""))</td><td class=\"status-\(escape(row.status))\" style=\"color:#fff\">\(escape(row.status))</td>"
            out += "<td>\(row.duration.map(RunReport.seconds) ?? "")</td><td>\(details)</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func issues(_ view: RunView) -> String {
        guard !view.issues.isEmpty else { return "<h2>Issues</h2>\n<p id=\"issues\">none</p>\n" }
        var out = "<h2>Issues</h2>\n<ul id=\"issues\">\n"
        for case .object(let issue) in view.issues {
            out += "<li class=\"issue\"><pre>\(escape(ResultText.issueLines(issue).joined(separator: "\n")))</pre></li>\n"
        }
        return out + "</ul>\n"
    }

    private static func percent(_ value: Double) -> String {
        "\(Double(Int(value * 100)) / 100)%"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
