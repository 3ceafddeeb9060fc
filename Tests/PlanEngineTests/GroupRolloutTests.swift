import Foundation
import PlanEngine
import Testing

/// Groups (`steps:`) walked per node with `group.child` ids, and rolling batches with a failure budget.
@Suite(.serialized)
struct GroupRolloutTests {
    let bed = YAMLPlanRun()

    /// A rollout over `n` local nodes whose `restart` fails on the nodes listed in `failing`.
    private func rollout(nodes n: Int, batch: String, maxFailures: String?, failing: [String]) -> String {
        """
        planrun: 1
        \(localNodes(n))
        operations:
          op:
            execute:
              - id: roll
                target: all
                batch: \(batch)
        \(maxFailures.map { "        max_failures: \($0)" } ?? "")
                steps:
                  - { id: restart, run: "echo ${{ node.name }} >> DIR/log; test ${{ node.name }} != x \(failing.map { "-a ${{ node.name }} != \($0)" }.joined(separator: " "))" }
                  - { id: health, run: "echo ${{ node.name }}-ok >> DIR/log" }
              - { id: after, run: "true", target: n1 }
            validate:
              - { id: checked, assert: "${{ true }}" }
        """
    }

    @Test func eachNodeWalksTheGroupsStepsInOrderWithNestedIDs() async throws {
        let result = try await bed.run("""
            planrun: 1
            \(localNodes(2))
            operations:
              op:
                execute:
                  - id: deploy
                    target: all
                    steps:
                      - { id: fetch, run: "echo fetch-${{ node.name }}", capture: { got: { stdout: true } } }
                      - id: inner
                        steps:
                          - { id: apply, run: "echo apply-${{ node.got }} >> DIR/log.${{ node.name }}" }
                  - { id: report, needs: [deploy.inner.apply], target: n1, run: "echo ${{ steps.deploy.fetch.n2.ok }}", capture: { ok: { stdout: true } } }
            """)
        #expect(result.summary == [
            "deploy.fetch [n1] succeeded", "deploy.fetch [n2] succeeded",
            "deploy.inner.apply [n1] succeeded", "deploy.inner.apply [n2] succeeded",
            "report [n1] succeeded",
        ])
        #expect(bed.lines("log.n1") == ["apply-fetch-n1"])
        #expect(bed.lines("log.n2") == ["apply-fetch-n2"])
        #expect(result.validationStatus == .success)
    }

    @Test func aBatchWalksAllStepsBeforeTheNextStarts() async throws {
        let result = try await bed.run(rollout(nodes: 5, batch: "2", maxFailures: nil, failing: []))
        let log = bed.lines("log")
        // Each batch's restarts and health checks, in any order within the batch, before the next batch.
        let batches = [Set(["n1", "n2", "n1-ok", "n2-ok"]), Set(["n3", "n4", "n3-ok", "n4-ok"]), Set(["n5", "n5-ok"])]
        #expect(Set(log[0..<4]) == batches[0] && Set(log[4..<8]) == batches[1] && Set(log[8...]) == batches[2], "\(log)")
        #expect(result.records("roll.restart").map(\.batch) == [1, 1, 2, 2, 3])
        #expect(result.validationStatus == .success)
    }

    @Test func aPercentageBatchRoundsDownAndStaysAtLeastOne() {
        let six = Array(1...6)
        #expect(Rollout(batch: .percent(25)).batches(of: six) == [[1], [2], [3], [4], [5], [6]])
        #expect(Rollout(batch: .percent(50)).batches(of: six) == [[1, 2, 3], [4, 5, 6]])
        #expect(Rollout(batch: .percent(10)).batches(of: [1, 2]) == [[1], [2]])
        #expect(Rollout().batches(of: six) == [six])
        #expect(Rollout(maxFailures: .percent(20)).budget(of: 6) == 1)
        #expect(Rollout(maxFailures: .percent(50)).budget(of: 6) == 3)
        #expect(Rollout().budget(of: 6) == 0)
    }

    @Test func overTheBudgetTheRolloutStopsAndValidateStillRuns() async throws {
        let result = try await bed.run(rollout(nodes: 6, batch: "2", maxFailures: "1", failing: ["n1", "n3"]))
        // Batch 1: n1 fails (1, within the budget); batch 2: n3 fails (2 > 1): batch 3 is not run.
        #expect(result.records("roll.restart").map(\.status) == [.failed, .succeeded, .failed, .succeeded, .notRun, .notRun])
        #expect(result.records("roll.health").map(\.status) == [.notRun, .succeeded, .notRun, .succeeded, .notRun, .notRun])
        let reason = try #require(result.records("roll.restart").last?.reason)
        #expect(reason == "not run: rollout stopped after batch 2 of 3: 2 of 6 nodes failed; max_failures is 1")
        #expect(result.records("roll.health").first?.reason == "not run: step 'roll.restart' failed on this node")
        #expect(result.records("after").map(\.status) == [.notRun])
        #expect(result.records("checked").map(\.status) == [.succeeded])
        #expect(result.validationStatus == .failed)
        #expect(!bed.lines("log").contains("n5"))
    }

    @Test func withinTheBudgetTheRunGoesOn() async throws {
        let result = try await bed.run(rollout(nodes: 6, batch: "2", maxFailures: "1", failing: ["n4"]))
        #expect(result.records("roll.restart").map(\.status) == [.succeeded, .succeeded, .succeeded, .failed, .succeeded, .succeeded])
        #expect(result.records("after").map(\.status) == [.succeeded])
        #expect(result.validationStatus == .partial)
    }

    @Test func aPercentageBudgetCountsNodesOnce() async throws {
        // 34% of 6 nodes is 2: two failed nodes stay within it, whatever number of their steps failed.
        let within = try await bed.run(rollout(nodes: 6, batch: "\"50%\"", maxFailures: "\"34%\"", failing: ["n1", "n2"]))
        #expect(within.records("roll.restart").map(\.batch) == [1, 1, 1, 2, 2, 2])
        #expect(within.records("roll.restart").filter { $0.status == .notRun }.isEmpty)
        #expect(within.records("after").map(\.status) == [.succeeded])
        let over = try await YAMLPlanRun().run(rollout(nodes: 6, batch: "\"50%\"", maxFailures: "\"34%\"", failing: ["n1", "n2", "n3"]))
        #expect(over.records("roll.restart").suffix(3).map(\.status) == [.notRun, .notRun, .notRun])
        #expect(over.issues.first { $0.kind == .partial }?.message == "rollout stopped after batch 1 of 2: 3 of 6 nodes failed; max_failures is 34% (2)")
    }

    @Test func withoutABudgetOneFailedNodeStopsTheRollout() async throws {
        let result = try await bed.run(rollout(nodes: 4, batch: "1", maxFailures: nil, failing: ["n2"]))
        #expect(result.records("roll.restart").map(\.status) == [.succeeded, .failed, .notRun, .notRun])
        #expect(result.issues.first { $0.kind == .partial }?.message.hasSuffix("the group allows no failed node (no max_failures)") == true)
    }

    @Test func aDryRunListsTheBatches() async throws {
        let result = try await bed.run(rollout(nodes: 5, batch: "2", maxFailures: "1", failing: []), dryRun: true)
        #expect(result.batches.map(\.step) == ["roll"])
        #expect(result.batches.first?.batches == [["n1", "n2"], ["n3", "n4"], ["n5"]])
        #expect(result.records("roll.restart").map(\.status) == [.planned, .planned, .planned, .planned, .planned])
        #expect(bed.lines("log").isEmpty)
        let text = ResultText.render(result)
        #expect(text.contains("batches of roll: 1. n1, n2  2. n3, n4  3. n5"), "\(text)")
        let json = result.json(includeTimes: false).jsonText()
        #expect(json.contains(#""batches":{"roll":[["n1","n2"],["n3","n4"],["n5"]]}"#), "\(json)")
    }

    @Test func aGroupLoopsOverItemsAndSkipsWithWhen() async throws {
        let result = try await bed.run("""
            planrun: 1
            \(localNodes(2))
            operations:
              op:
                execute:
                  - id: per_file
                    target: all
                    for_each: [a, b]
                    when: ${{ node.name != 'n2' }}
                    steps:
                      - { id: touch, run: "echo ${{ item }} >> DIR/log" }
                      - { id: count, run: "echo ${{ item_index }}", capture: { index: { stdout: true, as: int } } }
            output:
              indexes: ${{ nodes.n1.index }}
            """)
        #expect(bed.lines("log") == ["a", "b"])
        #expect(result.output["indexes"] == .array([.int(0), .int(1)]))
        #expect(result.records("per_file.touch").map(\.status) == [.succeeded, .succeeded, .skipped])
    }
}
