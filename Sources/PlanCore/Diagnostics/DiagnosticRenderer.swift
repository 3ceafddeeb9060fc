import PlanYAML

/// Diagnostics as text for people, JSON for tools and workflow commands for GitHub Actions, as chosen by
/// `--format`; shared by `planrun validate` and `planrun run`.
public enum DiagnosticRenderer {
    /// `file:line:column: severity: message [id]`, then the notes; with `source`, the offending line and a caret
    /// under the range (`^~~~`). `color` adds ANSI colours (callers decide: a TTY and no `NO_COLOR`).
    public static func text(_ diagnostic: Diagnostic, source: SourceLines? = nil, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        var place = diagnostic.file ?? "<input>"
        let range = diagnostic.range
        if range != .unknown { place += ":\(range.start.line):\(range.start.column)" }
        let severity: String
        switch diagnostic.severity {
        case .error: severity = paint.red("error:")
        case .warning: severity = paint.yellow("warning:")
        case .note: severity = paint.cyan("note:")
        }
        var out = paint.bold(place + ":") + " " + severity + " " + paint.bold(TerminalText.escaped(diagnostic.message)) + " [\(diagnostic.id)]\n"
        if let source, range != .unknown, let snippet = snippet(source, range, paint) { out += snippet }
        for note in diagnostic.notes {
            var notePlace = ""
            if let noteRange = note.range, noteRange != .unknown {
                notePlace = (note.file ?? diagnostic.file ?? "<input>") + ":\(noteRange.start.line):\(noteRange.start.column): "
            }
            out += paint.bold(notePlace) + paint.cyan("note:") + " " + TerminalText.escaped(note.message) + "\n"
            // The snippet comes from the diagnostic's file; a note in another file gets none.
            if let source, note.file == nil || note.file == diagnostic.file, let noteRange = note.range, noteRange != .unknown,
                let snippet = snippet(source, noteRange, paint)
            {
                out += snippet
            }
        }
        return out
    }

    /// A JSON array of diagnostic objects, one per line, in a stable key order.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        if diagnostics.isEmpty { return "[]\n" }
        return "[\n" + diagnostics.map { "  " + value($0).jsonText() }.joined(separator: ",\n") + "\n]\n"
    }

    /// One diagnostic as a value: id, severity, message, file, line, column, end_line, end_column, notes, fix_it.
    public static func value(_ d: Diagnostic) -> Value {
        var object = Value.Object()
        object["id"] = .string(d.id.rawValue)
        object["severity"] = .string(d.severity.rawValue)
        object["message"] = .string(d.message)
        object["file"] = d.file.map(Value.string) ?? .null
        let known = d.range != .unknown
        object["line"] = known ? .int(d.range.start.line) : .null
        object["column"] = known ? .int(d.range.start.column) : .null
        object["end_line"] = known ? .int(d.range.end.line) : .null
        object["end_column"] = known ? .int(d.range.end.column) : .null
        object["notes"] = .array(
            d.notes.map { note in
                var n = Value.Object()
                n["message"] = .string(note.message)
                if let file = note.file { n["file"] = .string(file) }
                if let r = note.range, r != .unknown {
                    n["line"] = .int(r.start.line)
                    n["column"] = .int(r.start.column)
                }
                return .object(n)
            })
        object["fix_it"] = d.fixIt.map(Value.string) ?? .null
        return .object(object)
    }

    /// A GitHub Actions workflow command: `::error file=…,line=…,col=…::message [id]`.
    public static func github(_ d: Diagnostic) -> String {
        let command: String
        switch d.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .note: command = "notice"
        }
        var properties: [String] = []
        if let file = d.file { properties.append("file=" + escapeProperty(file)) }
        if d.range != .unknown {
            properties.append("line=\(d.range.start.line)")
            properties.append("col=\(d.range.start.column)")
            if d.range.end.line >= d.range.start.line, d.range.end != d.range.start {
                properties.append("endLine=\(d.range.end.line)")
                properties.append("endColumn=\(d.range.end.column)")
            }
        }
        properties.append("title=" + escapeProperty(d.id.rawValue))
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(d.message + " [\(d.id)]"))"
    }

    static func escapeData(_ text: String) -> String {
        text.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingAll(":", "%3A").replacingAll(",", "%2C")
    }

    /// The line the range starts on and a caret line under it; the caret line copies tabs so it lines up.
    private static func snippet(_ source: SourceLines, _ range: SourceRange, _ paint: Paint) -> String? {
        guard let line = source.line(range.start.line) else { return nil }
        let number = String(range.start.line)
        let gutter = String(repeating: " ", count: number.count)
        let scalars = Array(line.unicodeScalars)
        var marker = ""
        for scalar in scalars.prefix(max(0, range.start.column - 1)) { marker += scalar == "\t" ? "\t" : " " }
        let width: Int
        if range.end.line == range.start.line, range.end.column > range.start.column {
            width = min(range.end.column - range.start.column, max(1, scalars.count - range.start.column + 1))
        } else {
            width = 1
        }
        marker += paint.green("^" + String(repeating: "~", count: max(0, width - 1)))
        return "\(number) | \(line)\n\(gutter) | \(marker)\n"
    }
}

/// ANSI colours, or none.
struct Paint {
    var enabled: Bool
    func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { text.isEmpty ? text : wrap("1", text) }
    func red(_ text: String) -> String { wrap("1;31", text) }
    func yellow(_ text: String) -> String { wrap("1;35", text) }
    func cyan(_ text: String) -> String { wrap("1;36", text) }
    func green(_ text: String) -> String { wrap("1;32", text) }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
