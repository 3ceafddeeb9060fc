import Foundation
import PlanEngine
import Testing

/// `--shard I/N` and `planrun merge` in this process, on local nodes: a group without a target runs its
/// node-less steps in shard 0 only, and merge evaluates the validate phase after a failed execute phase, as a
/// run does. Each merged result is compared with the unsharded run of the same plan.
@Suite(.serialized)
struct ShardGroupTests {
    let bed = YAMLPlanRun()

    struct Failure: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// Runs `yaml` as `count` shards, merges their results, and runs it unsharded; returns both results.
    private func shardedAndWhole(_ yaml: String, count: Int) async throws -> (merged: RunResult, whole: RunResult, shards: [RunResult]) {
        var shards: [RunResult] = []
        var documents: [ShardMerge.Document] = []
        for index in 0..<count {
            var request = try bed.request(yaml)
            request.shard = Shard(index: index, count: count)
            let result = try await bed.check(await PlanRunner(request).run())
            shards.append(result)
            documents.append(ShardMerge.Document(source: "shard-\(index).json", text: result.json().jsonText()))
        }
        let merged = try await bed.check(try await ShardMerge.merge(documents))
        let whole = try await bed.run(yaml)
        return (merged, whole, shards)
    }

    @Test func aGroupWithoutATargetRunsItsNodelessStepsInShardZeroOnly() async throws {
        let yaml = """
            planrun: 1
            \(localNodes(4))
            operations:
              op:
                execute:
                  - id: prep
                    steps:
                      - { id: note, set: { title: census } }
                      - { id: where, target: all, run: "echo ${{ node.name }} | tee -a DIR/ran", capture: { me: { stdout: true } } }
                validate:
                  - id: checks
                    steps:
                      - { id: answered, assert: "${{ len(nodes.*.me) == 4 }}", message: "only ${{ len(nodes.*.me) }} answered" }
                      - { id: alive, target: all, run: "true" }
            output:
              title: ${{ vars.title }}
            """
        let (merged, whole, shards) = try await shardedAndWhole(yaml, count: 2)
        #expect(shards[0].summary == [
            "prep.note succeeded", "prep.where [n1] succeeded", "prep.where [n2] succeeded", "checks.answered skipped",
            "checks.alive [n1] succeeded", "checks.alive [n2] succeeded",
        ])
        #expect(shards[1].summary == [
            "prep.note skipped", "prep.where [n3] succeeded", "prep.where [n4] succeeded", "checks.answered skipped",
            "checks.alive [n3] succeeded", "checks.alive [n4] succeeded",
        ])
        #expect(shards[1].records("prep.note").first?.reason == "runs in shard 0 of 2 only")
        #expect(shards[1].records("checks.answered").first?.reason?.hasPrefix("left to planrun merge") == true)

        // Merged, the node-less steps appear once, and the assert sees every shard's captures.
        #expect(merged.summary == whole.summary)
        #expect(merged.summary.filter { $0.hasPrefix("prep.note") } == ["prep.note succeeded"])
        #expect(merged.records("checks.answered").first?.status == .succeeded)
        #expect(merged.validationStatus == .success && merged.issues.isEmpty, "\(merged.issues)")
        guard case .object(let document) = merged.json() else { throw Failure("the result is no object") }
        #expect(document["title"] == .string("census"))
        // Each node ran `where` once per run: the two shards, then the whole run.
        #expect(bed.lines("ran").sorted() == ["n1", "n1", "n2", "n2", "n3", "n3", "n4", "n4"])
    }

    /// A group's step results nest under its id, deeper for a group in a group: merge unites every shard's
    /// nodes at the bottom (it once kept the last shard's at the third level).
    @Test func mergeUnitesTheResultsOfAGroupInAGroup() async throws {
        let yaml = """
            planrun: 1
            \(localNodes(4))
            operations:
              op:
                execute:
                  - id: outer
                    steps:
                      - id: inner
                        target: all
                        steps:
                          - { id: ping, run: "true" }
                validate:
                  - { id: every_node, assert: "${{ len(values(steps.outer.inner.ping)) == 4 }}", message: "not every node pinged" }
            """
        let (merged, whole, _) = try await shardedAndWhole(yaml, count: 2)
        #expect(whole.records("every_node").first?.status == .succeeded)
        #expect(merged.summary == whole.summary)
        #expect(merged.issues.isEmpty, "\(merged.issues.map(\.message))")
    }

    @Test func mergeEvaluatesTheValidatePhaseAfterAFailedExecutePhase() async throws {
        let yaml = """
            planrun: 1
            \(localNodes(2))
            operations:
              op:
                execute:
                  - { id: height, target: all, run: "echo 5", capture: { height: { stdout: true, as: int } } }
                  - { id: gate, target: all, run: "test ${{ node.name }} != n2" }
                validate:
                  - { id: answered, assert: "${{ len(nodes.*.height) == 2 }}" }
                  - { id: one_height, assert: "${{ len(unique(nodes.*.height)) == 2 }}", message: heights agree }
            """
        let (merged, whole, shards) = try await shardedAndWhole(yaml, count: 2)
        #expect(shards[1].ending == .failed(step: "gate"))
        // A run reports its post-conditions after the failed gate; so does the merge of its shards.
        #expect(whole.summary == [
            "height [n1] succeeded", "height [n2] succeeded", "gate [n1] succeeded", "gate [n2] failed",
            "answered succeeded", "one_height failed",
        ])
        #expect(merged.summary == whole.summary)
        #expect(merged.issues.map(\.message) == whole.issues.map(\.message))
        #expect(merged.issues.last?.message == "heights agree")
        #expect(merged.ending == .failed(step: "gate"))
        #expect(merged.exitCode == whole.exitCode)
    }
}
