import Foundation
import PlanTestSupport
import Testing

/// `plans/node-coordinator.yaml` on the two-node SSH test bed: the happy path of every operation and one test
/// at least per row of the seed's Error Handling table.
@Suite(.serialized)
final class NodeCoordinatorTests {
    let bed: Testbed

    init() async throws {
        bed = try await Testbed.up()
    }

    deinit { bed.down() }

    struct Run {
        var exitCode: Int32
        var json: [String: Any]
        var stderr: String

        var issues: [[String: Any]] { json["issues"] as? [[String: Any]] ?? [] }
        var steps: [[String: Any]] { json["steps"] as? [[String: Any]] ?? [] }
        var nodes: [String: [String: Any]] { json["nodes_status"] as? [String: [String: Any]] ?? [:] }

        func issue(_ kind: String, node: String? = nil) -> [String: Any]? {
            issues.first { $0["kind"] as? String == kind && (node == nil || $0["node"] as? String == node) }
        }

        func step(_ id: String, _ node: String? = nil) -> [String: Any]? {
            steps.first { $0["id"] as? String == id && (node == nil || $0["node"] as? String == node) }
        }
    }

    /// Runs the plan on the bed with `inputs` and checks the result against both schemas.
    func run(_ inputs: [String], inventory: String? = nil, stdin: String? = nil) async throws -> Run {
        var arguments = ["run", "node-coordinator", "--inventory", inventory ?? bed.inventory, "-q"]
        for input in inputs { arguments += ["-i", input] }
        if stdin != nil { arguments += ["--inputs", "-"] }
        let output = try await BinaryRunner.run(arguments, stdin: stdin, timeout: 180)
        #expect(!output.timedOut)
        for schema in ["schemas/result.schema.json", "schemas/node-coordinator.result.schema.json"] {
            let problems = try await SchemaCheck.problems(output.stdout, schema: schema)
            #expect(problems == nil, "\(schema): \(problems ?? "")\nstdout: \(output.stdout)\nstderr: \(output.stderr)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        return Run(exitCode: output.exitCode, json: json, stderr: output.stderr)
    }

    static let seedOutputKeys = [
        "summary", "operation", "target_node", "nodes_status", "sync_result", "sync_details", "message_delivery",
        "issues", "recommendations", "confidence", "execution_time", "validation_status",
    ]

    // MARK: Happy paths

    @Test(arguments: [
        ["operation=status"], ["operation=sync", "force=true"], ["operation=message", "message=hello; rm -rf /"],
        ["operation=coordinate", "force=true"], ["operation=health"],
    ])
    func everyOperationSucceedsOnAHealthyBed(_ inputs: [String]) async throws {
        try await bed.reset()
        let result = try await run(inputs)
        for key in Self.seedOutputKeys { #expect(result.json[key] != nil, "missing \(key)") }
        #expect(result.json["validation_status"] as? String == "success", "issues: \(result.issues)")
        #expect(result.exitCode == 0)
        for node in ["genesis", "follower"] {
            #expect(result.nodes[node]?["status"] as? String == "online")
            #expect(result.nodes[node]?["block_height"] is Int)
        }
    }

    @Test func statusReportsBothNodesWithIntegerHeights() async throws {
        try await bed.reset()
        let result = try await run(["operation=status"])
        #expect(result.json["validation_status"] as? String == "success")
        #expect(result.nodes["genesis"]?["block_height"] as? Int == 15234)
        #expect(result.nodes["follower"]?["block_height"] as? Int == 15234)
        #expect(result.nodes["follower"]?["service_uptime"] as? String == "5d 12h 31m")
        #expect((result.json["sync_details"] as? [String: Bool])?["blockchain_synced"] == true)
    }

    @Test func messageIsDeliveredLiterally() async throws {
        try await bed.reset()
        let text = "hello $(touch /tmp/planrun-pwned) 'quoted' `x`"
        let result = try await run(["operation=message", "message=\(text)", "target_node=follower"])
        let delivery = result.json["message_delivery"] as? [String: Int]
        #expect(delivery == ["sent": 1, "delivered": 1, "failed": 0])
        let inbox = bed.directory + "/nodes/follower/state/inbox"
        let files = try FileManager.default.contentsOfDirectory(atPath: inbox)
        #expect(files.count == 1)
        #expect(try String(contentsOfFile: inbox + "/" + files[0], encoding: .utf8).trimmingCharacters(in: .newlines) == text)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/planrun-pwned"))
    }

    @Test func theSeedInputJSONWorksOnStdin() async throws {
        try await bed.reset()
        let seed = #"{"operation": "status", "target_node": "all", "timeout": 60, "force": false, "verify": true}"#
        let result = try await run([], stdin: seed)
        #expect(result.json["operation"] as? String == "status")
        #expect(result.json["validation_status"] as? String == "success")
    }

    @Test func divergedHeightsAreCaughtByValidate() async throws {
        try await bed.reset()
        try await bed.set("genesis", "height", "99")
        let result = try await run(["operation=status"])
        #expect(result.step("heights_match")?["status"] as? String == "failed")
        #expect(result.json["validation_status"] as? String == "partial")
        #expect((result.json["recommendations"] as? [String])?.contains { $0.contains("operation=sync") } == true)
        #expect((result.json["sync_details"] as? [String: Bool])?["blockchain_synced"] == false)
        #expect(result.exitCode == 1)
    }

    @Test func verifyFalseSkipsValidation() async throws {
        try await bed.reset()
        try await bed.set("genesis", "height", "99")
        let result = try await run(["operation=status", "verify=false"])
        let validate = result.steps.filter { $0["phase"] as? String == "validate" }
        #expect(!validate.isEmpty)
        #expect(validate.allSatisfy { $0["status"] as? String == "skipped" })
        #expect(result.issues.allSatisfy { $0["kind"] as? String != "validation" })
    }

    // MARK: The seed's error table, row by row

    @Test func sshConnectionFailureIsReportedAndTheFallbackNodeAnswers() async throws {
        try await bed.reset()
        // The bed is this test's own (Swift Testing makes a suite instance per test): no need to restart it.
        try await bed.stopNode("follower")
        let result = try await run(["operation=status"])
        let issue = try #require(result.issue("connection", node: "follower"))
        #expect((issue["hint"] as? String)?.isEmpty == false)
        #expect(result.step("height", "follower")?["status"] as? String == "recovered")
        #expect(result.step("height", "follower")?["answered_by"] as? String == "genesis")
        #expect(result.nodes["follower"]?["status"] as? String == "offline")
        // No assert can hold without the follower's state: by the rule of validation_status, that is failed.
        #expect(result.json["validation_status"] as? String == "failed")
        #expect(result.exitCode == 2)
    }

    @Test func authenticationFailureNamesTheNode() async throws {
        try await bed.reset()
        let inventory = try bed.inventory(node: "follower", replacing: "keys/id_ed25519", with: "keys/wrong_ed25519")
        let result = try await run(["operation=status"], inventory: inventory)
        #expect(result.issue("authentication", node: "follower") != nil, "issues: \(result.issues)")
        #expect(result.nodes["genesis"]?["status"] as? String == "online")
    }

    @Test func anOfflineServiceIsMarkedAndRestartedOnlyWithForce() async throws {
        try await bed.reset()
        try await bed.set("follower", "service", "inactive")
        let unforced = try await run(["operation=coordinate"])
        #expect(unforced.issue("service_offline", node: "follower") != nil)
        #expect(unforced.nodes["follower"]?["status"] as? String == "offline")
        #expect(unforced.step("coordinated_restart.restart", "follower")?["status"] as? String == "skipped")
        #expect(bed.state("follower", "restarts") ?? "0" == "0")

        let forced = try await run(["operation=coordinate", "force=true"])
        #expect(bed.state("follower", "restarts") == "1")
        #expect(bed.state("follower", "service") == "active")
        #expect(forced.nodes["follower"]?["status"] as? String == "online")
    }

    @Test func aFailedSyncTypeIsAPartialSyncThatSaysWhich() async throws {
        try await bed.reset()
        try await bed.set("follower", "sync-fails", "mempool")
        let result = try await run(["operation=sync", "sync_type=mempool"])
        let issue = try #require(result.issue("partial", node: "follower"), "issues: \(result.issues)")
        #expect((issue["stderr_tail"] as? String)?.contains("sync mempool failed") == true)
        #expect(result.json["sync_result"] as? String == "partial")
        #expect(result.step("sync_mempool", "genesis")?["status"] as? String == "succeeded")
    }

    @Test func aTimeoutStopsTheRunPromptlyAndSuggestsMoreTime() async throws {
        try await bed.reset()
        try await bed.set("follower", "hang", "chain")
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(["operation=status", "timeout=4s"])
        #expect(clock.now - start < .seconds(30))
        let issue = try #require(result.issue("timeout"), "issues: \(result.issues)")
        #expect((issue["hint"] as? String)?.contains("timeout") == true)
        #expect((result.json["recommendations"] as? [String])?.contains { $0.lowercased().contains("timeout") } == true)
        #expect(result.json["validation_status"] as? String == "failed")
        // The hanging CLI on the node (sshd runs on this machine) is gone too.
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: "300").isEmpty })
    }

    @Test func aGitConflictAsksForManualResolution() async throws {
        try await bed.reset()
        try await bed.set("follower", "git-diverge")
        let result = try await run(["operation=sync", "sync_type=git"])
        let issue = try #require(result.issue("git_conflict", node: "follower"), "issues: \(result.issues)")
        #expect((issue["hint"] as? String)?.contains("by hand") == true)
        #expect(result.step("git_pull", "genesis")?["status"] as? String == "succeeded")
    }

    @Test func aP2PDisconnectionIsANetworkError() async throws {
        try await bed.reset()
        try await bed.set("genesis", "peers", "0")
        let result = try await run(["operation=status"])
        let issue = try #require(result.issue("network", node: "genesis"), "issues: \(result.issues)")
        #expect((issue["hint"] as? String)?.contains("7070") == true)
        #expect(result.nodes["genesis"]?["status"] as? String == "degraded")
    }

    @Test func aFailedRestartCarriesTheServiceLog() async throws {
        try await bed.reset()
        try await bed.set("follower", "restart-fails", "on")
        let result = try await run(["operation=coordinate", "force=true", "target_node=follower"])
        let issue = try #require(result.issue("service", node: "follower"), "issues: \(result.issues)")
        #expect((issue["stderr_tail"] as? String)?.contains("failed to bind p2p port") == true)
        #expect((issue["hint"] as? String)?.contains("journalctl") == true)
    }

    @Test func anUnreachableNodeIsClassified() async throws {
        try await bed.reset()
        let inventory = try bed.inventory(
            node: "follower", replacing: "IdentitiesOnly: \"yes\"", with: "IdentitiesOnly: \"yes\"\n      AddressFamily: inet6")
        let result = try await run(["operation=status"], inventory: inventory)
        #expect(result.issue("unreachable", node: "follower") != nil, "issues: \(result.issues)")
    }

    @Test func anInvalidTargetNodeIsAValidationErrorWithTheValidNames() async throws {
        let output = try await BinaryRunner.run(["run", "node-coordinator", "--inventory", bed.inventory, "-i", "operation=status", "-i", "target_node=folower"])
        #expect(output.exitCode == 65)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("did you mean 'follower'?"), "stderr: \(output.stderr)")
        #expect(output.stderr.contains("genesis") && output.stderr.contains("all"))
    }

    @Test func permissionDeniedIsClassified() async throws {
        try await bed.reset()
        try await bed.set("follower", "permission-denied", "on")
        let result = try await run(["operation=status"])
        #expect(result.issue("permission", node: "follower") != nil, "issues: \(result.issues)")
    }

    @Test func aCLIFailureCarriesItsStderr() async throws {
        try await bed.reset()
        try await bed.set("follower", "fail-mode", "aitbc-cli: database is locked")
        let result = try await run(["operation=status"])
        let issue = try #require(result.issue("command", node: "follower"), "issues: \(result.issues)")
        #expect((issue["stderr_tail"] as? String)?.contains("database is locked") == true)
    }

    @Test func partialSuccessListsWhatWorkedAndWhatFailed() async throws {
        try await bed.reset()
        try await bed.set("follower", "fail-mode", "aitbc-cli: database is locked")
        let result = try await run(["operation=status"])
        #expect(result.json["validation_status"] as? String == "partial")
        #expect(result.exitCode == 1)
        #expect(result.step("mempool", "genesis")?["status"] as? String == "succeeded")
        #expect(result.step("mempool", "follower")?["status"] as? String == "failed")
        #expect(result.nodes["genesis"]?["status"] as? String == "online")
        #expect(result.nodes["follower"]?["status"] as? String == "degraded")
    }

    // MARK: Dry-run

    @Test(arguments: ["status", "sync", "message", "coordinate", "health"])
    func everyOperationAndTargetDryRuns(_ operation: String) async throws {
        for target in ["genesis", "follower", "all"] {
            let output = try await BinaryRunner.run([
                "run", "node-coordinator", "--dry-run", "-q", "-i", "operation=\(operation)", "-i", "target_node=\(target)",
                "-i", "message=hi",
            ])
            #expect(output.exitCode == 0, "\(operation) \(target): \(output.stderr)")
            #expect(output.stdout.contains("nothing was executed"))
        }
    }

    @Test func aSyncDryRunShowsTheRestartGuardedUnlessForced() async throws {
        func restart(_ force: String) async throws -> [[String: Any]] {
            let output = try await BinaryRunner.run([
                "run", "node-coordinator", "--dry-run", "--format", "json", "-q", "-i", "operation=sync", "-i", "force=\(force)",
            ])
            #expect(output.exitCode == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            return (json["steps"] as? [[String: Any]] ?? []).filter { $0["id"] as? String == "restart" }
        }
        let guarded = try await restart("false")
        #expect(guarded.count == 2)
        #expect(guarded.allSatisfy { $0["status"] as? String == "skipped" })
        #expect(guarded.allSatisfy { ($0["reason"] as? String)?.contains("destructive") == true })
        let forced = try await restart("true")
        #expect(forced.allSatisfy { $0["status"] as? String == "planned" })
        #expect(forced.allSatisfy { ($0["command"] as? String)?.contains("restart aitbc-blockchain-node") == true })
    }
}
