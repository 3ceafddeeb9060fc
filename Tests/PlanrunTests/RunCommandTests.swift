import Foundation
import PlanTestSupport
import Testing

/// `planrun run` through the built binary: what an operator sees on stdout, stderr and in the exit code.
@Suite(.serialized)
struct RunCommandTests {
    @Test func localHealthRunsOnAFreshMachine() async throws {
        // The load threshold is raised: the tests run on shared, busy machines, and the verdict is not what is tested.
        let result = try await BinaryRunner.run(["run", "plans/local-health.yaml", "--quiet", "-i", "max_load=1000"])
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(try await SchemaCheck.problems(result.stdout, schema: "schemas/result.schema.json") == nil)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["validation_status"] as? String == "success")
        #expect(json["operation"] as? String == "check")
        #expect(result.stderr.isEmpty)
    }

    @Test func anUnknownInputIsAUsageErrorWithASuggestion() async throws {
        let result = try await BinaryRunner.run(["run", "plans/local-health.yaml", "-i", "max_disk_usd=5"])
        #expect(result.exitCode == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("did you mean 'max_disk_used'?"))
    }
}
