import Foundation

/// The README's reference tables and examples, for tests that check them against the code's own lists.
public struct Readme: Sendable {
    public let text: String

    public init() throws {
        let path = SchemaCheck.packageRoot + "/README.md"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaCheck.Failure(description: "cannot read \(path)")
        }
        text = String(decoding: data, as: UTF8.self)
    }

    /// The cells of every row of the first table whose header row starts with `| header |`, after the line
    /// `section` (a heading) when given; header and rule left out.
    public func table(_ header: String, in section: String? = nil) -> [[String]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let from = section.flatMap { section in lines.firstIndex(of: section) } ?? 0
        guard let start = lines[from...].firstIndex(where: { $0.hasPrefix("| \(header) |") }) else { return [] }
        return lines[(start + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The names in backquotes in a cell (`` `retries`, `delay` `` → retries, delay), each up to a `(`.
    public static func codeNames(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { index, part in
            guard index % 2 == 1 else { return nil }
            return String(part.prefix { $0 != "(" })
        }
    }

    /// The `yaml` code block that follows the first line starting with `after`.
    public func yamlBlock(after: String) -> String? {
        guard let anchor = text.range(of: "\n" + after) else { return nil }
        guard let open = text.range(of: "```yaml\n", range: anchor.upperBound..<text.endIndex),
            let close = text.range(of: "\n```", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

/// The `$defs` and top-level properties of `schemas/plan.schema.json`.
public struct PlanSchema: @unchecked Sendable {
    public let object: [String: Any]

    public init() throws {
        let path = SchemaCheck.packageRoot + "/schemas/plan.schema.json"
        guard let data = FileManager.default.contents(atPath: path),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw SchemaCheck.Failure(description: "cannot read \(path)") }
        self.object = object
    }

    /// The property names of `$defs.NAME`, or of the root when `definition` is nil, in the file's order.
    public func properties(of definition: String?) -> Set<String> {
        var node = object
        if let definition { node = (object["$defs"] as? [String: Any])?[definition] as? [String: Any] ?? [:] }
        return Set((node["properties"] as? [String: Any] ?? [:]).keys)
    }

    /// `$defs.DEFINITION.properties.PROPERTY.enum`.
    public func enumeration(_ definition: String, _ property: String) -> [String] {
        let defs = object["$defs"] as? [String: Any]
        let properties = (defs?[definition] as? [String: Any])?["properties"] as? [String: Any]
        return (properties?[property] as? [String: Any])?["enum"] as? [String] ?? []
    }
}
