import PlanYAML

/// `plan.unguarded-destructive` (warning): a command that restarts, reboots, shuts down, formats or deletes
/// recursively, in a step without `destructive: true`, which would run even when `policy.destructive_when`
/// does not hold. Only the literal parts of the command are read; interpolated values are not guessed at.
public struct UnguardedDestructiveRule: PlanRule {
    public let id = DiagnosticID.planUnguardedDestructive
    public init() {}
    /// Command names that are destructive whatever their arguments; `mkfs.*` is too.
    private static let destructiveNames: [StaticString] = [
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
                // Most commands hold no word that could be destructive: skip building and scanning their text.
                guard templates.contains(where: { $0.parts.contains(where: Self.mayBeDestructive) }) else { continue }
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

    /// False when the part certainly holds no destructive command: no two bytes in it start one of the
    /// words (`re`start, `sh`utdown, `rm`, `dd`, …). A word cannot span parts, since an expression reads as
    /// a word of its own, so checking each literal part alone is exact.
    static func mayBeDestructive(_ part: Template.Part) -> Bool {
        guard case .literal(let text) = part else { return false }
        var literal = text
        return literal.withUTF8 { bytes in
            guard bytes.count >= 2 else { return false }
            for index in 0..<(bytes.count - 1) {
                switch (bytes[index], bytes[index + 1]) {
                case (0x72, 0x65), (0x73, 0x68), (0x70, 0x6F), (0x68, 0x61), (0x6D, 0x6B), (0x77, 0x69), (0x72, 0x6D),
                    (0x64, 0x64):
                    // re, sh, po, ha, mk, wi, rm, dd
                    return true
                default: continue
                }
            }
            return false
        }
    }

    /// The first destructive command in `command` (`restart`, `rm -rf`, `dd of=…`), or nil.
    ///
    /// Reads bytes, not characters: it runs on every command of the plan.
    static func destructiveCommand(in command: String) -> String? {
        var contiguous = command
        return contiguous.withUTF8 { scan($0) }
    }

    /// Words as byte ranges, an empty range standing for every command separator so that flags are read
    /// per command.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var words: [Range<Int>] = []
        var start = 0
        for index in 0..<bytes.count {
            let b = bytes[index]
            let isSpace = b == 0x20 || b == 0x09
            let isSeparator = b == 0x0A || b == 0x3B || b == 0x26 || b == 0x7C || b == 0x28 || b == 0x29
            guard isSpace || isSeparator else { continue }
            if start < index { words.append(start..<index) }
            if isSeparator { words.append(index..<index) }
            start = index + 1
        }
        if start < bytes.count { words.append(start..<bytes.count) }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
        func isWord(_ r: Range<Int>, _ word: StaticString) -> Bool {
            guard r.count == word.utf8CodeUnitCount else { return false }
            for k in 0..<r.count where bytes[r.lowerBound + k] != word.utf8Start[k] { return false }
            return true
        }
        for (i, word) in words.enumerated() where !word.isEmpty {
            // The command's name without its directory: /sbin/reboot is reboot.
            var nameStart = word.lowerBound
            for k in word where bytes[k] == 0x2F { nameStart = k + 1 }
            let name = nameStart..<word.upperBound
            guard name.count >= 2, name.count <= 10 else { continue }
            // Compared as bytes first: a `String` per word of every command costs more than the rest of the rule.
            let isDestructive = destructiveNames.contains { isWord(name, $0) }
                || (name.count >= 5 && isWord(name.lowerBound..<name.lowerBound + 5, "mkfs."))
            if isDestructive { return text(name) }
            let isRM = isWord(name, "rm")
            guard isRM || isWord(name, "dd") else { continue }
            let candidate = isRM ? "rm" : "dd"
            var j = i + 1
            while j < words.count, !words[j].isEmpty {
                let arg = words[j]
                let first = bytes[arg.lowerBound]
                let second = arg.count > 1 ? bytes[arg.lowerBound + 1] : 0
                if candidate == "rm", first == 0x2D {
                    let flags = text(arg)
                    if flags == "--recursive" || (second != 0x2D && (flags.contains("r") || flags.contains("R"))) {
                        return "rm \(flags)"
                    }
                }
                if candidate == "dd" {
                    let operand = text(arg)
                    if operand.hasPrefix("of=") || operand.hasPrefix("if=") { return "dd \(operand)" }
                }
                j += 1
            }
        }
        return nil
    }
}
