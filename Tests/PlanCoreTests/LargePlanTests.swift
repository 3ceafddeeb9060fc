@testable import PlanCore
import PlanYAML
import Testing

/// A long step list is decoded and checked whole: every step in order, every problem at its line.
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
        let (plan, diagnostics) = PlanDecoder.decode(bytes: Array(Self.plan(steps: 600, broken: [5, 599]).utf8), file: "big.yaml")
        let steps = try #require(plan?.operations.first?.steps)
        #expect(steps.map(\.id) == (1...600).map { "s\($0)" })
        // Reported in file order (step i stands on line 7 + i).
        #expect(diagnostics.map(\.id) == [.planUnknownKey, .planUnknownKey])
        #expect(diagnostics.map(\.range.start.line) == [7 + 5, 7 + 599])
    }

    @Test func aLongOperationsFactsAreInFileOrder() throws {
        let (plan, _) = PlanDecoder.decode(bytes: Array(Self.plan(steps: 600, broken: [9]).utf8), file: "big.yaml")
        let context = LintContext(plan: try #require(plan))
        let facts = try #require(context.operations.first)
        #expect(facts.steps.map { facts.step($0).id } == (1...600).map { "s\($0)" })
        #expect(facts.firstByID["s600"] == 599)
        #expect(facts.references(of: facts.steps[8]).map(\.reference.path.first) == ["inputs", "steps"])
        #expect(facts.graph.steps.count == 600)
        #expect(facts.graph.cycles.isEmpty)
    }
}
