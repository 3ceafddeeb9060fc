/// `--diff` for one `copy` on one node: reads the current file (a read-only command) and shows, as a
/// unified diff, what the copy changes, with mode and owner changes as notes. The text goes through the
/// run's redactor before anyone sees it, so a secret rendered into a template stays `***`.
enum CopyDiff {
    /// Files larger than this, or holding NUL bytes or invalid UTF-8, are compared by size only.
    static let textLimit = 256 * 1024

    /// What the node reports first: `absent`, `directory`, or size, mode, owner and group.
    private static func probe(_ dest: String) -> String {
        let d = ShellQuote.quote(dest)
        return "if [ -f \(d) ]; then stat -c '%s %a %U %G' \(d) && head -c \(textLimit + 1) \(d); "
            + "elif [ -e \(d) ]; then echo directory; else echo absent; fi"
    }

    /// The diff for `plan` on `transport`, or a failure reading the node.
    static func diff(
        _ plan: CopyPlan, node: String, transport: any NodeTransport,
        timeout: Double, grace: Double
    ) async -> Result<String, StepFailure> {
        let outcome = await transport.execute(CommandRequest(
            command: .shell(probe(plan.dest)), timeout: timeout, grace: grace, outputLimit: textLimit + 4096))
        guard outcome.succeeded else {
            let reason = outcome.failure?.message ?? FailureClassifier.failureMessage(outcome)
            return .failure(StepFailure(outcome.failure?.kind ?? .command, "--diff could not read \(plan.dest): \(reason)"))
        }
        let stdout = outcome.stdout
        let firstLine = stdout.prefix { $0 != "\n" }
        let old = stdout.dropFirst(firstLine.count + 1)
        let fields = firstLine.split(separator: " ")
        var notes: [String] = []
        var oldText: Substring?
        switch fields.first {
        case "absent": oldText = ""
        case "directory": return .success("\(plan.dest) is a directory: the copy will fail\n")
        default:
            guard fields.count == 4, let size = Int(fields[0]) else {
                return .failure(StepFailure(.command, "--diff could not read \(plan.dest): unexpected answer '\(firstLine)'"))
            }
            if size <= textLimit, isText(old) { oldText = old } else { notes.append("size \(size) → \(plan.size) bytes") }
            if let mode = plan.mode, Int(mode, radix: 8) != Int(fields[1], radix: 8) { notes.append("mode \(fields[1]) → \(mode)") }
            if let owner = plan.owner, owner != fields[2] { notes.append("owner \(fields[2]) → \(owner)") }
            if let group = plan.group, group != fields[3] { notes.append("group \(fields[3]) → \(group)") }
        }
        let new = newText(plan)
        var text = ""
        if let oldText, let new {
            text = UnifiedDiff.render(
                old: String(oldText), new: new, oldName: fields.first == "absent" ? "/dev/null" : "\(plan.dest) (\(node))",
                newName: "\(plan.dest) (new)")
        } else if notes.isEmpty || oldText == nil {
            text = "binary or large file \(plan.dest): content compared by size only\n"
        }
        if fields.first != "absent", !notes.isEmpty { text = notes.map { "# \(plan.dest): \($0)\n" }.joined() + text }
        return .success(text)
    }

    /// The new content as text, or nil when it is binary or too large to show.
    private static func newText(_ plan: CopyPlan) -> String? {
        guard plan.size <= textLimit else { return nil }
        let bytes: [UInt8]
        switch plan.source {
        case .bytes(let data): bytes = data
        case .file(let path):
            guard let data = try? LocalFiles.readAll(path) else { return nil }
            bytes = data
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return isText(Substring(text)) && Array(text.utf8) == bytes ? text : nil
    }

    private static func isText(_ text: Substring) -> Bool {
        !text.contains("\u{0}") && !text.contains("\u{FFFD}")
    }
}
