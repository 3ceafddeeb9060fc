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
}
