import PlanYAML

/// `plan.unguarded-destructive` (warning): a command that restarts, reboots, shuts down, formats or deletes
/// recursively, in a step without `destructive: true`, which would run even when `policy.destructive_when`
/// does not hold. Only the literal parts of the command are read; interpolated values are not guessed at.
public struct UnguardedDestructiveRule: PlanRule {
    public let id = DiagnosticID.planUnguardedDestructive
    public init() {}
    /// Command names that are destructive whatever their arguments; `mkfs.*` is too.
    private static let destructiveNames: [[UInt8]] = [
        "restart", "reboot", "shutdown", "poweroff", "halt", "mkfs", "wipefs",
    ].map { Array($0.utf8) }
    private static let mkfsPrefix = Array("mkfs.".utf8)

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps where !operation.step(facts).destructive {
                let templates: [Template]
                switch operation.step(facts).action {
                case .run(let t): templates = [t]
                case .argv(let ts): templates = ts
                default: continue
                }
                // Literal parts as written, each expression as one word, the arguments of argv apart: the bytes
                // only, since the text is read once and never shown.
                var command: [UInt8] = []
                // Sized once: each template's text as written is at least as long as its part of the command.
                command.reserveCapacity(templates.reduce(templates.count) { $0 + $1.source.utf8.count })
                for (index, template) in templates.enumerated() {
                    if index > 0 { command.append(UInt8(ascii: " ")) }
                    for part in template.parts {
                        switch part {
                        case .literal(let literal): command += literal.utf8
                        case .expression: command += " x ".utf8
                        }
                    }
                }
                guard let what = Self.destructiveCommand(in: command) else { continue }
                out.append(
                    Diagnostic(
                        id,
                        "step '\(operation.step(facts).id)' runs '\(what)' without 'destructive: true', so policy.destructive_when does not guard it",
                        at: templates[0].range))
            }
        }
        return out
    }

    /// The first destructive command in the UTF-8 bytes of a command (`restart`, `rm -rf`, `dd of=…`), or nil.
    ///
    /// Reads the UTF-8 bytes as written, so that a name is matched only when it is spelled exactly so. One pass
    /// over the bytes into word ranges, and text only for what is reported: this runs for every command step.
    static func destructiveCommand(in bytes: [UInt8]) -> String? {
        // Words, nil standing for every command separator so that flags are read per command.
        var words: [Range<Int>?] = []
        // Most commands are a few words: grown from empty, the list was reallocated three times a command.
        words.reserveCapacity(8)
        var start = 0
        for (index, b) in bytes.enumerated() {
            let isSeparator: Bool
            switch b {
            case UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "("),
                UInt8(ascii: ")"):
                isSeparator = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"): isSeparator = false
            default: continue
            }
            if start < index { words.append(start..<index) }
            if isSeparator { words.append(nil) }
            start = index + 1
        }
        if start < bytes.count { words.append(start..<bytes.count) }
        for (i, word) in words.enumerated() {
            guard let word else { continue }
            // The command's name without its directory: /sbin/reboot is reboot.
            let slash = bytes[word].lastIndex(of: UInt8(ascii: "/"))
            let name = bytes[(slash.map { $0 + 1 } ?? word.lowerBound)..<word.upperBound]
            guard name.count >= 2, name.count <= 10 else { continue }
            if destructiveNames.contains(where: { name.count == $0.count && name.elementsEqual($0) })
                || name.starts(with: mkfsPrefix)
            {
                return String(decoding: name, as: UTF8.self)
            }
            let isRM = name.count == 2 && name.first == UInt8(ascii: "r") && name.last == UInt8(ascii: "m")
            let isDD = name.count == 2 && name.first == UInt8(ascii: "d") && name.last == UInt8(ascii: "d")
            guard isRM || isDD else { continue }
            for argument in words[(i + 1)...].prefix(while: { $0 != nil }) {
                let text = String(decoding: bytes[argument!], as: UTF8.self)
                if isRM, text.hasPrefix("-") {
                    if text == "--recursive" || (!text.hasPrefix("--") && (text.contains("r") || text.contains("R"))) {
                        return "rm \(text)"
                    }
                }
                if !isRM, text.hasPrefix("of=") || text.hasPrefix("if=") { return "dd \(text)" }
            }
        }
        return nil
    }
}
