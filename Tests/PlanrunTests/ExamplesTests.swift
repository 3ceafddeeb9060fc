import Foundation
import PlanTestSupport
import Testing

/// The sharding examples are real: the manifests pass real validators from PyPI, and the plan they run
/// passes `planrun validate`.
struct ExamplesTests {
    let root = SchemaCheck.packageRoot + "/examples"

    @Test func githubActionsWorkflowMatchesTheWorkflowSchema() async throws {
        let check = try await SchemaCheck.run([
            "--builtin-schema", "vendor.github-workflows", root + "/github-actions/fleet-census.yml",
        ])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test func kubernetesManifestsMatchTheAPISchemas() async throws {
        let files = ["results-pvc.yaml", "shards-job.yaml", "merge-job.yaml"].map { root + "/kubernetes/" + $0 }
        let check = try await SchemaCheck.runTool("kubernetes-validate", ["--strict"] + files)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.components(separatedBy: " passed for resource ").count == 4, "\(check.output)")
    }

    @Test func theExamplePlanIsValid() async throws {
        let run = try await BinaryRunner.run(["validate", root + "/fleet/plan.yaml"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let dry = try await BinaryRunner.run([
            "run", root + "/fleet/plan.yaml", "--inventory", root + "/fleet/inventory.yaml", "--dry-run", "--shard", "1/4",
        ])
        #expect(dry.exitCode == 0, "\(dry.stderr)")
        // Shard 1 of 4 over six nodes: web2 and web3 (the slices are 1, 2, 1, 2 nodes).
        #expect(dry.stdout.contains("[web2]") && dry.stdout.contains("[web3]"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("[web1]") && !dry.stdout.contains("[web4]"), "\(dry.stdout)")
    }
}
