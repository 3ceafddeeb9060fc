import ArgumentParser
import PlanEngine

/// How diagnostics are shown: `--format` and `--color`, shared by the commands that report plan problems.
struct DiagnosticOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, github }
    enum ColorChoice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Option(help: "text (stderr, with a source snippet on a terminal), json (stdout) or github (workflow commands on stdout).")
    var format: Format = .text

    @Option(help: "Colour the text format: auto (a terminal and no NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    /// The printer these flags choose.
    var printer: DiagnosticPrinter {
        let useColor: Bool
        switch color {
        case .always: useColor = true
        case .never: useColor = false
        case .auto: useColor = Terminal.isTerminal(2) && (Terminal.environment("NO_COLOR").map(\.isEmpty) ?? true)
        }
        // The offending line with a caret: on a terminal, or when colour is forced.
        return DiagnosticPrinter(format: format, color: useColor, snippets: Terminal.isTerminal(2) || color == .always)
    }
}

/// Prints diagnostics in one format: text to stderr, github workflow commands to stdout (JSON is printed
/// by the caller once for all files).
struct DiagnosticPrinter {
    var format: DiagnosticOptions.Format
    var color: Bool
    var snippets: Bool

    /// Plain text on stderr, with snippets and colour on a terminal unless NO_COLOR: for commands without flags.
    static var standard: DiagnosticPrinter {
        let tty = Terminal.isTerminal(2)
        return DiagnosticPrinter(
            format: .text, color: tty && (Terminal.environment("NO_COLOR").map(\.isEmpty) ?? true), snippets: tty)
    }

    /// `source` is the text of `file`; a diagnostic in another file (a step file named by `uses:`) is shown
    /// with that file's own lines.
    func report(_ diagnostics: [Diagnostic], source: [UInt8]?, file: String? = nil) {
        switch format {
        case .text:
            let lines = snippets ? source.map(SourceLines.init) : nil
            var others: [String: SourceLines] = [:]
            var out = ""
            for diagnostic in diagnostics {
                var shown = lines
                if snippets, let other = diagnostic.file, file != nil, other != file {
                    if others[other] == nil, let bytes = SourceFile.read(other) { others[other] = SourceLines(bytes) }
                    shown = others[other]
                }
                out += DiagnosticRenderer.text(diagnostic, source: shown, color: color)
            }
            Terminal.writeError(out)
        case .github:
            var out = ""
            for diagnostic in diagnostics { out += DiagnosticRenderer.github(diagnostic) + "\n" }
            Terminal.write(out)
        case .json:
            break
        }
    }
}
