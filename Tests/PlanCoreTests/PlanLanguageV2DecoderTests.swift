import Foundation
import PlanCore
import PlanTestSupport
import Testing

/// The v2 step keys in the decoder and `validate`: located diagnostics, did-you-mean, `uses:` files and cycles.
struct PlanLanguageV2DecoderTests {
    private func plan(steps: String, extra: String = "") -> String {
        """
        planrun: 1
        inventory:
          nodes: { a: { transport: local }, b: { transport: local } }
          groups: { all: [a, b] }
        \(extra)
        operations:
          op:
            execute:
        \(steps)
        """
    }

    @Test func groupsLoopsAndRolloutsDecode() throws {
        let decoded = try #require(cleanPlan(plan(steps: """
              - id: roll
                target: all
                batch: "50%"
                pause: 2s
                max_failures: 1
                for_each: [x, y]
                parallel: true
                steps:
                  - { id: restart, run: "echo ${{ item }}" }
                  - id: inner
                    steps: [{ id: check, run: "true" }]
                on_failure: [{ id: undo, run: "true" }]
              - { id: after, needs: [roll.inner.check], target: a, run: "true" }
        """)))
        let roll = decoded.operations[0].steps[0]
        #expect(roll.isGroup && roll.parallel)
        #expect(roll.rollout?.batch == .percent(50) && roll.rollout?.pause == 2 && roll.rollout?.maxFailures == .count(1))
        #expect(roll.children.map(\.id) == ["roll.restart", "roll.inner"])
        #expect(roll.children[1].children.map(\.id) == ["roll.inner.check"])
        #expect(roll.onFailure.map(\.id) == ["undo"])
        #expect(decoded.operations[0].allSteps.map(\.id) == [
            "roll", "roll.restart", "roll.inner", "roll.inner.check", "undo", "after",
        ])
        #expect(StepGraph(operation: decoded.operations[0]).dependencies(of: "after") == ["roll"])
    }

    @Test(arguments: [
        ("  - { id: s, run: 'true', 1️⃣batch: 2 }", "plan.group"),
        ("  - { id: s, run: 'true', 1️⃣parallel: true }", "plan.group"),
        ("  - { id: g, 1️⃣batch: 2, steps: [{ id: c, run: 'true' }] }", "plan.group"),
        ("  - { id: g, target: all, steps: [{ id: c, run: 'true', target: 1️⃣a }] }", "plan.group"),
        ("  - { id: g, target: all, steps: [{ id: c, run: 'true', 1️⃣needs: [] }] }", "plan.group"),
        ("  - { id: g, target: all, batch: 1️⃣'x%', steps: [{ id: c, run: 'true' }] }", "plan.type"),
        ("  - { id: g, target: all, max_failures: 1️⃣-1, steps: [{ id: c, run: 'true' }] }", "plan.type"),
        ("  - { id: s, run: 'true', 1️⃣for_eche: [1] }", "plan.unknown-key"),
        ("  - { id: s, run: 'true', 1️⃣steps: [{ id: c, run: 'true' }] }", "plan.step-action"),
        ("  - { id: s, run: 'true', 1️⃣with: { a: 1 } }", "plan.group"),
    ])
    func badKeysAreLocated(_ line: String, _ id: String) {
        let source = MarkedSource(plan(steps: "    " + line))
        let (_, diagnostics) = diagnose(source.text)
        #expect(errorPlaces(diagnostics).contains("\(id)@\(source["1️⃣"])"), "\(diagnostics.map(\.summary))")
    }

    /// A group's steps run in order: `needs:` among them is an error that says what was meant.
    @Test func needsInAGroupSaysWhatWasMeant() {
        let source = MarkedSource(plan(steps: """
              - { id: first, target: a, run: "true" }
              - id: g
                target: all
                steps:
                  - { id: stop, run: "true" }
                  - { id: start, run: "true", needs: [1️⃣stop, 2️⃣g.check, 3️⃣first, 4️⃣stpo] }
                  - { id: check, run: "true" }
        """))
        let (_, diagnostics) = diagnose(source.text)
        let lead = "the steps of group 'g' run in order, so they take no 'needs'"
        #expect(diagnostics.map(\.summary) == [
            "plans/x.yaml:\(source["1️⃣"]): error: \(lead): 'stop' runs before 'start' already; remove 'needs' [plan.group]",
            "plans/x.yaml:\(source["2️⃣"]): error: \(lead): to run 'check' before 'start', put it above 'start' [plan.group]",
            "plans/x.yaml:\(source["3️⃣"]): error: \(lead); did you mean to put 'needs: [first]' on group 'g'? [plan.group]",
            "plans/x.yaml:\(source["4️⃣"]): error: \(lead); did you mean 'stop'? it runs before 'start' already: remove 'needs' [plan.group]",
        ])
    }

    @Test func aMisspelledKeyGetsADidYouMean() {
        let (_, diagnostics) = diagnose(plan(steps: "      - { id: s, run: 'true', max_failure: 1 }"))
        #expect(diagnostics.first?.message == "unknown key 'max_failure'; did you mean 'max_failures'?")
    }

    // MARK: uses

    private func directory() -> String {
        let dir = NSTemporaryDirectory() + "planrun-uses-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir + "/lib", withIntermediateDirectories: true)
        return dir
    }

    private func write(_ text: String, to path: String) {
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private let health = """
        planrun: 1
        kind: steps
        inputs: { port: { type: int, default: 80 }, path: { type: string, required: true } }
        steps:
          - { id: http, run: "curl -fsS localhost:${{ inputs.port }}${{ inputs.path }}" }
          - { id: seen, assert: "${{ steps.http.ok }}" }
        """

    @Test func aUsedStepFileBecomesAGroupUnderTheUsingID() throws {
        let dir = directory()
        write(health, to: dir + "/lib/health.yaml")
        let text = plan(steps: "      - { id: web_health, target: all, uses: lib/health.yaml, with: { path: /health } }")
        let (decoded, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: dir + "/plan.yaml")
        let all = diagnostics + (decoded.map(PlanLinter.lint) ?? [])
        #expect(all.isEmpty, "\(all.map(\.summary))")
        let step = try #require(decoded?.operations[0].steps[0])
        #expect(step.children.map(\.id) == ["web_health.http", "web_health.seen"])
        #expect(step.uses?.inputs.map(\.name) == ["port", "path"])
        #expect(step.uses?.with.map(\.key) == ["path"])
    }

    @Test func withIsCheckedAgainstTheStepFilesInputs() {
        let dir = directory()
        write(health, to: dir + "/lib/health.yaml")
        let source = MarkedSource(plan(steps: """
              - { id: h1, target: all, uses: lib/health.yaml, with: { path: /x, 1️⃣prot: 8080 } }
              - { id: h2, target: all, uses: lib/health.yaml, with: { path: /x, port: 2️⃣eighty } }
              - { id: h3, target: all, uses: lib/health.yaml, with: 3️⃣{ port: 1 } }
        """))
        let (_, diagnostics) = PlanDecoder.decode(bytes: source.bytes, file: dir + "/plan.yaml")
        #expect(errorPlaces(diagnostics) == [
            "plan.unknown-key@\(source["1️⃣"])", "plan.type@\(source["2️⃣"])", "plan.missing-key@\(source["3️⃣"])",
        ])
        #expect(diagnostics[0].message == "unknown key 'prot'; did you mean 'port'?")
        #expect(diagnostics[1].message == "input 'port' of step file 'lib/health.yaml' expects an integer, found 'eighty'")
    }

    @Test func aProblemInAUsedFileIsLocatedThereWithANoteNamingTheUser() {
        let dir = directory()
        let used = MarkedSource("""
            planrun: 1
            kind: steps
            steps:
              - { id: http, run: "true", 1️⃣tmeout: 5s }
              - { id: port, run: "echo ${{ 2️⃣inputs.prot }}" }
            """)
        write(used.text, to: dir + "/lib/health.yaml")
        let source = MarkedSource(plan(steps: "      - { id: h, target: all, uses: 1️⃣lib/health.yaml }"))
        let (_, diagnostics) = PlanDecoder.decode(bytes: source.bytes, file: dir + "/plan.yaml")
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.file) == [dir + "/lib/health.yaml", dir + "/lib/health.yaml"], "\(diagnostics.map(\.summary))")
        #expect(errors.map { "\($0.id)@\($0.range.start)" } == [
            "plan.unknown-key@\(used["1️⃣"])", "plan.undefined-input@\(used["2️⃣"])",
        ])
        #expect(errors.first?.notes.last?.message == "used from \(dir)/plan.yaml:\(source["1️⃣"])")
    }

    /// What a step file cannot know alone (the nodes, the captures made before it is used, a loop around it)
    /// is checked where it is used, against the using plan, and located in the file with a note naming the use.
    @Test func aUsedFileIsCheckedAgainstTheUsingPlan() {
        let dir = directory()
        let used = MarkedSource("""
            planrun: 1
            kind: steps
            steps:
              - { id: probe, target: 1️⃣alll, run: "true" }
              - { id: 2️⃣bare, run: "true" }
              - { id: read, target: all, run: "echo ${{ nodes.*.early }} ${{ 3️⃣nodes.*.later }}" }
              - { id: each, target: all, run: "echo ${{ 4️⃣item }}" }
              - { id: late, target: all, run: "true", capture: { later: { stdout: true } } }
            """)
        write(used.text, to: dir + "/lib/checks.yaml")
        let source = MarkedSource(plan(steps: """
              - { id: before, target: all, run: "true", capture: { early: { stdout: true } } }
              - { id: checks, uses: 1️⃣lib/checks.yaml }
              - { id: after, target: all, run: "echo ${{ nodes.*.later }}" }
        """))
        let (decoded, decodeDiagnostics) = PlanDecoder.decode(bytes: source.bytes, file: dir + "/plan.yaml")
        #expect(decodeDiagnostics.isEmpty, "\(decodeDiagnostics.map(\.summary))")
        let diagnostics = decoded.map(PlanLinter.lint) ?? []
        #expect(diagnostics.map { "\($0.file ?? "-"):\($0.id)@\($0.range.start)" } == [
            "\(dir)/lib/checks.yaml:plan.unknown-node@\(used["1️⃣"])",
            "\(dir)/lib/checks.yaml:plan.missing-target@\(used["2️⃣"])",
            "\(dir)/lib/checks.yaml:plan.unknown-capture@\(used["3️⃣"])",
            "\(dir)/lib/checks.yaml:plan.item-outside-loop@\(used["4️⃣"])",
        ], "\(diagnostics.map(\.summary))")
        #expect(diagnostics.first?.message == "step 'checks.probe' names unknown node or group 'alll'; did you mean 'all'?")
        #expect(diagnostics.allSatisfy { $0.notes.last?.message == "used from \(dir)/plan.yaml:\(source["1️⃣"])" })

        // With a loop around the use and both captures made before it, only the targets are wrong; alone, the
        // file is not checked for what only a using plan knows.
        let looped = plan(steps: """
              - { id: before, target: all, run: "true", capture: { early: { stdout: true }, later: { stdout: true } } }
              - { id: checks, for_each: [1], uses: lib/checks.yaml }
        """)
        let (loopedPlan, _) = PlanDecoder.decode(bytes: Array(looped.utf8), file: dir + "/plan.yaml")
        #expect((loopedPlan.map(PlanLinter.lint) ?? []).map(\.id) == [.planUnknownNode, .planMissingTarget])
        let (_, alone) = PlanDecoder.decode(path: dir + "/lib/checks.yaml")
        #expect(alone.isEmpty, "\(alone.map(\.summary))")
    }

    @Test func aCycleOfStepFilesIsAnError() {
        let dir = directory()
        write("planrun: 1\nkind: steps\nsteps:\n  - { id: b, uses: b.yaml }\n", to: dir + "/lib/a.yaml")
        write("planrun: 1\nkind: steps\nsteps:\n  - { id: a, uses: ./a.yaml }\n", to: dir + "/lib/b.yaml")
        let text = plan(steps: "      - { id: h, target: all, uses: lib/a.yaml }")
        let (_, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: dir + "/plan.yaml")
        let cycle = diagnostics.filter { $0.id == .planUsesCycle }
        #expect(cycle.count == 1, "\(diagnostics.map(\.summary))")
        #expect(cycle.first?.message == "step files use each other in a cycle: plan.yaml -> a.yaml -> b.yaml -> a.yaml")
        #expect(cycle.first?.file == dir + "/lib/b.yaml")
        #expect(cycle.first?.range.start == SourceLocation(line: 4, column: 20))
    }

    @Test func aMissingOrWrongStepFileIsAnError() {
        let dir = directory()
        write("planrun: 1\nname: x\noperations: {}\n", to: dir + "/lib/plan2.yaml")
        let text = plan(steps: """
              - { id: h, target: all, uses: lib/nothing.yaml }
              - { id: p, target: all, uses: lib/plan2.yaml }
        """)
        let (_, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: dir + "/plan.yaml")
        #expect(diagnostics.map(\.id).contains(.planUsesFile))
        #expect(diagnostics.contains { $0.message == "cannot read step file 'lib/nothing.yaml' (looked for \(dir)/lib/nothing.yaml)" })
        #expect(diagnostics.contains { $0.message == "a file named by 'uses' is a step file and says 'kind: steps'" })
        #expect(diagnostics.contains { $0.message == "unknown key 'operations' in a step file" || $0.message.hasPrefix("unknown key 'operations'") })
    }
}

/// The v2 lint rules: `item` outside a loop, a list input in `run:`.
struct LoopRuleTests {
    @Test func itemOutsideALoopIsAnError() {
        let source = MarkedSource("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: a, run: "echo ${{ 1️⃣item }}" }
                  - { id: b, for_each: [1], run: "echo ${{ item }}" }
                  - id: g
                    for_each: [1]
                    steps: [{ id: c, run: "echo ${{ item_index }}" }]
            """)
        let (_, diagnostics) = diagnose(source.text)
        #expect(errorPlaces(diagnostics) == ["plan.item-outside-loop@\(source["1️⃣"])"])
    }

    @Test func aListInputInRunGetsAHint() {
        let source = MarkedSource("""
            planrun: 1
            inputs: { files: { type: list, default: [a] } }
            operations:
              op:
                execute:
                  - { id: a, run: "ls 1️⃣${{ inputs.files }}" }
                  - { id: b, for_each: "${{ inputs.files }}", run: "ls ${{ item }}" }
                  - { id: c, run: "ls ${{ join(inputs.files, ' ') }}" }
            """)
        let (_, diagnostics) = diagnose(source.text)
        let warnings = diagnostics.filter { $0.id == .planListInterpolation }
        #expect(warnings.map { "\($0.range.start)" } == ["\(source["1️⃣"])"])
        #expect(warnings.first?.message == "input 'files' is a list: in run: it becomes one shell word; loop over it with for_each, or join it: ${{ join(inputs.files, ' ') }}")
    }
}
