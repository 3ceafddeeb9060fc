@testable import PlanCore
import PlanYAML
import Testing

/// Large plans are decoded and checked on two threads; what comes out is what one thread would give, in the
/// same order.
@Suite struct LargePlanTests {
    /// `count` steps in one phase, with problems of several rules at `broken` steps: an unknown key, an
    /// unknown `needs`, an undefined input, a capture nobody makes and an unguarded destructive command.
    static func plan(steps count: Int, broken: Set<Int>) -> String {
        var text = "planrun: 1\nname: big\ninventory:\n  nodes: { local: { transport: local } }\noperations:\n  op:\n    execute:\n"
        for i in 1...count {
            if broken.contains(i) {
                text += "      - { id: s\(i), run: \"rm -rf /tmp/x-${{ inputs.nope }}-${{ steps.s0.captures.v }}\", needs: [s0], timout: 5s }\n"
            } else {
                text += "      - { id: s\(i), run: \"echo \(i)\", timeout: 5s }\n"
            }
        }
        return text
    }

    @Test func aLongStepListKeepsItsOrderAndEveryProblem() throws {
        #expect(StepDecoder.parallelThreshold <= 600)
        let (plan, diagnostics) = PlanDecoder.decode(bytes: Array(Self.plan(steps: 600, broken: [5, 599]).utf8), file: "big.yaml")
        let steps = try #require(plan?.operations.first?.steps)
        #expect(steps.map(\.id) == (1...600).map { "s\($0)" })
        // One unknown key in each half, reported in file order (step i stands on line 7 + i).
        #expect(diagnostics.map(\.id) == [.planUnknownKey, .planUnknownKey])
        #expect(diagnostics.map(\.range.start.line) == [7 + 5, 7 + 599])
    }

    @Test func rulesOnTwoThreadsReportWhatOneThreadReports() throws {
        let (plan, _) = PlanDecoder.decode(bytes: Array(Self.plan(steps: 600, broken: [2, 300, 301, 598]).utf8), file: "big.yaml")
        let decoded = try #require(plan)
        let one = PlanLinter.lint(decoded, parallel: false)
        let two = PlanLinter.lint(decoded, parallel: true)
        #expect(Set(one.map(\.id)).count >= 3)
        #expect(two == one)
        #expect(PlanLinter.lint(decoded) == one)
    }

    @Test func theRulesAreTakenCostliestFirstAndEachOnce() {
        // Two threads take rules in this order as each finishes one: every rule once, the regexes first.
        #expect(PlanLinter.schedule.sorted() == Array(PlanLinter.rules.indices))
        #expect(PlanLinter.schedule.prefix(2).map { PlanLinter.rules[$0].id } == [.planInvalidRegex, .planUnknownCapture])
    }

    @Test func aLongOperationsFactsAreThoseOfAShortOne() throws {
        // The facts of a long operation are gathered beside its graph; they are the same facts, in order.
        let (plan, _) = PlanDecoder.decode(bytes: Array(Self.plan(steps: 600, broken: [9]).utf8), file: "big.yaml")
        let context = LintContext(plan: try #require(plan))
        let facts = try #require(context.operations.first)
        #expect(facts.operation.steps.count >= PlanLinter.parallelThreshold)
        #expect(facts.steps.map(\.step.id) == (1...600).map { "s\($0)" })
        #expect(facts.firstByID["s600"] == 599)
        #expect(facts.steps[8].references.map(\.reference.path.first) == ["inputs", "steps"])
        #expect(facts.graph.steps.count == 600)
        #expect(facts.graph.cycles.isEmpty)
    }

    @Test func aProcessAboutToEndKeepsTheTreeAndTheFacts() throws {
        // `validate` exits right after reporting; it keeps these rather than free them node by node.
        let bytes = Array(Self.plan(steps: 3, broken: []).utf8)
        var trees: [YAMLNode] = []
        let (plan, _) = PlanDecoder.decode(bytes: bytes, file: "small.yaml", keepingTree: { trees.append($0) })
        #expect(trees.count == 1)
        #expect(trees.first == YAMLComposer.compose(bytes).node)
        var contexts: [LintContext] = []
        let diagnostics = PlanLinter.lint(try #require(plan), keepingContext: { contexts.append($0) })
        #expect(diagnostics == PlanLinter.lint(try #require(plan)))
        #expect(contexts.first?.operations.first?.steps.map(\.step.id) == ["s1", "s2", "s3"])
    }
}
