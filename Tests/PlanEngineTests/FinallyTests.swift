import Foundation
import PlanEngine
import Testing

/// `finally:` runs whatever happened; the validate phase runs after a failed execute phase; `on_failure:` runs
/// on a failed step that stays failed.
@Suite(.serialized)
struct FinallyTests {
    let bed = YAMLPlanRun()

    @Test func finallyAndValidateRunAfterAFailedStep() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: gate, run: "exit 3" }
                  - { id: height, run: "echo 5", capture: { height: { stdout: true, as: int } } }
                validate:
                  - { id: tall, assert: "${{ nodes.local.height > 1 }}", message: Height unknown }
                  - { id: gate_checked, assert: "${{ steps.gate.local.ok }}" }
                finally:
                  - { id: cleanup, run: "echo cleaned >> DIR/log" }
            """)
        #expect(result.summary == [
            "gate [local] failed", "height not_run", "tall failed", "gate_checked failed", "cleanup [local] succeeded",
        ])
        #expect(result.records("tall").first?.reason?.contains("nodes.local.height") == true, "\(result.records("tall"))")
        #expect(bed.lines("log") == ["cleaned"])
        #expect(result.validationStatus == .failed)
        #expect(result.exitCode == 2)
    }

    @Test func finallyRunsAfterTheDeadlineAndValidateDoesNot() async throws {
        let result = try await bed.run("""
            planrun: 1
            policy: { deadline: 1s }
            operations:
              op:
                execute:
                  - { id: slow, run: "sleep 10" }
                validate:
                  - { id: checked, assert: "${{ true }}" }
                finally:
                  - { id: report, run: "echo finally >> DIR/log" }
            """)
        #expect(result.records("slow").first?.status == .cancelled)
        #expect(result.records("checked").first?.status == .notRun)
        #expect(result.records("report").first?.status == .succeeded)
        #expect(bed.lines("log") == ["finally"])
        #expect(result.ending == .deadline)
    }

    @Test func finallyRunsAfterAnInterrupt() async throws {
        let runner = PlanRunner(try bed.request("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: slow, run: "echo started >> DIR/log; sleep 10" }
                finally:
                  - { id: report, run: "echo finally >> DIR/log" }
            """))
        let task = Task { await runner.run() }
        for _ in 0..<100 where bed.lines("log").isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        // What the CLI does on the first Ctrl-C.
        runner.interrupt()
        task.cancel()
        let result = try await bed.check(await task.value)
        #expect(result.records("slow").first?.status == .cancelled)
        #expect(result.records("report").first?.status == .succeeded)
        #expect(bed.lines("log") == ["started", "finally"])
        #expect(result.exitCode == 130)
    }

    @Test func finallyRunsAfterASuccessToo() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute: [{ id: work, run: "true" }]
                finally: [{ id: done, run: "true" }]
            """)
        #expect(result.summary == ["work [local] succeeded", "done [local] succeeded"])
        #expect(result.validationStatus == .success)
    }

    @Test func onFailureStepsRunButTheStepStaysFailed() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - id: deploy
                    run: "exit 1"
                    on_failure:
                      - { id: rollback, run: "echo rolled-back >> DIR/log" }
                  - id: fine
                    run: "true"
                    on_error: continue
                    on_failure: [{ id: never, run: "echo never >> DIR/log" }]
            """)
        #expect(bed.lines("log") == ["rolled-back"])
        #expect(result.records("deploy").first?.status == .failed)
        #expect(result.records("rollback").first?.status == .succeeded)
        #expect(result.records("never").isEmpty)
        #expect(result.issues.first?.recovered == false)
        #expect(result.validationStatus == .failed)
    }

    @Test func aGroupsOnFailureRunsOnTheNodeThatFailed() async throws {
        let result = try await bed.run("""
            planrun: 1
            \(localNodes(2))
            operations:
              op:
                execute:
                  - id: deploy
                    target: all
                    max_failures: 1
                    steps:
                      - { id: switch, run: "test ${{ node.name }} = n1" }
                    on_failure:
                      - { id: rollback, run: "echo rollback-${{ node.name }} >> DIR/log" }
            """)
        #expect(bed.lines("log") == ["rollback-n2"])
        #expect(result.records("rollback").map(\.node) == ["n2"])
        #expect(result.records("deploy.switch").map(\.status) == [.succeeded, .failed])
    }
}
