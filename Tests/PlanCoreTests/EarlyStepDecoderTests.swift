@testable import PlanCore
@testable import PlanYAML
import Testing

/// Steps decoded while the plan is still being read (`EarlyStepDecoder`) are the steps, and the diagnostics,
/// that decoding them afterwards gives, in the same order, however many were decoded early.
@Suite struct EarlyStepDecoderTests {
    /// Every kind of step item: good ones, broken ones, a fallback list, a merge key, an alias of an anchored
    /// step, of a list and of a scalar, a list item, a plain scalar item; plus an unknown phase, a repeated phase, a
    /// repeated operation (whose items are decoded early for nothing and must not leak in), a phase list
    /// copied by an alias, and one used as a step's fallback list.
    static let plan = """
        planrun: 1
        name: early
        inventory:
          nodes: { local: { transport: local } }
        x-base: &base { target: local, timeout: 5s }
        x-word: &word not-a-step
        operations:
          op:
            analyze:
              - { id: a1, run: "echo ${{ inputs.nope }}" }
            execute:
              - &shared { id: s1, run: echo one }
              - { id: s2, run: "echo ${{ steps.s1.captures.v }}", needs: [s1], timout: 5s }
              - { id: "bad id", run: echo }
              - { run: no id }
              - { <<: *base, id: s3, assert: "${{ 1 == }}" }
              - { id: s4, run: risky, fallback: [{ id: f1, run: recover }, { id: f2 }] }
              - &listed [not, a, mapping]
              - just a word
              - *shared
              - *word
              - *listed
              - { id: s5, argv: [], on_error: contnue, errors: [{ match: "(", kind: k }] }
            exec: [{ id: typo }]
            execute: [{ id: repeated }]
          op:
            execute: [{ id: again }]
          other:
            validate: &checks [{ id: v1, assert: "${{ steps.s1.exit_code == 0 }}" }, { id: v2 }]
          copied:
            validate: *checks
          fallbacks:
            execute: &recovery [{ id: r1, run: recover }, { id: r2, run: retry }]
          uses:
            execute:
              - { id: u1, run: try, fallback: *recovery }
        """

    /// Passes the offered steps on, but keeps the composer's waiting time for itself: the test decides how many
    /// steps are decoded early, not the timing of two threads.
    final class Deferred: ComposeWatcher {
        let early: EarlyStepDecoder
        init(_ early: EarlyStepDecoder) { self.early = early }
        var path: [String?] { early.path }
        func offer(_ item: YAMLNode, keys: [String], list: PlanYAML.SourceLocation) { early.offer(item, keys: keys, list: list) }
        func workWhileWaiting() -> Bool { false }
    }

    /// The plan decoded with the first `early` offered steps decoded while it was read (nil: all of them).
    func decoded(_ text: String, early count: Int?) -> (String, [Diagnostic], offered: Int) {
        let bytes = Array(text.utf8)
        let early = EarlyStepDecoder(file: "early.yaml")
        let (root, problems) = YAMLComposer.compose(
            bytes, file: "early.yaml", limits: .default, pipelined: true, watcher: Deferred(early))
        var done = 0
        while count.map({ done < $0 }) ?? true, early.workWhileWaiting() { done += 1 }
        var context = DecodingContext(file: "early.yaml", earlySteps: early.finish())
        context.append(problems)
        let plan = root.flatMap { PlanDecoder.decodePlan($0, file: "early.yaml", context: &context) }
        return (String(reflecting: plan), context.diagnostics, done)
    }

    /// The plan decoded the usual way, on one thread and after reading.
    func reference(_ text: String) -> (String, [Diagnostic]) {
        let (root, problems) = YAMLComposer.compose(
            Array(text.utf8), file: "early.yaml", limits: .default, pipelined: false)
        var context = DecodingContext(file: "early.yaml")
        context.append(problems)
        let plan = root.flatMap { PlanDecoder.decodePlan($0, file: "early.yaml", context: &context) }
        return (String(reflecting: plan), context.diagnostics)
    }

    @Test func stepsDecodedWhileReadingAreTheStepsDecodedAfter() throws {
        let (plan, diagnostics) = reference(Self.plan)
        #expect(Set(diagnostics.map(\.id)).isSuperset(of: [
            .planUnknownKey, .planBadID, .planMissingKey, .planType, .exprSyntax, .planStepAction,
            .yamlDuplicateKey,
        ]))
        let (_, _, offered) = decoded(Self.plan, early: nil)
        // Taken: every mapping and list item of `analyze`, the first `execute`, the repeated phase and the repeated
        // operation, and `validate`; not the aliases nor the word (never offered), nor the unknown phase's item.
        #expect(offered == 16)
        for count in [0, 1, 4, 9, nil] as [Int?] {
            let (early, earlyDiagnostics, _) = decoded(Self.plan, early: count)
            #expect(early == plan, "with \(count.map(String.init) ?? "all") decoded early")
            #expect(earlyDiagnostics == diagnostics, "with \(count.map(String.init) ?? "all") decoded early")
        }
    }

    @Test func aLongListTakesItsDecodedStartAndDecodesTheRestInTwoHalves() {
        // 100 of 600 decoded early leaves 500, decoded in two halves at once; 400 leaves 200, decoded in turn.
        let text = LargePlanTests.plan(steps: 600, broken: [50, 150, 400, 599])
        let (plan, diagnostics) = reference(text)
        #expect(diagnostics.count == 4)
        for count in [100, 400] {
            let (early, earlyDiagnostics, done) = decoded(text, early: count)
            #expect(done == count)
            #expect(early == plan, "with \(count) decoded early")
            #expect(earlyDiagnostics == diagnostics, "with \(count) decoded early")
        }
    }

    @Test func aLargePlanDecodesTheSameThroughThePublicPath() throws {
        // Large enough to be parsed on a second thread, so `decode(bytes:file:)` takes the early path itself.
        let text = LargePlanTests.plan(steps: 1_400, broken: [3, 700, 1_399])
        #expect(text.utf8.count >= YAMLComposer.pipelineThreshold)
        let (plan, diagnostics) = PlanDecoder.decode(bytes: Array(text.utf8), file: "early.yaml")
        let (expected, expectedDiagnostics) = reference(text)
        #expect(String(reflecting: plan) == expected)
        #expect(diagnostics == expectedDiagnostics)
        #expect(diagnostics.map(\.id) == [.planUnknownKey, .planUnknownKey, .planUnknownKey])
    }
}
