import PlanTestSupport
import PlanYAML
import Testing

@testable import PlanCore

/// Each list of names has one source in the code (a `CaseIterable` enum); the schema and the README must list
/// exactly the same names, so a key added to the decoder and forgotten in the docs (or the reverse) fails here.
@Suite struct OneListTests {
    let readme: Readme
    let schema: PlanSchema

    init() throws {
        readme = try Readme()
        schema = try PlanSchema()
    }

    /// The keys of every mapping in a README YAML example, at the given path of keys (`*` is any key).
    func exampleKeys(after anchor: String, at path: [String]) throws -> Set<String> {
        let block = try #require(readme.yamlBlock(after: anchor), "no yaml block after '\(anchor)'")
        let (root, problems) = YAMLComposer.compose(Array(block.utf8), file: "README.md")
        #expect(problems.isEmpty, "\(problems.map(\.summary))")
        var nodes = [try #require(root)]
        for key in path {
            nodes = nodes.flatMap { node in
                (node.mapping ?? []).filter { key == "*" || $0.key.scalar == key }.map(\.value)
            }
        }
        return Set(nodes.flatMap { ($0.mapping ?? []).compactMap(\.key.scalar) })
    }

    /// The names in the first column of the README table with this header.
    func tableNames(_ header: String, in section: String? = nil) -> Set<String> {
        Set(readme.table(header, in: section).flatMap { Readme.codeNames($0[0]) })
    }

    @Test func stepKeys() {
        #expect(Set(StepKey.names) == schema.properties(of: "step"))
        #expect(Set(StepKey.names) == tableNames("step key", in: "### Operations, phases and steps"))
    }

    @Test func planSectionKeys() throws {
        // The schema's top level describes plans and step files (`kind: steps`) both.
        #expect(Set(PlanSectionKey.names).union(StepFileKey.names) == schema.properties(of: nil))
        let example = try exampleKeys(after: "Editors can complete", at: []).filter { !$0.hasPrefix("x-") }
        #expect(Set(PlanSectionKey.names) == example)
    }

    @Test func inventoryAndNodeKeys() throws {
        #expect(Set(InventoryKey.names) == schema.properties(of: "inventory"))
        #expect(Set(NodeKey.names) == schema.properties(of: "node"))
        #expect(Set(InventoryKey.names) == (try exampleKeys(after: "### Inventory", at: ["inventory"])))
        #expect(Set(NodeKey.names) == (try exampleKeys(after: "### Inventory", at: ["inventory", "nodes", "*"])))
    }

    @Test func inputKeysAndTypes() {
        #expect(Set(InputKey.names) == schema.properties(of: "input"))
        // The inputs table's first column names the keys, `enum`, `min`, `max` in one row.
        let table = readme.table("key", in: "### Inputs")
        #expect(Set(InputKey.names) == Set(table.flatMap { Readme.codeNames($0[0]) }))
        let kinds = InputDeclaration.Kind.allCases.map(\.rawValue)
        #expect(schema.enumeration("input", "type") == kinds)
        let typeRow = table.first { $0[0] == "`type`" }
        #expect(typeRow.map { Readme.codeNames($0[1]) } == kinds)
    }

    @Test func policyKeys() {
        #expect(Set(PolicyKey.names) == schema.properties(of: "policy"))
        let table = readme.table("key", in: "### Policy")
        #expect(Set(PolicyKey.names) == Set(table.flatMap { Readme.codeNames($0[0]) }))
    }

    @Test func captureAndErrorRuleKeys() throws {
        #expect(Set(CaptureKey.names) == schema.properties(of: "capture"))
        #expect(Set(CaptureKey.names) == (try exampleKeys(after: "**Captures**", at: ["capture", "*"])).union(["as"]))
        #expect(Set(ErrorRuleKey.names) == schema.properties(of: "errorRule"))
        let errorsRow = readme.table("step key").first { $0[0] == "`errors`" }
        let listed = errorsRow.map { $0[1].replacingOccurrences(of: "list of `{ ", with: "").prefix { $0 != "}" } }
        #expect(listed.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            == Set(ErrorRuleKey.names))
    }

    @Test func expressionFunctions() {
        #expect(tableNames("function", in: "### Expressions") == Set(ExpressionFunction.allCases.map(\.rawValue)))
    }

    /// The README's diagnostic table is the catalogue, row for row: id, severity, meaning.
    @Test func diagnosticCatalogue() {
        let rows = readme.table("id", in: "### Diagnostics")
        let expected = DiagnosticID.allCases.map { ["`\($0.rawValue)`", $0.severity.rawValue, $0.meaning] }
        // Said row by row, so that a missing or stale row is named rather than buried in two long lists.
        for row in expected where !rows.contains(row) { Issue.record("README lacks the row \(row)") }
        for row in rows where !expected.contains(row) { Issue.record("README has a row the catalogue lacks: \(row)") }
        #expect(rows == expected, "same rows, in the catalogue's order")
        #expect(Set(DiagnosticID.allCases.map(\.rawValue)).count == DiagnosticID.allCases.count)
    }

    /// Every unknown-key did-you-mean draws from the enum: a near miss of each key is answered with that key.
    @Test(arguments: StepKey.allCases)
    func stepKeyNearMissSuggestsIt(_ key: StepKey) {
        let typo = key.rawValue + "x"
        let text = "planrun: 1\noperations:\n  o:\n    execute:\n      - id: a\n        run: 'true'\n        \(typo): 1\n"
        let (_, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: "t.yaml")
        let unknown = diagnostics.filter { $0.id == .planUnknownKey }
        #expect(unknown.map(\.fixIt) == [key.rawValue])
    }
}
