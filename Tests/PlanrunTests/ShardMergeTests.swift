import Foundation
import PlanTestSupport
import Testing

/// Issue 14's shard and merge through the binary: four shards of a plan over 40 node aliases of one sshd,
/// merged, give the unsharded run's result (times masked), including an assert that fails only when every
/// shard's data is seen together.
@Suite(.serialized)
struct ShardMergeTests {
    /// Zone k for nodes n(10k+1)…n(10k+10): each shard of four sees one zone, the whole fleet four. n17's
    /// check fails (`on_error: continue`), so the shards' issues must be united too.
    static let plan = """
        planrun: 1
        name: census
        policy: { max_parallel: 20, max_connecting: 3 }
        operations:
          census:
            analyze:
              - { id: label, set: { title: fleet census } }
            execute:
              - id: zone
                target: fleet
                run: "n=${{ node.name }}; echo $(( (${n#n} - 1) / 10 ))"
                capture: { zone: { stdout: true, as: int } }
              - id: check
                target: fleet
                run: "n=${{ node.name }}; test ${n#n} -ne 17"
                on_error: continue
            validate:
              - id: every_node_answered
                assert: ${{ len(nodes.*.zone) == 40 }}
              - id: one_zone
                assert: ${{ len(unique(nodes.*.zone)) == 1 }}
                message: nodes are in ${{ len(unique(nodes.*.zone)) }} zones
                recommend: move every node into one zone
        output:
          title: ${{ vars.title }}
          zones: ${{ unique(nodes.*.zone) }}
          answered: ${{ len(nodes.*.zone) }}
        """

    private func json(_ text: String) async throws -> [String: Any] {
        let problems = try await SchemaCheck.problems(text, schema: "schemas/result.schema.json")
        #expect(problems == nil, "result does not match schemas/result.schema.json: \(problems ?? "")")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The document with every time zeroed, as JSON text with sorted keys, for comparison.
    private func masked(_ document: [String: Any]) throws -> String {
        var document = document
        document["execution_time"] = 0
        document["steps"] = (document["steps"] as? [[String: Any]] ?? []).map { step in
            var step = step
            step["duration"] = 0
            step["queued"] = nil  // a time too: how long a step waited for a slot depends on the fan-out
            return step
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func fourShardsMergedEqualTheUnshardedRun() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let dir = NSTemporaryDirectory() + "planrun-shards-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.plan.write(toFile: dir + "/plan.yaml", atomically: true, encoding: .utf8)
        try FleetTests.aliases(40, of: server).write(toFile: dir + "/inventory.yaml", atomically: true, encoding: .utf8)
        let base = ["run", "plan.yaml", "--inventory", "inventory.yaml", "--quiet"]

        // One after the other (a Job's pods would run side by side; this machine's two cores are shared with
        // the rest of the suite). The last takes its index from the environment, as an Indexed Job's pod does.
        var shards: [[String: Any]] = []
        for i in 0..<4 {
            let ended =
                i == 3
                ? try await BinaryRunner.run(
                    base + ["--shard", "4"], in: dir, environment: ["JOB_COMPLETION_INDEX": "3"], timeout: 120)
                : try await BinaryRunner.run(base + ["--shard", "\(i)/4"], in: dir, timeout: 120)
            // n17 is in shard 1: its failed check makes that shard partial (exit 1), the others succeed.
            #expect(ended.exitCode == (i == 1 ? 1 : 0), "shard \(i): \(ended.stdout.prefix(3000))")
            try ended.stdout.write(toFile: dir + "/shard-\(i).json", atomically: true, encoding: .utf8)
            shards.append(try await json(ended.stdout))
        }
        for (i, shard) in shards.enumerated() {
            let block = try #require(shard["shard"] as? [String: Any])
            #expect(block["index"] as? Int == i && block["count"] as? Int == 4)
            #expect(block["nodes"] as? [String] == (10 * i + 1...10 * i + 10).map { "n\($0)" })
            // Seen from any one shard, the fleet is in one zone: `one_zone` would hold there.
            let data = try #require(block["data"] as? [String: Any])
            let zones = Set((data["nodes"] as? [String: [String: Any]] ?? [:]).values.compactMap { $0["zone"] as? Int })
            #expect(zones == [i])
            let skipped = (shard["steps"] as? [[String: Any]] ?? []).filter { $0["phase"] as? String == "validate" }
            #expect(skipped.map { $0["status"] as? String } == ["skipped", "skipped"])
        }

        let whole = try await BinaryRunner.run(base, in: dir, timeout: 120)
        #expect(whole.exitCode == 1, "stderr: \(whole.stderr)")
        let unsharded = try await json(whole.stdout)

        // Shard 2 comes on stdin.
        let merge = try await BinaryRunner.run(
            ["merge", "shard-0.json", "shard-1.json", "-", "shard-3.json"], in: dir,
            stdin: try String(contentsOfFile: dir + "/shard-2.json", encoding: .utf8))
        #expect(merge.exitCode == 1, "stderr: \(merge.stderr)")
        let merged = try await json(merge.stdout)
        #expect(try masked(merged) == masked(unsharded))

        // What makes them equal: the assert that only fails across shards, and n17's issue from shard 1.
        #expect(merged["zones"] as? [Int] == [0, 1, 2, 3])
        #expect(merged["title"] as? String == "fleet census")
        let issues = merged["issues"] as? [[String: Any]] ?? []
        #expect(issues.map { $0["step"] as? String } == ["check", "one_zone"])
        #expect(issues.last?["message"] as? String == "nodes are in 4 zones")
        #expect(merged["validation_status"] as? String == "partial")

        // A missing or a doubled shard is an error that names it.
        let missing = try await BinaryRunner.run(["merge", "shard-0.json", "shard-1.json", "shard-3.json"], in: dir)
        #expect(missing.exitCode == 65)
        #expect(missing.stderr == "planrun: error: shard 2 of 4 is missing (given: 0, 1, 3)\n")
        let twice = try await BinaryRunner.run(
            ["merge", "shard-0.json", "shard-1.json", "shard-1.json", "shard-2.json", "shard-3.json"], in: dir)
        #expect(twice.exitCode == 65)
        #expect(twice.stderr == "planrun: error: shard 1 of 4 is given twice: shard-1.json and shard-1.json\n")
        let unshardedInput = try await BinaryRunner.run(["merge", "-"], in: dir, stdin: whole.stdout)
        #expect(unshardedInput.exitCode == 65)
        #expect(unshardedInput.stderr.contains("not the result of a sharded run"))
    }
}
