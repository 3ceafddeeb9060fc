import PlanCore
import PlanTestSupport
import Testing

/// The decoder reads every key of the v1 language into the model, typed by the field.
@Suite struct DecoderTests {
    static let full = Fixtures.text("good/every-key.yaml")

    @Test func decodesEveryKey() throws {
        let plan = try #require(cleanPlan(Self.full))
        #expect(plan.name == "demo")
        #expect(plan.description == "A plan with every key")
        #expect(plan.inventory.nodes.map(\.name) == ["genesis", "follower", "bare"])
        let genesis = plan.inventory.nodes[0]
        #expect(genesis.transport == .local)
        #expect(genesis.vars["cli"] == .string("/opt/cli"))
        #expect(genesis.vars["debug"] == .bool(true))
        #expect(genesis.vars["n"] == .int(3))
        #expect(genesis.vars["ratio"] == .double(0.5))
        #expect(genesis.vars["tag"] == .string("007"))
        #expect(genesis.vars["none"] == .null)
        #expect(plan.inventory.nodes[1].transport == .ssh(SSHSettings(
            host: "aitbc1", user: "root", port: 2222, identityFile: "~/.ssh/id",
            options: [.init(name: "UserKnownHostsFile", value: "/tmp/kh"), .init(name: "StrictHostKeyChecking", value: "no")])))
        #expect(plan.inventory.nodes[2].transport == .local)
        #expect(plan.inventory.groups.map(\.members) == [["genesis", "follower"], ["genesis"]])

        #expect(plan.inputs.map(\.name) == ["target_node", "timeout", "force", "count", "ratio", "token", "hosts"])
        #expect(plan.inputs[0].kind == .node && plan.inputs[0].defaultValue == .string("all"))
        #expect(plan.inputs[0].description == "where")
        #expect(plan.inputs[1].defaultValue == .int(90) && plan.inputs[1].max == 120 && plan.inputs[1].min == 1)
        #expect(plan.inputs[2].defaultValue == .bool(false))
        #expect(plan.inputs[3].allowed == [.int(1), .int(3), .int(5)])
        #expect(plan.inputs[4].defaultValue == .double(1))
        #expect(plan.inputs[5].required && plan.inputs[5].secret && plan.inputs[5].defaultValue == nil)
        #expect(plan.inputs[6].defaultValue == .array([.string("a"), .string("b")]))

        #expect(plan.policy.maxParallel == 3)
        #expect(plan.policy.maxConnecting == 4)
        guard case .template(let deadline)? = plan.policy.deadline else { Issue.record("deadline"); return }
        #expect(deadline.wholeExpression != nil)
        #expect(plan.policy.defaultTimeout == 0.5)
        #expect(plan.policy.maxTimeout == 120)
        #expect(plan.policy.destructiveWhen != nil)

        let status = try #require(plan.operation(named: "status"))
        // Phases in run order, whatever the file's order.
        #expect(status.steps.map(\.id) == ["reach", "compute", "wipe", "check"])
        #expect(status.steps.map(\.phase) == [.analyze, .analyze, .analyze, .validate])
        let reach = status.steps[0]
        #expect(reach.name == "reachability")
        #expect(reach.onError == .markOffline)
        guard case .literal(10, _)? = reach.timeout else { Issue.record("timeout"); return }
        #expect(reach.retries == 2 && reach.delay == 2)
        #expect(reach.until != nil)
        #expect(reach.captures.map(\.name) == ["height", "raw", "first", "all"])
        #expect(reach.captures.map(\.source) == [.json(["a", "b", "0"]), .stdout, .regex("h=(\\d+)"), .lines])
        #expect(reach.captures.map(\.conversion) == [.int, nil, nil, .string])
        #expect(reach.errors.map(\.kind) == ["git_conflict", "service_offline"])
        #expect(reach.errors[0].match == "CONFLICT" && reach.errors[1].exitCode == 3)
        #expect(reach.fallback.map(\.id) == ["logs"])
        #expect(reach.fallback[0].phase == .analyze)
        #expect(reach.fallbackNode?.literalText == "genesis")
        #expect(reach.needsRange == nil)
        let compute = status.steps[1]
        #expect(compute.needsRange != nil && compute.needs.isEmpty)
        guard case .set(let entries) = compute.action else { Issue.record("set"); return }
        #expect(entries.map(\.key) == ["total", "label", "list", "map"])
        guard case .scalar(_, let typed) = entries[0].value else { Issue.record("scalar"); return }
        #expect(typed == .int(3))
        let wipe = status.steps[2]
        #expect(wipe.needs.map(\.id) == ["reach", "compute"])
        #expect(wipe.destructive)
        guard case .names(let names)? = wipe.target else { Issue.record("target"); return }
        #expect(names.map(\.literalText) == ["genesis", "follower"])
        guard case .template? = wipe.timeout else { Issue.record("timeout template"); return }
        #expect(status.steps[3].message?.literalText == "differ")
        #expect(plan.output.map(\.name) == ["summary", "count", "nested"])
    }

    @Test func nameDefaultsToTheFileName() throws {
        let (plan, _) = PlanDecoder.decode(bytes: Array("planrun: 1\noperations: { op: { execute: [{ id: a, run: x }] } }\n".utf8), file: "dir/my-plan.yaml")
        #expect(plan?.name == "my-plan")
        #expect(plan?.file == "dir/my-plan.yaml")
    }

    @Test(arguments: [
        ("10s", 10.0), ("500ms", 0.5), ("2m", 120), ("1h", 3600), ("1m30s", 90), ("90", 90), ("1.5", 1.5),
        ("1.5s", 1.5), ("1h30m", 5400), ("2s500ms", 2.5), ("0", 0),
    ])
    func durations(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "ten", "10x", "s", "-1s", "-5", "1s1m", "1m1m", "10 s", "1.2.3s"])
    func notDurations(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func durationsFormatBack() {
        #expect(DurationText.format(90) == "1m30s")
        #expect(DurationText.format(0.5) == "500ms")
        #expect(DurationText.format(3600) == "1h")
        #expect(DurationText.format(0) == "0s")
    }

    @Test(arguments: [
        ("true", Value.bool(true)), ("false", .bool(false)), ("null", .null), ("~", .null), ("", .null),
        ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("1.5", .double(1.5)), ("1e3", .double(1000)),
        ("yes", .string("yes")), ("on", .string("on")), ("0x1F", .string("0x1F")), ("1_000", .string("1_000")),
        ("1.10", .double(1.1)), ("True", .string("True")), (".inf", .string(".inf")), ("1e", .string("1e")),
    ])
    func plainScalarTyping(_ text: String, _ value: Value) {
        #expect(ScalarTyping.plain(text) == value)
    }

    @Test func quotedScalarsAreStrings() throws {
        let plan = try #require(cleanPlan("""
            planrun: 1
            inventory: { nodes: { a: { vars: { t: "true", n: '3' } } } }
            operations: { op: { execute: [{ id: x, run: echo }] } }
            """))
        #expect(plan.inventory.nodes[0].vars["t"] == .string("true"))
        #expect(plan.inventory.nodes[0].vars["n"] == .string("3"))
    }

    @Test func yamlOneOneBooleansHaveADidYouMean() {
        let source = MarkedSource("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: a, run: echo, destructive: 1️⃣on }
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics) == ["plan.type@\(source["1️⃣"])"])
        #expect(diagnostics.first?.message == "expected true or false, found 'on'; did you mean 'true'?")
        #expect(diagnostics.first?.fixIt == "true")
    }

    @Test func unknownKeyMessageHasTheDidYouMean() {
        let diagnostics = diagnose("planrun: 1\noperations:\n  op:\n    execute:\n      - id: a\n        run: x\n        timout: 1s\n").diagnostics
        #expect(diagnostics.map(\.summary) == [
            "plans/x.yaml:7:9: error: unknown key 'timout'; did you mean 'timeout'? [plan.unknown-key]",
        ])
        #expect(diagnostics.first?.fixIt == "timeout")
    }

    @Test func durationTypeErrorMessage() {
        let diagnostics = diagnose("planrun: 1\noperations:\n  op:\n    execute:\n      - { id: a, run: x, timeout: ten }\n").diagnostics
        #expect(diagnostics.map(\.message) == ["expected a duration such as '10s', found 'ten'"])
    }

    @Test func localNodeWithSSHKeysAndSSHNodeWithoutHost() {
        let source = MarkedSource("""
            planrun: 1
            inventory:
              nodes:
                a: { transport: local, 1️⃣host: x }
                2️⃣b: { transport: ssh }
                c: { transport: 3️⃣telnet }
            operations: { op: { execute: [{ id: x, target: a, run: echo }] } }
            """)
        #expect(errorPlaces(diagnose(source.text).diagnostics) == [
            "plan.transport@\(source["1️⃣"])", "plan.missing-key@\(source["2️⃣"])", "plan.type@\(source["3️⃣"])",
        ])
    }

    @Test func reservedAndBadInputs() {
        let source = MarkedSource("""
            planrun: 1
            inputs:
              1️⃣operation: { type: string }
              x: { type: 2️⃣strng }
              y: { type: bool, 3️⃣max: 3 }
              z: { type: string, 4️⃣secrt: true }
            operations: { op: { execute: [{ id: a, run: echo }] } }
            """)
        #expect(errorPlaces(diagnose(source.text).diagnostics) == [
            "plan.reserved-input@\(source["1️⃣"])", "plan.type@\(source["2️⃣"])", "plan.type@\(source["3️⃣"])",
            "plan.unknown-key@\(source["4️⃣"])",
        ])
    }

    @Test func captureNeedsExactlyOneSource() {
        let source = MarkedSource("""
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo
                    capture:
                      1️⃣h: { as: int }
                      g: { stdout: true, 2️⃣json: a }
                      4️⃣k: { 3️⃣regx: x }
            """)
        let places = errorPlaces(diagnose(source.text).diagnostics)
        #expect(places == [
            "plan.capture-source@\(source["1️⃣"])", "plan.capture-source@\(source["2️⃣"])",
            "plan.unknown-key@\(source["3️⃣"])", "plan.capture-source@\(source["4️⃣"])",
        ])
    }

    @Test func aPhaseListCopiedByAnAliasDecodesToEqualSteps() throws {
        let plan = try #require(cleanPlan("""
            planrun: 1
            inventory: { nodes: { local: { transport: local } } }
            operations:
              first:
                validate: &checks
                  - { id: v1, assert: "${{ 1 == 1 }}" }
                  - { id: v2, needs: [v1], set: { a: 1, b: [x, "${{ steps.v1.ok }}"] } }
              second:
                validate: *checks
              third:
                validate:
                  - { id: v1, assert: "${{ 1 == 1 }}" }
            """))
        let steps = plan.operations.map(\.steps)
        #expect(steps[1] == steps[0])
        // Written again elsewhere, the same step is another step: it stands somewhere else in the file.
        #expect(steps[2][0] != steps[0][0])
    }
}
