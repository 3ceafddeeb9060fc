import Foundation
import PlanTestSupport
import Testing

/// The plans in `plans/examples/` run through the binary against the SSH test bed, with six node aliases
/// (`web1`…`web6`: odd ones are the bed's genesis node, even ones its follower), as an operator would.
@Suite(.serialized)
final class ExamplePlansTests {
    let bed: Testbed
    let aliases: String

    init() async throws {
        bed = try await Testbed.up()
        aliases = try bed.inventory(
            aliases: (1...6).map { ("web\($0)", $0 % 2 == 1 ? "genesis" : "follower") },
            groups: ["web": (1...6).map { "web\($0)" }, "all": ["web1", "web2"]])
    }

    deinit { bed.down() }

    struct Run {
        var exitCode: Int32
        var json: [String: Any]
        var stdout: String

        var steps: [[String: Any]] { json["steps"] as? [[String: Any]] ?? [] }

        /// `status` of step `id` per node, in result order.
        func statuses(_ id: String) -> [String] {
            steps.filter { $0["id"] as? String == id }.map { "\($0["node"] as? String ?? "-") \($0["status"] as? String ?? "")" }
        }
    }

    func run(_ plan: String, _ inputs: [String] = [], dryRun: Bool = false) async throws -> Run {
        var arguments = ["run", "plans/examples/\(plan).yaml", "--inventory", aliases, "-q"]
        for input in inputs { arguments += ["-i", input] }
        if dryRun { arguments += ["--dry-run", "--format", "json"] }
        let output = try await BinaryRunner.run(arguments, timeout: 180)
        #expect(!output.timedOut)
        let problems = try await SchemaCheck.problems(output.stdout, schema: "schemas/result.schema.json")
        #expect(problems == nil, "\(problems ?? "")\nstdout: \(output.stdout)\nstderr: \(output.stderr)")
        let object = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        let json = try #require(object as? [String: Any], "stdout: \(output.stdout)\nstderr: \(output.stderr)")
        return Run(exitCode: output.exitCode, json: json, stdout: output.stdout)
    }

    @Test func theRollingRestartRestartsEveryNodeTwoAtATime() async throws {
        let result = try await run("rolling-restart", ["force=true"])
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.statuses("roll.restart") == (1...6).map { "web\($0) succeeded" })
        #expect(result.steps.filter { $0["id"] as? String == "roll.health" }.map { $0["batch"] as? Int } == [1, 1, 2, 2, 3, 3])
        #expect(bed.state("genesis", "restarts") == "3" && bed.state("follower", "restarts") == "3")
    }

    @Test func theRollingRestartStopsWhenTheBudgetIsSpent() async throws {
        try await bed.set("follower", "restart-fails", "on")
        let result = try await run("rolling-restart", ["force=true"])
        // web2 fails in batch 1 (within max_failures: 1), web4 in batch 2: batch 3 never starts.
        #expect(result.statuses("roll.restart") == [
            "web1 succeeded", "web2 failed", "web3 succeeded", "web4 failed", "web5 not_run", "web6 not_run",
        ])
        #expect(result.statuses("all_healthy") == ["- failed"])
        #expect(result.exitCode == 2)
        #expect(bed.state("genesis", "restarts") == "2")
    }

    @Test func theRollingRestartsDryRunListsTheBatches() async throws {
        let result = try await run("rolling-restart", ["force=true"], dryRun: true)
        let batches = result.json["batches"] as? [String: [[String]]]
        #expect(batches?["roll"] == [["web1", "web2"], ["web3", "web4"], ["web5", "web6"]])
        #expect(bed.state("genesis", "restarts") ?? "0" == "0")
    }

    @Test func logCollectionLoopsOverFilesPerNodeWithASummary() async throws {
        for (node, text) in [("genesis", "a\n"), ("follower", "one\ntwo\n")] {
            for file in ["app.log", "extra.log"] {
                try text.write(toFile: bed.directory + "/nodes/\(node)/log/\(file)", atomically: true, encoding: .utf8)
            }
        }
        let result = try await run("collect-logs", ["files=app.log,extra.log"])
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.statuses("logs") == ["web1 succeeded", "web1 succeeded", "web2 succeeded", "web2 succeeded"])
        #expect(result.steps.filter { $0["id"] as? String == "logs" }.map { $0["item"] as? String } == [
            "app.log", "extra.log", "app.log", "extra.log",
        ])
        let bytes = try #require(result.json["log_bytes"] as? [String: [Int]], "\(result.stdout)")
        #expect(bytes == ["web1": [2, 2], "web2": [8, 8]])
        #expect(result.json["last_lines"] as? [String: [String]] == ["web1": ["a", "a"], "web2": ["two", "two"]])
        #expect((result.json["disk_used"] as? [String: Int])?.count == 2)
        #expect(["web1", "web2"].contains(result.json["fullest_node"] as? String ?? ""))
    }

    @Test func theSharedHealthStepsServeTwoPlans() async throws {
        let report = try await run("health-report")
        #expect(report.exitCode == 0, "\(report.stdout)")
        #expect(report.statuses("health.answers") == ["web1 succeeded", "web2 succeeded"])
        #expect(report.json["healthy"] as? [String] == ["web1", "web2"])
        try await bed.set("follower", "service", "failed")
        let logs = try await run("collect-logs")
        #expect(logs.statuses("health.active").contains("web2 failed"))
        #expect(logs.statuses("disk") == ["web1 succeeded", "web2 succeeded"])
    }

    @Test func everyExampleIsValid() async throws {
        let output = try await BinaryRunner.run(["validate", "plans/examples"])
        #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("0 errors, 0 warnings"), "\(output.stderr)")
    }

    @Test func theRollingRestartIsAtMostOneAndAHalfTimesItsAnsibleEquivalent() throws {
        func lines(_ path: String) throws -> Int {
            try String(contentsOfFile: SchemaCheck.packageRoot + "/" + path, encoding: .utf8)
                .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.count
        }
        let planrun = try lines("plans/examples/rolling-restart.yaml")
        let ansible = try lines("Benchmarks/lines/rolling-restart.ansible.yml")
        #expect(Double(planrun) <= 1.5 * Double(ansible), "planrun \(planrun) lines, Ansible \(ansible)")
    }
}
