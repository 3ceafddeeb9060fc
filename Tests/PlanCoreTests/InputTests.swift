import PlanCore
import PlanTestSupport
import Testing

/// Inputs from `-i key=value` and from files, typed by the plan's declarations.
@Suite struct InputTests {
    static let plan: Plan = {
        let (plan, diagnostics) = PlanDecoder.decode(bytes: Array("""
            planrun: 1
            inventory:
              nodes: { genesis: {}, follower: { host: h } }
              groups: { all: [genesis, follower] }
            inputs:
              target_node: { type: node, default: all }
              message: { type: string, default: "" }
              timeout: { type: duration, default: 60s, max: 120s }
              force: { type: bool, default: false }
              count: { type: int, default: 1, min: 1, max: 9 }
              ratio: { type: float, default: 0.5 }
              mode: { type: string, default: all, enum: [blockchain, git, all] }
              hosts: { type: list, default: [] }
              token: { type: string, required: true, secret: true }
            operations:
              status: { execute: [{ id: a, target: all, run: echo }] }
              sync: { execute: [{ id: b, target: all, run: echo }] }
            """.utf8), file: "plans/p.yaml")
        precondition(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        return plan!
    }()

    func resolve(_ assignments: [String], plan: Plan = InputTests.plan) -> InputResolver.Resolution {
        InputResolver.resolve(plan: plan, raw: assignments.map { RawInput.parseAssignment($0)! })
    }

    @Test func commandLineValuesAreTypedAndDefaultsFilled() {
        let r = resolve([
            "operation=sync", "token=s3cret", "timeout=1m30s", "force=true", "count=3", "ratio=2", "target_node=genesis",
            "hosts=a, b,c", "message=x; rm -rf /",
        ])
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.summary))")
        #expect(r.operation == "sync")
        #expect(r.values.keys == ["operation", "target_node", "message", "timeout", "force", "count", "ratio", "mode", "hosts", "token"])
        #expect(r.values["timeout"] == .int(90))
        #expect(r.values["force"] == .bool(true))
        #expect(r.values["count"] == .int(3))
        #expect(r.values["ratio"] == .double(2))
        #expect(r.values["target_node"] == .string("genesis"))
        #expect(r.values["hosts"] == .array([.string("a"), .string("b"), .string("c")]))
        #expect(r.values["message"] == .string("x; rm -rf /"))
        #expect(r.values["mode"] == .string("all"))
    }

    @Test func listsMayBeJSON() {
        let r = resolve(["operation=status", "token=t", #"hosts=["a", 1]"#])
        #expect(r.values["hosts"] == .array([.string("a"), .int(1)]))
    }

    @Test func theSeedInputJSONWorksAsIs() {
        let json = """
            {"operation": "sync", "target_node": "follower", "message": "", "sync_type_ignored": null,
             "timeout": 60, "force": false, "token": "t"}
            """
        let (raw, problems) = InputFile.read(bytes: Array(json.utf8), file: "in.json")
        #expect(problems.isEmpty)
        let r = InputResolver.resolve(plan: Self.plan, raw: raw)
        #expect(r.operation == "sync")
        #expect(r.values["timeout"] == .int(60))
        #expect(r.values["force"] == .bool(false))
        // The one unknown key points into the file.
        let column = json.distance(from: json.startIndex, to: json.firstRange(of: "\"sync_type_ignored")!.lowerBound) + 1
        #expect(r.diagnostics.map { "\($0.id)@\($0.file ?? "-"):\($0.range.start)" } == ["input.unknown@in.json:1:\(column)"])
    }

    @Test func yamlInputsFileAndLaterValuesWin() {
        let (raw, _) = InputFile.read(bytes: Array("operation: status\ntoken: a\ntimeout: 10s\ncount: 2\n".utf8), file: "in.yaml")
        let r = InputResolver.resolve(plan: Self.plan, raw: raw + [RawInput.parseAssignment("count=4")!])
        #expect(r.diagnostics.isEmpty)
        #expect(r.values["timeout"] == .int(10))
        #expect(r.values["count"] == .int(4))
    }

    @Test func problemsWithDidYouMeans() {
        let r = resolve([
            "operation=statsu", "token=t", "forse=true", "force=yes", "timeout=3m", "count=0", "mode=fast",
            "target_node=folower", "ratio=x", "timeout=ten",
        ])
        #expect(r.operation == nil)
        #expect(r.diagnostics.map(\.id) == [
            .inputUnknown, .inputUnknownOperation, .inputUnknownNode, .inputType, .inputType,
            .inputRange, .inputType, .inputEnum,
        ])
        let messages = r.diagnostics.map(\.message)
        #expect(messages[0] == "unknown input 'forse'; did you mean 'force'?")
        #expect(messages[1] == "unknown operation 'statsu'; did you mean 'status'?")
        #expect(messages[2] == "input 'target_node' names unknown node or group 'folower'; did you mean 'follower'? (valid: genesis, follower, all)")
        #expect(messages[3] == "input 'timeout' expects a duration such as '10s', found 'ten'")
        #expect(messages[4] == "input 'force' expects true or false, found 'yes'; did you mean 'true'?")
        #expect(messages[5] == "input 'count' is 0, below the minimum of 1")
        #expect(messages[7] == "input 'mode' is 'fast', not one of: 'blockchain', 'git', 'all'")
        #expect(r.diagnostics.allSatisfy { $0.file == nil })
    }

    @Test func durationAboveMax() {
        let r = resolve(["operation=sync", "token=t", "timeout=3m"])
        #expect(r.diagnostics.map(\.message) == ["input 'timeout' is 3m, above the maximum of 2m"])
    }

    @Test func missingRequiredAndOperationArePointedAt() {
        let r = resolve([])
        #expect(r.diagnostics.map(\.id) == [.inputMissingOperation, .inputMissing])
        let missing = r.diagnostics[1]
        #expect(missing.file == "plans/p.yaml")
        #expect(missing.range.start.line == 14)
    }

    @Test func aPlanWithOneOperationNeedsNone() throws {
        let (plan, _) = PlanDecoder.decode(bytes: Array("planrun: 1\noperations: { only: { execute: [{ id: a, run: x }] } }\n".utf8), file: "p.yaml")
        let r = InputResolver.resolve(plan: try #require(plan), raw: [])
        #expect(r.diagnostics.isEmpty)
        #expect(r.operation == "only")
        #expect(r.values["operation"] == .string("only"))
    }

    @Test func fileValuesOfTheWrongType() {
        let (raw, _) = InputFile.read(bytes: Array(#"{"operation": "sync", "token": "t", "force": 1, "count": 2.5, "hosts": "a,b", "message": 5}"#.utf8), file: "in.json")
        let r = InputResolver.resolve(plan: Self.plan, raw: raw)
        #expect(r.diagnostics.map(\.message) == ["input 'force' expects true or false, found a int", "input 'count' expects an integer, found a float"])
        #expect(r.values["hosts"] == .array([.string("a"), .string("b")]))
        #expect(r.values["message"] == .string("5"))
    }

    @Test func assignmentsNeedAnEqualsSign() {
        #expect(RawInput.parseAssignment("novalue") == nil)
        #expect(RawInput.parseAssignment("=x") == nil)
        #expect(RawInput.parseAssignment("k=a=b")?.key == "k")
    }
}
