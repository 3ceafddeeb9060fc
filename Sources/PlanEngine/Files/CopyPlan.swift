/// One `copy` on one node: the bytes to send, where they go, and the script that installs them there.
///
/// The bytes reach the node as an upload (`Upload`): saved owner-only under a temporary name in `dest`'s
/// directory before the script starts, removed by the transport however the script ends. The script then
///  - compares: same size and same `sha256sum` as `dest` means the content is in place; only mode and owner
///    are set where they differ, and nothing is written;
///  - otherwise gives the new file its mode (as given, else that of the file it replaces, else the umask's)
///    and owner, runs `verify` on it, keeps a backup when asked (a hard link, so the old inode survives the
///    rename) and renames it over `dest`: a reader sees the old file or the new. The bytes were flushed to
///    disk as they arrived (`Upload.receiveScript`), so a crash after the rename cannot leave an empty file.
/// Its last line says `planrun: changed` or `planrun: unchanged`. A file larger than `compareFirstSize` is
/// compared before it is sent (`contentIsInPlace`), so an unchanged large file does not travel again. The node needs `sh`, `dd`, `wc`,
/// `stat -c`, `sha256sum`, `mv` (coreutils or BusyBox), and uses `cmp` where it has one. Without `verify` (user code)
/// the script runs in the remote wrapper's own shell (`CommandRequest.runsInWrapper`).
struct CopyPlan: Sendable {
    let dest: String
    let temporary: String
    let source: Upload.Source
    /// How the source is named in progress and dry-run: the `src` path as written, or `content`.
    let sourceLabel: String
    let size: Int
    /// Mode, owner and group as asked (rendered); nil where the copy leaves them be.
    let mode: String?
    let owner: String?
    let group: String?
    /// `verify` rendered, `{path}` replaced by the temporary name.
    let verify: String?
    /// Where the replaced file is kept; nil without `backup`.
    let backup: String?
    /// Set when the node already holds these bytes (`contentIsInPlace`): nothing is sent, only mode and
    /// owner are set where they differ.
    var contentInPlace = false

    var script: String {
        Self.script(
            temporary: temporary, dest: dest, mode: mode, owner: owner, group: group, verify: verify, backup: backup,
            contentInPlace: contentInPlace, takesUmask: takesUmask)
    }

    /// Neither mode nor owner asked: a new file gets the node's umask, and the bytes are saved with it as
    /// they arrive (`Upload.umaskModeIfAbsent`), so no `chmod` follows.
    var takesUmask: Bool { mode == nil && owner == nil && group == nil }

    /// The upload of the bytes, nil when they are already in place.
    var upload: Upload? {
        contentInPlace ? nil : Upload(source: source, path: temporary, umaskModeIfAbsent: takesUmask ? dest : nil)
    }

    static let changedMarker = "planrun: changed"
    static let unchangedMarker = "planrun: unchanged"
    static let verifyMarker = "planrun: verify failed"

    /// What progress and dry-run show.
    var shown: String { "copy \(sourceLabel) (\(Self.describe(size: size))) to \(dest)" }

    /// Renders the action for one node (its scope has `node`); a template that cannot be rendered, or a
    /// source that cannot be read, is a failure before anything is sent.
    static func prepare(_ copy: CopyAction, scope: Value.Object, time: String) throws(StepFailure) -> CopyPlan {
        let dest = try render(copy.dest, scope)
        guard dest.hasPrefix("/"), !dest.hasSuffix("/") else {
            throw StepFailure(.validation, "copy dest '\(dest)' must be an absolute path to a file")
        }
        let source: Upload.Source
        let label: String
        let size: Int
        switch copy.source {
        case .file(let path, let resolved):
            label = path
            if copy.template {
                let text = String(decoding: try LocalFiles.readAll(resolved), as: UTF8.self)
                let (template, diagnostics) = Template.parse(text, at: .unknown)
                if let problem = diagnostics.first(where: { $0.severity == .error }) {
                    throw StepFailure(.validation, "template \(path): \(problem.message)")
                }
                source = .bytes(Array(try render(template, scope).utf8))
                size = Self.count(source)
            } else {
                guard let bytes = LocalFiles.size(resolved) else {
                    throw StepFailure(.command, "cannot read copy src \(resolved)")
                }
                source = .file(resolved)
                size = bytes
            }
        case .content(let template):
            label = "content"
            source = .bytes(Array(try render(template, scope).utf8))
            size = Self.count(source)
        }
        let temporary = LocalFiles.temporaryName(beside: dest)
        var verify: String?
        if let template = copy.verify {
            do {
                verify = try template.renderShell(in: scope)
                    .split(separator: CopyAction.pathPlaceholder, omittingEmptySubsequences: false)
                    .joined(separator: ShellQuote.quote(temporary))
            } catch { throw StepFailure(.validation, "verify: \(error.message)") }
        }
        let owner = try copy.owner.map { t throws(StepFailure) in try render(t, scope) }
        let group = try copy.group.map { t throws(StepFailure) in try render(t, scope) }
        return CopyPlan(
            dest: dest, temporary: temporary, source: source, sourceLabel: label, size: size, mode: copy.mode,
            owner: owner, group: group, verify: verify, backup: copy.backup ? dest + ".planrun-" + time : nil)
    }

    /// Files larger than this are compared before they are sent (one round trip more); smaller ones are
    /// sent and compared on the node, which costs less than the round trip.
    static let compareFirstSize = 1 << 20

    /// For a large file: whether `dest` already holds these bytes, by size and `sha256sum` on the node and
    /// `sha256sum` here (only when the sizes agree), so an unchanged large file is not sent again.
    func contentIsInPlace(on transport: any NodeTransport, timeout: Double, grace: Double) async -> Bool {
        guard size > Self.compareFirstSize, case .file(let path) = source else { return false }
        let d = ShellQuote.quote(dest)
        let remote = await transport.execute(CommandRequest(
            command: .shell("[ -f \(d) ] && [ $(($(wc -c <\(d)))) = \(size) ] && sha256sum <\(d)"), timeout: timeout,
            grace: grace, outputLimit: 4096))
        guard remote.succeeded, let theirs = remote.stdout.split(separator: " ").first, theirs.count == 64 else { return false }
        let local = await LocalTransport().execute(CommandRequest(
            command: .argv(["sha256sum", "--", path]), timeout: timeout, grace: grace, outputLimit: 4096))
        return local.succeeded && local.stdout.split(separator: " ").first == theirs
    }

    /// Whether the script replaced or adjusted the file, from its last line; nil when it said neither.
    static func changed(_ stdout: String) -> Bool? {
        let last = stdout.split(whereSeparator: \.isNewline).last.map(String.init)
        return last == changedMarker ? true : last == unchangedMarker ? false : nil
    }

    static func script(
        temporary: String, dest: String, mode: String?, owner: String?, group: String?, verify: String?, backup: String?,
        contentInPlace: Bool = false, takesUmask: Bool = false
    ) -> String {
        let q = ShellQuote.quote
        var lines = [
            "t=\(q(temporary)); d=\(q(dest)); m=\(q(mode ?? "")); o=\(q(owner ?? "")); g=\(q(group ?? ""))",
            // Owner and group as names or numbers; empty means whatever they are.
            #"owned() { set -- $(stat -c '%U %u %G %g' "$1") && { [ -z "$o" ] || [ "$o" = "$1" ] || [ "$o" = "$2" ]; } && { [ -z "$g" ] || [ "$g" = "$3" ] || [ "$g" = "$4" ]; }; }"#,
            #"moded() { [ -z "$m" ] || [ $((0$(stat -c %a "$1"))) = $((0$m)) ]; }"#,
            // One `cmp` where the node has it (it stops at the first difference); else sizes, then digests.
            #"same() { if command -v cmp >/dev/null 2>&1; then cmp -s "$1" "$2"; else [ $(($(wc -c <"$1"))) = $(($(wc -c <"$2"))) ] && [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; fi; }"#,
            #"if [ -d "$d" ]; then echo "planrun: $d is a directory" >&2; exit 1; fi"#,
            contentInPlace ? "if :; then"
                : #"if [ -f "$d" ] && same "$t" "$d"; then"#,
            #"  c=unchanged"#,
            #"  moded "$d" || { chmod "$m" "$d" || exit; c=changed; }"#,
            #"  owned "$d" || { chown "$o${g:+:$g}" "$d" || exit; c=changed; }"#,
            #"  echo "planrun: $c"; exit 0"#,
            "fi",
            // A new file's mode is the umask's: 0666 without its bits, written out in octal by arithmetic alone;
            // bytes saved with the umask already have it. (Should `dest` vanish between the two, the new file
            // keeps the owner-only mode it was saved with.)
            takesUmask
                ? #"if [ -e "$d" ]; then chmod "$(stat -c %a "$d")" "$t" || exit; fi"#
                : #"if [ -n "$m" ]; then chmod "$m" "$t"; elif [ -e "$d" ]; then chmod "$(stat -c %a "$d")" "$t"; else u=$(umask); u=$((0666 & ~0$u)); chmod "$((u >> 6))$((u >> 3 & 7))$((u & 7))" "$t"; fi || exit"#,
            #"if [ -n "$o$g" ]; then chown "$o${g:+:$g}" "$t" || exit; elif [ -e "$d" ]; then chown "$(stat -c %u:%g "$d")" "$t" 2>/dev/null; fi"#,
        ]
        if let verify {
            // A subshell, so an `exit` in verify ends verify only.
            lines.append("( \(verify)\n) >&2 || { s=$?; echo \"\(verifyMarker) (exit status $s); $d was not replaced\" >&2; exit 1; }")
        }
        if let backup {
            lines.append(#"if [ -e "$d" ]; then ln -f "$d" \#(q(backup)) 2>/dev/null || cp -p "$d" \#(q(backup)) || exit; fi"#)
        }
        lines.append(#"mv -f "$t" "$d" || exit"#)
        lines.append(#"echo "planrun: changed""#)
        return lines.joined(separator: "\n")
    }

    private static func render(_ template: Template, _ scope: Value.Object) throws(StepFailure) -> String {
        do { return try template.evaluate(in: scope).interpolationText } catch {
            throw StepFailure(.validation, error.message)
        }
    }

    private static func count(_ source: Upload.Source) -> Int {
        if case .bytes(let bytes) = source { return bytes.count }
        return 0
    }

    /// `812 bytes`, `1.5 MB`.
    static func describe(size: Int) -> String {
        if size < 1024 { return "\(size) bytes" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(size) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (value * 10).rounded() / 10 == value.rounded() ? "\(Int(value.rounded())) \(units[unit])"
            : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
