import Foundation
import PlanEngine
@testable import PlanMCP
import PlanTestSupport
import Synchronization
import Testing

/// How plans become tools: the schemas, the annotations, and the catalog that follows the files on disk.
final class ToolSchemaTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "planrun-mcp-tools-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/b", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ text: String, to name: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    func plan(_ text: String) throws -> Plan {
        let (plan, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: "test.yaml")
        #expect(!diagnostics.hasErrors, "\(diagnostics.map(\.summary))")
        return try #require(plan)
    }

    func object(_ value: Value?) -> Value.Object? {
        if case .object(let object)? = value { return object }
        return nil
    }

    @Test func theBuiltInResultSchemaIsTheFile() throws {
        let file = try String(contentsOfFile: SchemaCheck.packageRoot + "/schemas/result.schema.json", encoding: .utf8)
        // When this fails, schemas/result.schema.json changed: run scripts/embed-schema.
        #expect(ResultSchema.text + "\n" == file, "the built-in result schema is not schemas/result.schema.json: run scripts/embed-schema")
        #expect(ResultSchema.value != .object(Value.Object()))
    }

    @Test func eachInputKindBecomesItsJSONSchemaType() throws {
        let plan = try plan("""
            planrun: 1
            inventory:
              nodes: { a: { transport: local }, b: { transport: local } }
              groups: { both: [a, b] }
            inputs:
              name:    { type: string, enum: [x, y], default: x, description: Which one }
              count:   { type: int, min: 1, max: 9, default: 3 }
              ratio:   { type: float, max: 0.5 }
              on:      { type: bool, default: false }
              wait:    { type: duration, default: 90s, max: 2m }
              where:   { type: node, default: both }
              hosts:   { type: list, default: [a] }
              token:   { type: string, required: true, secret: true }
            operations:
              go:
                execute:
                  - { id: s, target: a, run: "true" }
            """)
        let schema = try #require(object(InputSchema.make(for: plan)))
        #expect(schema["type"] == .string("object"))
        #expect(schema["required"] == .array([.string("token")]))
        #expect(schema["additionalProperties"] == .bool(false))
        let properties = try #require(object(schema["properties"]))
        #expect(properties.keys == ["name", "count", "ratio", "on", "wait", "where", "hosts", "token", "dry_run"])
        #expect(properties["name"] == .object(Value.Object([
            ("type", .string("string")), ("enum", .array([.string("x"), .string("y")])), ("default", .string("x")),
            ("description", .string("Which one")),
        ])))
        #expect(properties["count"] == .object(Value.Object([
            ("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(9)), ("default", .int(3)),
        ])))
        #expect(object(properties["ratio"])?["maximum"] == .double(0.5))
        #expect(object(properties["on"])?["type"] == .string("boolean"))
        let wait = try #require(object(properties["wait"]))
        #expect(wait["default"] == .int(90))
        #expect(wait["anyOf"] == .array([
            .object(Value.Object([("type", .string("string")), ("pattern", .string(InputSchema.durationPattern))])),
            .object(Value.Object([("type", .string("number")), ("minimum", .int(0)), ("maximum", .int(120))])),
        ]))
        #expect(object(properties["where"])?["enum"] == .array(["a", "b", "both"].map(Value.string)))
        #expect(object(properties["hosts"])?["type"] == .string("array"))
        #expect(object(properties["hosts"])?["default"] == .array([.string("a")]))
        #expect(object(properties["token"])?["description"] == .string("(secret: shown as *** in every result and progress message)"))
        #expect(object(properties["dry_run"])?["type"] == .string("boolean"))
    }

    @Test(arguments: [("10s", true), ("1m30s", true), ("500ms", true), ("1.5h", true), ("90", true), ("2.5", true),
                      ("", false), ("10 s", false), ("ten", false), ("-1s", false)])
    func theDurationPatternAcceptsWhatTheRunAccepts(text: String, accepted: Bool) throws {
        let pattern = try Regex(InputSchema.durationPattern)
        #expect((text.wholeMatch(of: pattern) != nil) == accepted)
        #expect((DurationText.seconds(text) != nil) == accepted)
    }

    @Test func theOutputSchemaNamesThePlansFieldsFirst() throws {
        let plan = try plan("""
            planrun: 1
            operations:
              go:
                execute:
                  - { id: s, run: "true" }
            output:
              summary: done
            """)
        let schema = try #require(object(OutputSchema.make(for: plan, operation: plan.operations[0])))
        #expect(schema["$id"] == nil)
        #expect(schema["$defs"] != nil)
        let properties = try #require(object(schema["properties"]))
        #expect(properties.keys.first == "summary")
        #expect(object(properties["operation"])?["type"] == .string("string"))
    }

    @Test func aToolIsDestructiveWhenAnyStepOrFallbackIs() throws {
        let plan = try plan("""
            planrun: 1
            policy: { destructive_when: "${{ inputs.force }}" }
            inputs:
              force: { type: bool, default: false }
            operations:
              look:
                execute:
                  - { id: s, run: "true" }
              change:
                execute:
                  - id: s
                    run: "false"
                    fallback:
                      - { id: wipe, run: "true", destructive: true }
            """)
        let look = Tool(plan: plan, operation: plan.operations[0])
        let change = Tool(plan: plan, operation: plan.operations[1])
        #expect(object(object(look.definition)?["annotations"])?["readOnlyHint"] == .bool(true))
        #expect(object(object(look.definition)?["annotations"])?["destructiveHint"] == .bool(false))
        #expect(object(object(change.definition)?["annotations"])?["readOnlyHint"] == .bool(false))
        #expect(object(object(change.definition)?["annotations"])?["destructiveHint"] == .bool(true))
        let description = object(change.definition)?["description"]?.interpolationText ?? ""
        #expect(description.contains("Destructive steps (wipe) run only when the plan's guard ${{ inputs.force }} holds"))
    }

    @Test func aCopyMakesAToolDestructiveAndAFetchDoesNot() throws {
        let plan = try plan("""
            planrun: 1
            operations:
              upload:
                execute:
                  - { id: put, copy: { content: hello, dest: /tmp/planrun-mcp-never-written } }
              download:
                execute:
                  - { id: get, fetch: { src: /etc/hostname, dest: out/hostname } }
            """)
        let upload = Tool(plan: plan, operation: plan.operations[0])
        let download = Tool(plan: plan, operation: plan.operations[1])
        #expect(object(object(upload.definition)?["annotations"])?["destructiveHint"] == .bool(true))
        #expect(object(object(upload.definition)?["annotations"])?["readOnlyHint"] == .bool(false))
        #expect(object(upload.definition)?["description"]?.interpolationText.contains("Steps that write files onto nodes: put.") == true)
        #expect(object(object(download.definition)?["annotations"])?["readOnlyHint"] == .bool(true))
    }

    @Test func theCatalogFollowsTheFilesOnDisk() throws {
        let logged = Mutex<[String]>([])
        let catalog = ToolCatalog(directories: [directory + "/a", directory + "/b"], inventoryFile: nil) { line in
            logged.withLock { $0.append(line) }
        }
        let plan = "planrun: 1\nname: same\noperations:\n  one:\n    execute:\n      - { id: s, run: \"true\" }\n"
        try write(plan, to: "a/first.yaml")
        try write(plan.replacingOccurrences(of: "one:", with: "two:"), to: "b/second.yaml")
        try write("planrun: 1\ninputs:\n  dry_run: { type: bool }\noperations:\n  x:\n    execute:\n      - { id: s, run: \"true\" }\n", to: "a/hides.yaml")
        // The first plan of a name wins, the shadowed one is logged once; a plan with a dry_run input is refused.
        #expect(catalog.tools().map(\.name) == ["same.one"])
        #expect(catalog.tools().map(\.name) == ["same.one"])
        let lines = logged.withLock { $0 }
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.contains { $0.contains("hides.yaml: its input 'dry_run'") })
        #expect(lines.contains { $0.contains("not offering \(directory)/b/second.yaml: the plan name 'same' is already offered by \(directory)/a/first.yaml") })
        // The first file goes: the second plan's tools are offered now.
        try FileManager.default.removeItem(atPath: directory + "/a/first.yaml")
        #expect(catalog.tools().map(\.name) == ["same.two"])
        // A file made invalid is dropped and logged with its diagnostics.
        try write("planrun: 1\nname: same\noperations:\n  two:\n    execute:\n      - { id: s, run: \"true\", timout: 1s }\n", to: "b/second.yaml")
        #expect(catalog.tools().isEmpty)
        #expect(logged.withLock { $0.last ?? "" }.contains("unknown key 'timout'; did you mean 'timeout'? [plan.unknown-key]"))
    }
}
