#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PlanYAML

/// Reading `copy:` and `fetch:`, with the checks that need no node: the source exists, paths are
/// absolute, the mode is octal, `verify` names the new file.
extension StepDecoder {
    static func decodeCopy(_ node: YAMLNode, context: inout DecodingContext) -> CopyAction? {
        guard let entries = context.mapping(node, expected: "a copy mapping with src or content, and dest") else { return nil }
        var src: (String, SourceRange)?
        var content: Template?
        var dest: Template?
        var action = CopyAction(source: .content(Template(literal: "")), dest: Template(literal: ""))
        var seenSource: YAMLNode?
        for (key, keyNode, value) in entries {
            switch key {
            case "src", "content":
                if let first = seenSource {
                    context.report(
                        .planCopySource, "copy has both 'src' and 'content'; give one", at: keyNode.range,
                        notes: [Diagnostic.Note("'\(first.scalar ?? "")' is here", at: first.range)])
                    continue
                }
                seenSource = keyNode
                if key == "src" {
                    if let path = context.string(value) { src = (path, value.range) }
                } else {
                    content = context.template(value)
                }
            case "template": action.template = context.bool(value) ?? false
            case "dest": dest = absolutePath(value, what: "copy dest", context: &context)
            case "mode":
                guard let mode = context.string(value) else { continue }
                if isMode(mode) { action.mode = mode } else {
                    context.report(
                        .planCopyMode, "mode '\(mode)' is not octal permission bits such as \"0644\" or \"0755\"",
                        at: value.range)
                }
            case "owner": action.owner = context.template(value)
            case "group": action.group = context.template(value)
            case "backup": action.backup = context.bool(value) ?? false
            case "verify":
                guard let verify = context.template(value) else { continue }
                if verify.source.contains(CopyAction.pathPlaceholder) { action.verify = verify } else {
                    context.report(
                        .planCopyVerify, "verify must name the new file as {path}, e.g. 'nginx -t -c {path}'",
                        at: value.range)
                }
            default: context.unknownKey(key, at: keyNode, among: CopyKey.self, in: "copy")
            }
        }
        let start = SourceRange(start: node.range.start, end: node.range.start)
        if let (path, range) = src {
            action.source = .file(path: path, resolved: resolve(path, against: context.file))
            action.sourceRange = range
            if checkSource(path, resolved: action.resolvedSource ?? path, at: range, context: &context), action.template {
                checkTemplate(action.resolvedSource ?? path, context: &context)
            }
        } else if let content {
            action.source = .content(content)
            action.sourceRange = content.range
        } else if seenSource == nil {
            context.missingKey("src", in: "copy (or give content)", at: start)
        }
        guard let dest else {
            if !entries.contains(where: { $0.key == "dest" }) { context.missingKey("dest", in: "copy", at: start) }
            return nil
        }
        action.dest = dest
        return seenSource == nil ? nil : action
    }

    static func decodeFetch(_ node: YAMLNode, context: inout DecodingContext) -> FetchAction? {
        guard let entries = context.mapping(node, expected: "a fetch mapping with src and dest") else { return nil }
        var src: Template?
        var dest: Template?
        for (key, keyNode, value) in entries {
            switch key {
            case "src": src = absolutePath(value, what: "fetch src", context: &context)
            case "dest": dest = context.template(value)
            default: context.unknownKey(key, at: keyNode, among: FetchKey.self, in: "fetch")
            }
        }
        let start = SourceRange(start: node.range.start, end: node.range.start)
        if src == nil, !entries.contains(where: { $0.key == "src" }) { context.missingKey("src", in: "fetch", at: start) }
        if dest == nil, !entries.contains(where: { $0.key == "dest" }) { context.missingKey("dest", in: "fetch", at: start) }
        guard let src, let dest else { return nil }
        return FetchAction(src: src, dest: dest)
    }

    /// A template for a path on a node; when it is literal (or starts literally) it must be absolute, since a
    /// relative path would depend on the login directory of whoever the node's user is.
    private static func absolutePath(_ value: YAMLNode, what: String, context: inout DecodingContext) -> Template? {
        guard let template = context.template(value) else { return nil }
        var relative = template.source.isEmpty
        if case .literal(let text)? = template.parts.first, !text.hasPrefix("/") { relative = true }
        if relative {
            context.report(.planFilePath, "\(what) '\(template.source)' must be an absolute path", at: value.range)
            return nil
        }
        return template
    }

    /// Octal permission bits: three or four digits 0–7.
    static func isMode(_ text: String) -> Bool {
        (3...4).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x37 }
    }

    /// `path` relative to the directory of the plan file (the current directory when the plan has no file).
    static func resolve(_ path: String, against file: String?) -> String {
        if path.hasPrefix("/") { return path }
        guard let file, let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }

    /// `plan.copy-source` when the file is missing or not a regular file, with the closest name beside it;
    /// whether the file is there.
    private static func checkSource(
        _ path: String, resolved: String, at range: SourceRange, context: inout DecodingContext
    ) -> Bool {
        if SourceFile.isFile(resolved) { return true }
        if SourceFile.isDirectory(resolved) {
            context.report(.planCopySource, "copy src '\(path)' is a directory; copy takes one file", at: range)
            return false
        }
        let slash = resolved.lastIndex(of: "/")
        let directory = slash.map { String(resolved[..<$0]) } ?? "."
        let name = slash.map { String(resolved[resolved.index(after: $0)...]) } ?? resolved
        let siblings = entries(of: directory.isEmpty ? "/" : directory)
        let fix = Suggest.closest(to: name, among: siblings)
        let written = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        context.report(
            .planCopySource,
            "copy src '\(path)' does not exist (paths are relative to the plan's directory)"
                + (fix.map { "; did you mean '\(written)\($0)'?" } ?? ""),
            at: range, fixIt: fix.map { written + $0 })
        return false
    }

    /// The expressions of a `template: true` file, checked as the plan's own are (syntax, unknown names and
    /// functions, arity), each diagnostic located in that file at its line and column.
    private static func checkTemplate(_ path: String, context: inout DecodingContext) {
        guard let bytes = SourceFile.read(path) else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        // Parsed as one plain scalar starting at 1:1, whose columns run on along the first line: in bytes for
        // ASCII text, in Unicode scalars otherwise (ScalarLocator); mapped back to lines here.
        let start = SourceLocation(line: 1, column: 1)
        let (_, diagnostics) = Template.parse(text, at: SourceRange(start: start, end: start))
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        func location(_ at: SourceLocation) -> SourceLocation {
            var offset = at.column - 1
            var line = 1
            var column = 1
            if ascii {
                for byte in bytes.prefix(offset) {
                    if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
                }
            } else {
                for scalar in text.unicodeScalars {
                    if offset == 0 { break }
                    offset -= 1
                    if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
                }
            }
            return SourceLocation(line: line, column: column)
        }
        for var diagnostic in diagnostics {
            diagnostic.file = path
            diagnostic.range = SourceRange(start: location(diagnostic.range.start), end: location(diagnostic.range.end))
            diagnostic.notes.append(Diagnostic.Note("in the copy template \(path)"))
            context.append([diagnostic])
        }
    }

    private static func entries(of directory: String) -> [String] { DirectoryListing.names(in: directory) }
}
