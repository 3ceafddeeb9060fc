import PlanYAML

/// `plan.unguarded-destructive` (warning): a command that restarts, reboots, shuts down, formats or deletes
/// recursively, in a step without `destructive: true`, which would run even when `policy.destructive_when`
/// does not hold. Only the literal parts of the command are read; interpolated values are not guessed at.
public struct UnguardedDestructiveRule: PlanRule {
    public let id = DiagnosticID.planUnguardedDestructive
    public init() {}
    /// Command names that are destructive whatever their arguments; `mkfs.*` is too.
    private static let destructiveNames = [
        "restart", "reboot", "shutdown", "poweroff", "halt", "mkfs", "wipefs",
    ]

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps where !facts.step.destructive {
                let templates: [Template]
                switch facts.step.action {
                case .run(let t): templates = [t]
                case .argv(let ts): templates = ts
                default: continue
                }
                // Literal parts as written, each expression as one word, the arguments of argv apart.
                var text = ""
                for (index, template) in templates.enumerated() {
                    if index > 0 { text += " " }
                    for part in template.parts {
                        switch part {
                        case .literal(let literal): text += literal
                        case .expression: text += " x "
                        }
                    }
                }
                guard let what = Self.destructiveCommand(in: text) else { continue }
                out.append(
                    Diagnostic(
                        id,
                        "step '\(facts.step.id)' runs '\(what)' without 'destructive: true', so policy.destructive_when does not guard it",
                        at: templates[0].range))
            }
        }
        return out
    }

    /// The first destructive command in `command` (`restart`, `rm -rf`, `dd of=…`), or nil.
    ///
    /// Reads the UTF-8 bytes as written, so that a name is matched only when it is spelled exactly so.
    static func destructiveCommand(in command: String) -> String? {
        let bytes = Array(command.utf8)
        // Words, an empty one standing for every command separator so that flags are read per command.
        var words: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, b) in bytes.enumerated() {
            let isSeparator = "\n;&|()".utf8.contains(b)
            guard isSeparator || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") else { continue }
            if start < index { words.append(bytes[start..<index]) }
            if isSeparator { words.append([]) }
            start = index + 1
        }
        if start < bytes.count { words.append(bytes[start...]) }
        for (i, word) in words.enumerated() where !word.isEmpty {
            // The command's name without its directory: /sbin/reboot is reboot.
            let name = word.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last!
            guard name.count >= 2, name.count <= 10 else { continue }
            let command = String(decoding: name, as: UTF8.self)
            if destructiveNames.contains(where: { name.elementsEqual($0.utf8) }) || name.starts(with: "mkfs.".utf8) {
                return command
            }
            guard command == "rm" || command == "dd" else { continue }
            for argument in words[(i + 1)...].prefix(while: { !$0.isEmpty }) {
                let text = String(decoding: argument, as: UTF8.self)
                if command == "rm", argument.first == UInt8(ascii: "-") {
                    if text == "--recursive" || (!argument.starts(with: "--".utf8) && (text.contains("r") || text.contains("R"))) {
                        return "rm \(text)"
                    }
                }
                if command == "dd", text.hasPrefix("of=") || text.hasPrefix("if=") { return "dd \(text)" }
            }
        }
        return nil
    }
}
