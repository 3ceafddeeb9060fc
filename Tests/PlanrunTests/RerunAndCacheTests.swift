import Foundation
import PlanTestSupport
import Testing

/// `--rerun-failed` on the two-node test bed, and `cache:` hits and misses, through the built binary.
@Suite(.serialized)
final class RerunAndCacheTests {
    let state: String
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "planrun-rerun-\(UUID().uuidString)"
        state = dir + "/state"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    private func planrun(_ arguments: [String]) async throws -> (exitCode: Int32, json: [String: Any], stderr: String) {
        let out = try await BinaryRunner.run(arguments, environment: ["PLANRUN_STATE": state], timeout: 180)
        let json = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]
        return (out.exitCode, json, out.stderr + out.stdout)
    }

    private func steps(_ json: [String: Any]) -> [[String: Any]] { json["steps"] as? [[String: Any]] ?? [] }

    private func history() async throws -> [[String: Any]] {
        let out = try await BinaryRunner.run(["history", "--format", "json"], environment: ["PLANRUN_STATE": state])
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
    }

    @Test func rerunFailedRunsOnlyTheFollowersStepsAfterItWasDown() async throws {
        let bed = try await Testbed.up()
        defer { bed.down() }
        try await bed.stopNode("follower")
        let arguments = ["run", "node-coordinator", "--inventory", bed.inventory, "-q", "-i", "operation=status"]
        let first = try await planrun(arguments)
        #expect(first.exitCode != 0)
        #expect(steps(first.json).contains { $0["node"] as? String == "follower" && $0["status"] as? String == "failed" })

        // Still down: the rerun tries the follower again, and only the follower.
        let second = try await planrun(arguments + ["--rerun-failed"])
        #expect(second.exitCode != 0, "\(second.stderr)")
        let genesisRan = steps(second.json).filter { $0["node"] as? String == "genesis" && $0["status"] as? String != "skipped" }
        #expect(genesisRan.isEmpty, "genesis ran: \(genesisRan)")
        #expect(steps(second.json).contains { $0["id"] as? String == "service" && $0["node"] as? String == "follower" && $0["status"] as? String == "failed" })

        // Up again: the follower's steps run and succeed; genesis's earlier answers still count.
        try await bed.startNode("follower")
        let third = try await planrun(arguments + ["--rerun-failed"])
        #expect(third.exitCode == 0, "\(third.stderr)")
        #expect(third.json["validation_status"] as? String == "success")
        let ran = steps(third.json).filter { $0["node"] != nil && !($0["node"] is NSNull) && $0["status"] as? String == "succeeded" }
        #expect(!ran.isEmpty && ran.allSatisfy { $0["node"] as? String == "follower" }, "\(ran)")
        #expect(steps(third.json).filter { $0["node"] as? String == "genesis" }.allSatisfy {
            ($0["reason"] as? String)?.hasPrefix("rerun: the node ended well in run") == true
        })
        let nodes = third.json["nodes_status"] as? [String: [String: Any]] ?? [:]
        #expect(nodes["genesis"]?["block_height"] as? Int == nodes["follower"]?["block_height"] as? Int)

        // Each rerun's record links the run it repeats.
        let runs = try await history()
        #expect(runs.count == 3)
        #expect(runs[0]["rerun_of"] as? Int == runs[1]["id"] as? Int)
        #expect(runs[1]["rerun_of"] as? Int == runs[2]["id"] as? Int)
        let nothing = try await BinaryRunner.run(arguments + ["--rerun-failed"], environment: ["PLANRUN_STATE": state])
        #expect(nothing.exitCode == 0 && nothing.stderr.contains("nothing to rerun"), "\(nothing.stderr)")
    }

    @Test func aCachedStepIsReusedWithinItsWindowAndRunAgainAfter() async throws {
        let path = dir + "/cached.yaml"
        try """
            planrun: 1
            name: cached
            operations:
              op:
                execute:
                  - id: status
                    run: "echo ran >> \(dir)/count; echo '{\\"height\\": 7}'"
                    cache: 3s
                    capture: { height: { json: height, as: int } }
                validate:
                  - { id: height, assert: "${{ nodes.local.height == 7 }}" }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        func count() -> Int {
            ((try? String(contentsOfFile: dir + "/count", encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        let first = try await planrun(["run", path, "-q"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(steps(first.json).first?["cached"] == nil)
        let second = try await planrun(["run", path, "-q"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(count() == 1)
        let hit = try #require(steps(second.json).first)
        #expect(hit["cached"] as? Bool == true)
        #expect((hit["cache_age"] as? Double ?? 99) < 3)
        let noCache = try await planrun(["run", path, "-q", "--no-cache"])
        #expect(noCache.exitCode == 0 && count() == 2 && steps(noCache.json).first?["cached"] == nil)
        try await Task.sleep(nanoseconds: 3_300_000_000)
        let third = try await planrun(["run", path, "-q"])
        #expect(third.exitCode == 0)
        #expect(count() == 3, "the cache outlived its window")
        #expect(steps(third.json).first?["cached"] == nil)
        let dry = try await BinaryRunner.run(["run", path, "--dry-run"], environment: ["PLANRUN_STATE": state])
        #expect(dry.stdout.contains("cache 3s"), "\(dry.stdout)")
    }

    @Test func aDestructiveOrCommandlessStepCannotBeCached() async throws {
        let path = dir + "/bad.yaml"
        try """
            planrun: 1
            name: bad
            policy: { destructive_when: "${{ true }}" }
            operations:
              op:
                execute:
                  - { id: restart, run: "true", destructive: true, cache: 30s }
                  - { id: compute, set: { a: 1 }, cache: 30s }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let out = try await BinaryRunner.run(["validate", path])
        #expect(out.exitCode == 65)
        let text = out.stdout + out.stderr
        #expect(text.contains("bad.yaml:7:56: error: step 'restart' is destructive and cannot be cached; remove 'cache' or 'destructive' [plan.cache-destructive]"), "\(text)")
        #expect(text.contains("bad.yaml:8:39: error: 'cache' reuses a command's output; step 'compute' runs no command [plan.cache-not-command]"))
    }
}
