import PlanYAML

/// `plan.unguarded-destructive` (warning): a command that restarts, reboots, shuts down, formats or deletes
/// recursively, in a step without `destructive: true`, which would run even when `policy.destructive_when`
/// does not hold. Only the literal parts of the command are read; interpolated values are not guessed at.
public struct UnguardedDestructiveRule: PlanRule {
    public let id = "plan.unguarded-destructive"
    public init() {}
    static let destructiveWords: Set<String> = ["restart", "reboot", "shutdown", "poweroff", "halt", "mkfs", "wipefs"]

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
                let text = templates.map { $0.parts.map { if case .literal(let s) = $0 { s } else { " x " } }.joined() }
                    .joined(separator: " ")
                guard let what = Self.destructiveCommand(in: text) else { continue }
                out.append(
                    .warning(
                        id,
                        "step '\(facts.step.id)' runs '\(what)' without 'destructive: true', so policy.destructive_when does not guard it",
                        at: templates[0].range))
            }
        }
        return out
    }

    /// The first destructive command in `command` (`restart`, `rm -rf`, `dd of=…`), or nil.
    static func destructiveCommand(in command: String) -> String? {
        // Words, with ";" standing for every command separator so that flags are read per command.
        var words: [Substring] = []
        var start = command.startIndex
        for index in command.indices {
            let c = command[index]
            let isSpace = c == " " || c == "\t"
            let isSeparator = c == "\n" || c == ";" || c == "&" || c == "|" || c == "(" || c == ")"
            guard isSpace || isSeparator else { continue }
            if start < index { words.append(command[start..<index]) }
            if isSeparator { words.append(";") }
            start = command.index(after: index)
        }
        if start < command.endIndex { words.append(command[start...]) }
        for (i, word) in words.enumerated() {
            let name = word.split(separator: "/").last.map(String.init) ?? String(word)
            if destructiveWords.contains(name) || name.hasPrefix("mkfs.") { return name }
            if name == "rm" || name == "dd" {
                var j = i + 1
                while j < words.count, words[j] != ";" {
                    let arg = words[j]
                    if name == "rm", arg == "--recursive" || (arg.hasPrefix("-") && !arg.hasPrefix("--") && (arg.contains("r") || arg.contains("R"))) {
                        return "rm \(arg)"
                    }
                    if name == "dd", arg.hasPrefix("of=") || arg.hasPrefix("if=") { return "dd \(arg)" }
                    j += 1
                }
            }
        }
        return nil
    }
}
