import Foundation
import PlanEngine
import PlanTestSupport
import Testing

/// `changed_when:` on a command step, through the engine: the record's `changed` follows the expression (read
/// after the step, captures in scope), a step without it that succeeded counts as changed, a failed step never
/// does, and an expression that cannot be evaluated fails the step as a validation problem.
@Suite(.serialized)
struct ChangedWhenTests {
    typealias B = PlanBuilder

    private func run(_ steps: [Step]) async -> RunResult {
        let (plan, operation) = B.plan(steps: steps)
        var inputs = Value.Object()
        inputs["operation"] = .string(operation.name)
        return await PlanRunner(RunRequest(plan: plan, operation: operation, inputs: inputs, grace: 0.5)).run()
    }

    /// A run step that prints `word`, captures it as `name` and is changed when the capture says `yes`.
    private func answering(_ id: String, _ word: String) -> Step {
        var step = B.run(id, "echo \(word)", captures: [Capture(name: id, source: .stdout)], onError: .continue)
        step.changedWhen = B.template("${{ node.\(id) == 'yes' }}")
        return step
    }

    @Test func theRecordSaysWhatTheExpressionSays() async {
        var broken = B.run("broken", "true", onError: .continue)
        broken.changedWhen = B.template("${{ node.nothing_captured.x }}")
        let result = await run([
            answering("said_no", "no"),
            answering("said_yes", "yes"),
            B.run("plain", "true"),
            B.run("failing", "exit 3", onError: .continue),
            broken,
        ])
        func record(_ id: String) -> StepRecord? { result.steps.first { $0.step == id } }
        #expect(record("said_no")?.status == .succeeded)
        #expect(record("said_no")?.changed == false)
        #expect(record("said_yes")?.changed == true)
        // Without changed_when a command that succeeded changed something; one that failed did not.
        #expect(record("plain")?.changed == true)
        #expect(record("failing")?.status == .failed)
        #expect(record("failing")?.changed == false)
        // An expression that cannot be read fails the step (and so it changed nothing), saying where.
        #expect(record("broken")?.status == .failed)
        #expect(record("broken")?.changed == false)
        let issue = result.issues.first { $0.message.hasPrefix("changed_when:") }
        #expect(issue?.kind == .validation, "\(result.issues)")
    }
}
