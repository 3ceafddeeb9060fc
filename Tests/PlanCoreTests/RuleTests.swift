import PlanCore
import PlanTestSupport
import Testing

/// The semantic rules: each reports its own id at the offending place, and stays quiet on good plans.
@Suite struct RuleTests {
    @Test func everyRuleHasAStableDistinctID() {
        let ids = PlanLinter.rules.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.rawValue.hasPrefix("plan.") || $0.rawValue.hasPrefix("expr.") })
    }

    @Test func aSecretInArgvIsAnErrorAtItsReference() {
        let source = MarkedSource("""
            planrun: 1
            inputs: { s: { type: string, secret: true }, p: { type: string, default: x } }
            operations:
              op:
                execute:
                  - { id: a, argv: [echo, "${{ inputs.p }}", "-${{ upper(1️⃣inputs.s) }}"] }
                  - { id: b, run: "echo ${{ inputs.s }}" }
            """)
        let found = diagnose(source.text).diagnostics.filter { $0.id == .planSecretInArgv }
        #expect(found.map { "\($0.range.start)" } == ["\(source["1️⃣"])"])
    }

    @Test func quotedInterpolationWarns() {
        let source = MarkedSource("""
            planrun: 1
            inputs: { m: { type: string, default: x } }
            operations:
              op:
                execute:
                  - id: a
                    run: echo "1️⃣${{ inputs.m }}" '2️⃣${{ inputs.m }}' ${{ inputs.m }}
            """)
        let warnings = diagnose(source.text).diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map { "\($0.id)@\($0.range.start)" } == [
            "plan.quoted-interpolation@\(source["1️⃣"])", "plan.quoted-interpolation@\(source["2️⃣"])",
        ])
    }

    @Test(arguments: [
        ("systemctl restart aitbc", "restart"), ("sudo reboot", "reboot"), ("rm -rf /tmp/x", "rm -rf"),
        ("rm -r -f x", "rm -r"), ("rm --recursive x", "rm --recursive"), ("/sbin/shutdown -h now", "shutdown"),
        ("mkfs.ext4 /dev/sdb", "mkfs.ext4"), ("dd if=/dev/zero of=/dev/sda", "dd if=/dev/zero"),
        ("cd /x && rm -fR y", "rm -fR"),
    ])
    func destructiveCommands(_ command: String, _ found: String) {
        let text = "planrun: 1\noperations:\n  op:\n    execute:\n      - id: a\n        run: \(command)\n"
        let warnings = diagnose(text).diagnostics.filter { $0.id == .planUnguardedDestructive }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("'\(found)'") == true)
        #expect(warnings.first?.range.start.line == 6)
        // Guarded, it is quiet.
        let guarded = text + "        destructive: true\n"
        #expect(diagnose(guarded).diagnostics.isEmpty)
    }

    @Test(arguments: ["rm x", "echo restarting", "ls -r", "git -C /opt pull", "rm -f x; ls -r", "echo ${{ inputs.operation }}"])
    func harmlessCommands(_ command: String) {
        let text = "planrun: 1\noperations:\n  op:\n    execute:\n      - id: a\n        run: \(command)\n"
        #expect(diagnose(text).diagnostics.isEmpty)
    }

    @Test func capturesVisibleAlongNeedsAndPhases() throws {
        _ = cleanPlan("""
            planrun: 1
            operations:
              op:
                analyze:
                  - id: probe
                    run: cli
                    capture: { version: { stdout: true } }
                execute:
                  - id: height
                    needs: []
                    run: cli ${{ nodes.*.version }}
                    capture: { height: { json: height, as: int } }
                    until: ${{ nodes.*.height > 0 }}
                    fallback:
                      - { id: again, run: "echo ${{ nodes.genesis.height }}", capture: { alt: { stdout: true } } }
                  - id: other
                    needs: []
                    run: cli
                  - id: after
                    needs: [height]
                    run: echo ${{ nodes.*.height }} ${{ nodes.*.alt }} ${{ nodes.*.name }}
                  - id: next
                    run: echo ${{ nodes.*.height }}
                validate:
                  - id: same
                    assert: ${{ len(unique(nodes.*.height)) == 1 }}
            output:
              heights: ${{ nodes.*.height }}
              all: ${{ nodes }}
            """)
    }

    /// Inside a group as at top level: a step sees what the group's steps before it make (a `set:` on the node
    /// the group walks too), not what a later step or the group's `on_failure` makes.
    @Test func capturesInsideAGroupFollowItsOrder() {
        let source = MarkedSource("""
            planrun: 1
            inventory:
              nodes: { a: { transport: local }, b: { transport: local } }
              groups: { all: [a, b] }
            operations:
              op:
                execute:
                  - id: g
                    target: all
                    steps:
                      - { id: early, run: "echo ${{ 1️⃣nodes.*.late }}" }
                      - { id: stamp, set: { mark: 1 } }
                      - id: probe
                        run: "echo ${{ nodes.*.mark }}"
                        capture: { late: { stdout: true } }
                        fallback: [{ id: retry, run: "echo ${{ nodes.*.late }}", capture: { alt: { stdout: true } } }]
                      - { id: after, run: "echo ${{ nodes.*.alt }} ${{ nodes.*.late }} ${{ 2️⃣nodes.*.rolled }}" }
                    on_failure:
                      - { id: rollback, run: "echo ${{ nodes.*.late }}", capture: { rolled: { stdout: true } } }
                  - { id: next, target: all, run: "echo ${{ nodes.*.rolled }} ${{ nodes.*.mark }}" }
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics) == [
            "plan.unknown-capture@\(source["1️⃣"])", "plan.unknown-capture@\(source["2️⃣"])",
        ], "\(diagnostics.map(\.summary))")
        #expect(diagnostics.first?.notes.first?.message == "'late' is captured by step 'g.probe', which does not run before step 'g.early'")
    }

    /// A group among a step's fallbacks or `on_failure:` walks its steps in order too: a step of it sees the
    /// owner's captures and what the group's earlier steps make, not its later steps'.
    @Test func aRescueGroupIsCheckedInOrder() {
        let source = MarkedSource("""
            planrun: 1
            inventory:
              nodes: { a: { transport: local } }
            operations:
              op:
                execute:
                  - id: main
                    run: "false"
                    capture: { first: { stdout: true } }
                    fallback:
                      - id: fb
                        steps:
                          - { id: use, run: "echo ${{ nodes.a.first }} ${{ 1️⃣nodes.a.later }}" }
                          - { id: make, run: "echo x", capture: { later: { stdout: true } } }
                          - { id: reuse, run: "echo ${{ nodes.a.later }}" }
                    on_failure:
                      - id: undo
                        steps:
                          - { id: use2, run: "echo ${{ 2️⃣nodes.a.later2 }}" }
                          - { id: make2, run: "echo x", capture: { later2: { stdout: true } } }
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics) == [
            "plan.unknown-capture@\(source["1️⃣"])", "plan.unknown-capture@\(source["2️⃣"])",
        ], "\(diagnostics.map(\.summary))")
    }

    @Test func outputReadingACaptureNoStepMakes() {
        let source = MarkedSource("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: a, run: x, capture: { height: { stdout: true } } }
            output:
              h: ${{ 1️⃣nodes.*.hieght }}
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics) == ["plan.unknown-capture@\(source["1️⃣"])"])
        #expect(diagnostics.first?.fixIt == "height")
    }

    @Test func undefinedInputEverywhere() {
        let source = MarkedSource("""
            planrun: 1
            inputs: { timeout: { type: duration, default: 10s } }
            policy:
              deadline: ${{ 1️⃣inputs.timout }}
              destructive_when: ${{ 2️⃣inputs.force }}
            operations:
              op:
                execute:
                  - id: a
                    when: ${{ inputs.operation == 'op' && 3️⃣inputs.x }}
                    run: echo
            output:
              o: ${{ 4️⃣inputs.y }}
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics).sorted() == ["1️⃣", "2️⃣", "3️⃣", "4️⃣"].map { "plan.undefined-input@\(source[$0])" }.sorted())
        #expect(diagnostics.first { $0.range.start == source["1️⃣"] }?.message == "undefined input 'timout'; did you mean 'timeout'?")
    }

    @Test func unknownNodesAreNotCheckedWithoutAnInventory() {
        _ = cleanPlan("""
            planrun: 1
            inputs: { where: { type: node, default: somewhere } }
            operations:
              op:
                execute:
                  - { id: a, target: anywhere, run: echo }
            """)
    }

    @Test func targetExpressionsAreNotCheckedAsNames() {
        _ = cleanPlan("""
            planrun: 1
            inventory: { nodes: { a: {}, b: {} }, groups: { all: [a, b] } }
            inputs: { where: { type: node, default: all } }
            operations:
              op:
                execute:
                  - { id: x, target: "${{ inputs.where }}", run: echo, fallback_node: a }
                  - { id: y, target: [a, b], run: echo }
                  - { id: z, assert: "${{ true }}" }
            """)
    }

    @Test func oneNodeInventoryNeedsNoTarget() {
        _ = cleanPlan("""
            planrun: 1
            inventory: { nodes: { only: { transport: local } } }
            operations: { op: { execute: [{ id: a, run: echo }] } }
            """)
    }

    @Test func lintOfTheRealPlansIsClean() throws {
        let root = TestPaths.packageRoot
        for file in SourceFile.plans(in: root + "/plans") {
            let (plan, diagnostics) = PlanDecoder.decode(path: file)
            let all = diagnostics + (plan.map(PlanLinter.lint) ?? [])
            #expect(!all.hasErrors, "\(file): \(all.map(\.summary))")
        }
    }
}

/// Paths of the package, found from this file's place.
enum TestPaths {
    static var packageRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/PlanCoreTests/RuleTests.swift
        return parts.joined(separator: "/")
    }
}
