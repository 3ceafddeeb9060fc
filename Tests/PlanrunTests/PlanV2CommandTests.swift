import Foundation
import PlanTestSupport
import Testing

/// Issue 11 part B through the built binary: `--version`, `--limit`, targets checked before anything starts,
/// dry-run exit codes, `validate --inventory`, progress and queue time, result keys.
@Suite(.serialized)
struct PlanV2CommandTests {
    /// Writes `files` (name → text, `DIR` replaced by the directory) to a fresh directory; returns it.
    private func directory(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-v2-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.replacingOccurrences(of: "DIR", with: dir).write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    private func json(_ text: String) async throws -> [String: Any] {
        let problems = try await SchemaCheck.problems(text, schema: "schemas/result.schema.json")
        #expect(problems == nil, "result does not match schemas/result.schema.json: \(problems ?? "")")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func steps(_ result: [String: Any]) -> [[String: Any]] { result["steps"] as? [[String: Any]] ?? [] }

    @Test func versionPrintsTheVersion() async throws {
        let out = try await BinaryRunner.run(["--version"])
        #expect(out.exitCode == 0)
        #expect(out.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "stdout: \(out.stdout)")
    }

    @Test func confidenceAlwaysPrintsAsAFloat() async throws {
        let dir = try directory([
            "good.yaml": "planrun: 1\noperations: { op: { execute: [{ id: a, run: \"true\" }] } }\n",
            "bad.yaml": """
                planrun: 1
                operations:
                  op:
                    validate:
                      - { id: no, assert: "${{ 1 == 2 }}" }
                """,
        ])
        let good = try await BinaryRunner.run(["run", dir + "/good.yaml", "-q"])
        #expect(good.stdout.contains("\"confidence\": 1.0,"), "stdout: \(good.stdout)")
        let bad = try await BinaryRunner.run(["run", dir + "/bad.yaml", "-q"])
        #expect(bad.exitCode == 2)
        #expect(bad.stdout.contains("\"confidence\": 0.0,"), "stdout: \(bad.stdout)")
    }

    @Test func anOutputKeyOfTheEngineFailsValidateAndRun() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                operations: { op: { execute: [{ id: a, run: "true" }] } }
                output:
                  steps: ${{ 1 }}
                """
        ])
        let validate = try await BinaryRunner.run(["validate", dir + "/plan.yaml"])
        #expect(validate.exitCode == 65)
        #expect(validate.stderr.contains(
            "plan.yaml:4:3: error: output field 'steps' collides with the engine's result key of the same name; rename it, e.g. 'plan_steps' [plan.output-key]"),
            "stderr: \(validate.stderr)")
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml"])
        #expect(run.exitCode == 65)
        #expect(run.stdout.isEmpty)
    }

    @Test func aTypeErrorIsFoundByValidateWithItsPlace() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                inputs: { count: { type: int, default: 3 } }
                operations:
                  op:
                    execute:
                      - { id: a, run: "echo ${{ trim(inputs.count) }}" }
                """
        ])
        let validate = try await BinaryRunner.run(["validate", dir + "/plan.yaml"])
        #expect(validate.exitCode == 65)
        #expect(validate.stderr.contains("plan.yaml:6:38: error: 'trim' takes a string, got an int ('inputs.count') [expr.type]"),
                "stderr: \(validate.stderr)")
    }

    static let fleet = """
        planrun: 1
        name: fleet
        inventory:
          nodes: { web1: { transport: local }, web2: { transport: local }, db1: { transport: local } }
          groups: { web: [web1, web2] }
        inputs:
          third: { type: string, default: db1 }
        operations:
          op:
            execute:
              - { id: first, target: [web1, web2, db1], run: "echo ${{ node.name }} >> DIR/log" }
              - { id: later, target: "${{ inputs.third }}", run: "echo later-${{ node.name }} >> DIR/log" }
        """

    @Test func anUnknownTargetStopsTheRunBeforeAnyNodeIsTouched() async throws {
        let dir = try directory(["plan.yaml": Self.fleet])
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml", "-i", "third=wbe2"])
        #expect(run.exitCode == 65)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(
            "plan.yaml:12:30: error: step 'later' names unknown node or group 'wbe2'; did you mean 'web2'? [run.unknown-target]"),
            "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/log"), "a node was touched")
        let dry = try await BinaryRunner.run(["run", dir + "/plan.yaml", "-i", "third=wbe2", "--dry-run"])
        #expect(dry.exitCode == 65)
    }

    /// A rollout group's target and a `finally:` step's target are checked with the rest: a typo in either
    /// stops the run before the first batch restarts anything.
    @Test func groupAndFinallyTargetsAreCheckedBeforeTheRun() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                name: roll
                inventory:
                  nodes: { web1: { transport: local }, web2: { transport: local } }
                inputs:
                  tgt: { type: string, default: web1 }
                operations:
                  op:
                    execute:
                      - id: roll
                        target: ${{ inputs.tgt }}
                        batch: 1
                        steps:
                          - { id: restart, run: "echo ${{ node.name }} >> DIR/log" }
                    finally:
                      - { id: report, target: "${{ inputs.tgt }}", run: "echo done >> DIR/log" }
                """,
        ])
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--no-record", "-i", "tgt=webX"])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains(
            "step 'roll' names unknown node or group 'webX'; did you mean 'web1'? [run.unknown-target]"),
            "stderr: \(run.stderr)")
        #expect(run.stderr.contains(
            "step 'report' names unknown node or group 'webX'; did you mean 'web1'? [run.unknown-target]"),
            "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/log"), "a node was touched")
    }

    @Test func aGroupMemberOnlyAnInventoryFileNamesIsCheckedBeforeTheRun() async throws {
        let dir = try directory([
            "plan.yaml": Self.fleet,
            "inventory.yaml": "groups: { web: [web1, wbe3] }\n",
        ])
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--inventory", dir + "/inventory.yaml", "-i", "third=web"])
        #expect(run.exitCode == 65)
        // Linted after the merge, and located in the file that holds the group.
        #expect(run.stderr.contains(
            "inventory.yaml:1:23: error: group 'web' names unknown node or group 'wbe3'; did you mean 'web1'? [plan.unknown-node]"),
            "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/log"))
    }

    @Test func aDryRunExits65OnAnErrorTheRunWouldHitAndStillPrintsTheResult() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                inputs: { wait: { type: string, default: 1s } }
                policy: { max_timeout: 10s, default_timeout: 5s }
                operations:
                  op:
                    execute:
                      - { id: probe, run: "echo 5", capture: { n: { stdout: true, as: int } } }
                      - { id: uses, run: "echo ${{ nodes.local.n + 1 }}" }
                      - { id: slow, run: "sleep 1", timeout: "${{ inputs.wait }}" }
                """
        ])
        let fine = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--dry-run", "--format", "json", "-q"])
        #expect(fine.exitCode == 0, "stdout: \(fine.stdout)")
        let planned = steps(try await json(fine.stdout))
        #expect(planned.first { $0["id"] as? String == "uses" }?["reason"] as? String
            == "command decided at run time ('nodes.local.n' is not defined: 'nodes' has no key 'local')")
        let bad = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--dry-run", "--format", "json", "-q", "-i", "wait=1m"])
        #expect(bad.exitCode == 65)
        let result = try await json(bad.stdout)
        let issues = result["issues"] as? [[String: Any]] ?? []
        #expect(issues.map { $0["message"] as? String } == ["timeout 1m is above policy.max_timeout 10s"])
    }

    @Test func limitRestrictsARunToNodesAndGroups() async throws {
        let dir = try directory(["plan.yaml": Self.fleet.replacingOccurrences(of: "default: db1", with: "default: web2")])
        let limited = try await BinaryRunner.run(["run", dir + "/plan.yaml", "-q", "--limit", "db1, web1"])
        #expect(limited.exitCode == 0, "stdout: \(limited.stdout)")
        let log = try String(contentsOfFile: dir + "/log", encoding: .utf8)
        #expect(log.split(separator: "\n").sorted() == ["db1", "web1"])
        let result = try await json(limited.stdout)
        #expect(steps(result).map { "\($0["id"] ?? "")/\($0["node"] as? String ?? "-")/\($0["status"] ?? "")" } == [
            "first/web1/succeeded", "first/db1/succeeded", "later/-/skipped",
        ])
        #expect(steps(result).last?["reason"] as? String == "no target node is in --limit")

        let group = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--dry-run", "--format", "json", "-q", "--limit", "web"])
        #expect(group.exitCode == 0)
        #expect(steps(try await json(group.stdout)).compactMap { $0["node"] as? String } == ["web1", "web2", "web2"])

        let typo = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--limit", "web1,dbl"])
        #expect(typo.exitCode == 65)
        #expect(typo.stderr.contains("--limit names unknown node or group 'dbl'; did you mean 'db1'?"), "stderr: \(typo.stderr)")
        let empty = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--limit", " , "])
        #expect(empty.exitCode == 64)
    }

    @Test func validateChecksTargetsAgainstAnInventoryFileMergedFirst() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                inventory: { nodes: { local: { transport: local } } }
                operations:
                  op:
                    execute:
                      - { id: a, target: web, run: "true" }
                      - { id: b, target: webX, run: "true" }
                """,
            "inventory.yaml": "nodes: { web1: { transport: local } }\ngroups: { web: [web1] }\n",
            "bad-inventory.yaml": "nodes: { web1: { transport: lcoal } }\n",
        ])
        let alone = try await BinaryRunner.run(["validate", dir + "/plan.yaml"])
        #expect(alone.exitCode == 65)
        #expect(alone.stderr.contains("plan.yaml:6:26: error: step 'a' names unknown node or group 'web'"), "stderr: \(alone.stderr)")
        let merged = try await BinaryRunner.run(["validate", "--inventory", dir + "/inventory.yaml", dir + "/plan.yaml"])
        #expect(merged.exitCode == 65)
        #expect(!merged.stderr.contains("'web'"), "stderr: \(merged.stderr)")
        #expect(merged.stderr.contains("plan.yaml:7:26: error: step 'b' names unknown node or group 'webX'; did you mean 'web1'? [plan.unknown-node]"),
                "stderr: \(merged.stderr)")
        let badFile = try await BinaryRunner.run(["validate", "--inventory", dir + "/bad-inventory.yaml", dir + "/plan.yaml"])
        #expect(badFile.exitCode == 65)
        #expect(badFile.stderr.contains("bad-inventory.yaml:1:29: error: unknown transport 'lcoal'"), "stderr: \(badFile.stderr)")
        let missing = try await BinaryRunner.run(["validate", "--inventory", dir + "/nope.yaml", dir + "/plan.yaml"])
        #expect(missing.exitCode == 64)

        // The run lints after the merge too: with the file, only the typo is left.
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml", "--inventory", dir + "/inventory.yaml"])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains("'webX'") && !run.stderr.contains("'web'"), "stderr: \(run.stderr)")
    }

    @Test func startIsPrintedWhenACommandStartsAndQueueTimeIsNotDuration() async throws {
        let dir = try directory([
            "plan.yaml": """
                planrun: 1
                inventory: { nodes: { a: { transport: local }, b: { transport: local }, c: { transport: local } } }
                policy: { max_parallel: 1 }
                operations:
                  op:
                    execute:
                      - { id: nap, target: [a, b, c], run: "sleep 1" }
                """
        ])
        let run = try await BinaryRunner.run(["run", dir + "/plan.yaml"])
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        // One slot: a command starts only once the one before it has ended (its `succeeded` line may race the
        // next `start`), so the last `start` comes after the first `succeeded`; queued, all three came first.
        let lines = run.stderr.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(lines.count { $0 == "start" } == 3 && lines.count { $0 == "succeeded" } == 3, "stderr: \(run.stderr)")
        let lastStart = try #require(lines.lastIndex(of: "start"))
        let firstEnd = try #require(lines.firstIndex(of: "succeeded"))
        #expect(lastStart > firstEnd, "stderr: \(run.stderr)")
        let records = steps(try await json(run.stdout))
        let queued = records.map { $0["queued"] as? Double ?? 0 }
        let last = try #require(records.indices.max { queued[$0] < queued[$1] })
        // The last node waited for two `sleep 1`s; its own duration is its one second, not three.
        #expect(queued[last] >= 1.8, "\(records)")
        let duration = try #require(records[last]["duration"] as? Double)
        #expect(duration >= 0.9 && duration < queued[last], "\(records)")
        #expect(queued.filter { $0 == 0 }.count == 1, "the first node never waited: \(records)")
    }
}
