import Foundation
import PlanTestSupport
import Testing

/// `planrun mcp` driven by a real MCP client that nobody here wrote: the `mcp` package from PyPI, through
/// `Tests/MCPClient/mcp_client.py`, over stdio. CI installs the package (`.ci/run`); a missing one fails.
@Suite(.serialized)
final class MCPClientTests {
    static let script = SchemaCheck.packageRoot + "/Tests/MCPClient/mcp_client.py"
    /// The run store of this test's server (`PLANRUN_STATE`), so no test writes into `$HOME`.
    let state = NSTemporaryDirectory() + "planrun-mcp-state-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: state) }

    struct Report {
        var json: [String: Any]
        var stderr: String

        var tools: [[String: Any]] { json["tools"] as? [[String: Any]] ?? [] }
        func tool(_ name: String) -> [String: Any]? { tools.first { $0["name"] as? String == name } }
        var isError: Bool? { json["isError"] as? Bool }
        var structured: [String: Any]? { json["structuredContent"] as? [String: Any] }
        var text: String { (json["text"] as? [String])?.joined(separator: "\n") ?? "" }
        var progress: [String] { (json["progress"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String } }
        var steps: [[String: Any]] { structured?["steps"] as? [[String: Any]] ?? [] }
    }

    /// Runs one scenario of the client against `planrun mcp server…` (in the package root) and returns its report.
    func client(_ scenario: [String], server: [String], timeout: Double = 240) async throws -> Report {
        var environment = ProcessInfo.processInfo.environment
        environment["PLANRUN_STATE"] = state
        let child = try ChildProcess(
            "/usr/bin/env", ["python3", Self.script] + scenario + ["--", BinaryRunner.binaryPath, "mcp"] + server,
            workingDirectory: SchemaCheck.packageRoot, environment: environment)
        let result = await child.wait(timeout: timeout)
        #expect(!result.timedOut)
        #expect(result.status == 0, "client failed: \(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            "no report on stdout: \(result.stdout)\nstderr: \(result.stderr)")
        return Report(json: json, stderr: result.stderr)
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    // MARK: Listing

    @Test func everyOperationIsAToolWithValidSchemasAndTruthfulAnnotations() async throws {
        let report = try await client(["list"], server: ["plans"])
        let names = report.tools.compactMap { $0["name"] as? String }
        #expect(names == [
            "collect-logs.collect", "health-report.report", "rolling-restart.restart",
            "local-health.check", "node-coordinator.status", "node-coordinator.sync", "node-coordinator.message",
            "node-coordinator.coordinate", "node-coordinator.health",
        ])
        for tool in report.tools {
            #expect(tool["inputSchemaProblem"] is NSNull, "\(tool["name"]!): \(tool["inputSchemaProblem"]!)")
            #expect(tool["outputSchemaProblem"] is NSNull, "\(tool["name"]!): \(tool["outputSchemaProblem"]!)")
        }
        // A destructive step inside a group makes its operation destructive too.
        let rollout = try #require(report.tool("rolling-restart.restart")?["annotations"] as? [String: Any])
        #expect(rollout["destructiveHint"] as? Bool == true)
        for (name, destructive) in [("status", false), ("sync", true), ("coordinate", true), ("health", false)] {
            let annotations = try #require(report.tool("node-coordinator.\(name)")?["annotations"] as? [String: Any])
            #expect(annotations["readOnlyHint"] as? Bool == !destructive, "\(name)")
            #expect(annotations["destructiveHint"] as? Bool == destructive, "\(name)")
        }
        let coordinate = try #require(report.tool("node-coordinator.coordinate")?["description"] as? String)
        #expect(coordinate.contains("coordinated_restart"))
        #expect(coordinate.contains("${{ inputs.force }}"))

        let status = try #require(report.tool("node-coordinator.status"))
        let input = try #require(status["inputSchema"] as? [String: Any])
        let properties = try #require(input["properties"] as? [String: [String: Any]])
        #expect(Set(properties.keys) == ["target_node", "message", "sync_type", "timeout", "force", "verify", "dry_run"])
        #expect(properties["target_node"]?["enum"] as? [String] == ["genesis", "follower", "all"])
        #expect(properties["target_node"]?["default"] as? String == "all")
        #expect(properties["sync_type"]?["enum"] as? [String] == ["blockchain", "mempool", "configuration", "git", "all"])
        #expect(properties["force"]?["type"] as? String == "boolean")
        #expect(properties["force"]?["default"] as? Bool == false)
        #expect((properties["force"]?["description"] as? String)?.contains("Allow service restarts") == true)
        let timeout = try #require(properties["timeout"])
        #expect(timeout["default"] as? Int == 60)
        let branches = try #require(timeout["anyOf"] as? [[String: Any]])
        #expect(branches.contains { $0["type"] as? String == "string" && $0["pattern"] != nil })
        #expect(branches.contains { $0["type"] as? String == "number" && $0["maximum"] as? Int == 120 })
        #expect(properties["dry_run"]?["type"] as? String == "boolean")
        #expect(input["additionalProperties"] as? Bool == false)

        let output = try #require(status["outputSchema"] as? [String: Any])
        let outputProperties = try #require(output["properties"] as? [String: Any])
        for key in ["summary", "nodes_status", "sync_result", "operation", "issues", "steps", "validation_status"] {
            #expect(outputProperties[key] != nil, "\(key)")
        }
    }

    @Test func nodeInputsAreOfferedAsTheInventorysNodesAndGroups() async throws {
        let directory = try Self.fixtures(["fleet.yaml": """
            planrun: 1
            inventory:
              nodes: { web1: { transport: local }, web2: { transport: local } }
              groups: { web: [web1, web2] }
            inputs:
              where: { type: node, default: web }
            operations:
              ping:
                execute:
                  - { id: ping, target: "${{ inputs.where }}", run: "true" }
            """])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inventory = directory + "/extra-inventory.yaml"
        try "nodes:\n  db1: { transport: local }\n".write(toFile: inventory, atomically: true, encoding: .utf8)
        let report = try await client(["list"], server: [directory + "/plans", "--inventory", inventory])
        let schema = try #require(report.tool("fleet.ping")?["inputSchema"] as? [String: Any])
        let property = try #require((schema["properties"] as? [String: [String: Any]])?["where"])
        #expect(property["enum"] as? [String] == ["web1", "web2", "db1", "web"])
        #expect(report.tool("fleet.ping")?["inputSchemaProblem"] is NSNull)
    }

    // MARK: Calls on the test bed

    @Test func statusOnTheTestBedReturnsAResultValidAgainstTheSchemas() async throws {
        let bed = try await Testbed.up()
        defer { bed.down() }
        let report = try await client(
            ["call", "--tool", "node-coordinator.status", "--args", #"{"target_node": "all"}"#],
            server: ["plans", "--inventory", bed.inventory])
        #expect(report.json["clientError"] == nil, "the client rejected the result: \(report.json["clientError"]!)")
        #expect(report.isError == false)
        let structured = try #require(report.structured)
        #expect(structured["validation_status"] as? String == "success")
        #expect(structured["operation"] as? String == "status")
        let document = try Self.json(structured)
        for schema in ["schemas/result.schema.json", "schemas/node-coordinator.result.schema.json"] {
            let problems = try await SchemaCheck.problems(document, schema: schema)
            #expect(problems == nil, "\(schema): \(problems ?? "")")
        }
        // The text content is the same document, for clients that read only text.
        let text = try #require(try JSONSerialization.jsonObject(with: Data(report.text.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: text).isEqual(to: structured))
        // One progress notification per finished step and node, as they finish.
        #expect(report.progress.count == report.steps.count)
        #expect(report.progress.contains("succeeded analyze/reach [follower]"))
    }

    @Test func anInputOutOfRangeIsAToolErrorNamingTheInput() async throws {
        let report = try await client(
            ["call", "--tool", "node-coordinator.status", "--args", #"{"timeout": 500}"#], server: ["plans"])
        #expect(report.isError == true)
        #expect(report.json["structuredContent"] is NSNull)
        #expect(report.text.contains("invalid inputs; nothing was run (planrun run would exit 65: invalid plan or inputs)"))
        #expect(report.text.contains("error: input 'timeout' is 8m20s, above the maximum of 2m [input.range]"))
        #expect(report.progress.isEmpty)
    }

    @Test func aDestructiveOperationWithoutForceSkipsItsGuardedSteps() async throws {
        let bed = try await Testbed.up()
        defer { bed.down() }
        let restartsBefore = (bed.state("genesis", "restarts"), bed.state("follower", "restarts"))
        let report = try await client(
            ["call", "--tool", "node-coordinator.coordinate", "--args", "{}"],
            server: ["plans", "--inventory", bed.inventory])
        #expect(report.json["clientError"] == nil)
        let restarts = report.steps.filter { $0["id"] as? String == "coordinated_restart.restart" }
        #expect(restarts.count == 2)
        for step in restarts {
            #expect(step["status"] as? String == "skipped")
            #expect((step["reason"] as? String)?.contains("destructive") == true, "\(step)")
        }
        #expect(report.progress.contains { $0.hasPrefix("skipped execute/coordinated_restart.restart [genesis]") })
        #expect((bed.state("genesis", "restarts"), bed.state("follower", "restarts")) == restartsBefore)
    }

    // MARK: Local calls

    static let fixturePlan = """
        planrun: 1
        name: fixture
        description: Local operations for the MCP tests
        inputs:
          token: { type: string, default: "", secret: true, description: A secret }
          marker: { type: string, default: "300" }
        operations:
          secret:
            execute:
              - id: echo
                run: echo said ${{ inputs.token }}
                capture: { said: { stdout: true } }
          fail:
            execute:
              - { id: broken, run: exit 3 }
          slow:
            execute:
              - { id: ready, run: echo ready }
              - id: wait
                run: sh -c 'sleep "$1" & sleep "$1"; wait' sh ${{ inputs.marker }}
                timeout: 600s
        output:
          said: ${{ nodes.local.said }}
        """

    @Test func secretsAreMaskedInTheResultAndTheProgress() async throws {
        let directory = try Self.fixtures(["fixture.yaml": Self.fixturePlan])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await client(
            ["call", "--tool", "fixture.secret", "--args", #"{"token": "hunter2-swordfish"}"#],
            server: [directory + "/plans"])
        #expect(report.isError == false)
        #expect(report.structured?["said"] as? String == "said ***")
        #expect(!String(describing: report.json).contains("hunter2-swordfish"))
        #expect(!report.stderr.contains("hunter2-swordfish"))
        // The run is in the run store, as planrun run would have recorded it, and its id in the result's _meta.
        let run = try #require((report.json["meta"] as? [String: Any])?["dev.planrun/run"] as? Int)
        let shown = try await BinaryRunner.run(["show", String(run), "--format", "json"], environment: ["PLANRUN_STATE": state])
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("fixture"))
        #expect(shown.stdout.contains("said ***"))
        #expect(!shown.stdout.contains("hunter2-swordfish"))
    }

    @Test func aFailedRunIsAToolErrorThatStillCarriesTheResult() async throws {
        let directory = try Self.fixtures(["fixture.yaml": Self.fixturePlan])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await client(["call", "--tool", "fixture.fail"], server: [directory + "/plans"])
        #expect(report.isError == true)
        #expect(report.structured?["validation_status"] as? String == "failed")
        #expect(report.steps.first?["exit_code"] as? Int == 3)
        let problems = try await SchemaCheck.problems(try Self.json(try #require(report.structured)), schema: "schemas/result.schema.json")
        #expect(problems == nil)
    }

    @Test func aDryRunReturnsTheDryRunDocumentAndStartsNothing() async throws {
        let report = try await client(
            ["call", "--tool", "node-coordinator.sync", "--args", #"{"dry_run": true, "sync_type": "configuration"}"#],
            server: ["plans"])
        #expect(report.json["clientError"] == nil)
        #expect(report.isError == false)
        #expect(report.structured?["dry_run"] as? Bool == true)
        #expect(report.json["meta"] is NSNull)  // a dry run is not recorded
        let commands = report.steps.filter { $0["status"] as? String == "planned" }
        #expect(!commands.isEmpty)
        #expect(report.steps.allSatisfy { ["planned", "skipped"].contains($0["status"] as? String ?? "") })
        // Without force, the destructive configuration sync is held back by the guard, even in the preview.
        #expect(report.steps.contains { $0["status"] as? String == "skipped" && ($0["reason"] as? String)?.contains("destructive") == true })
    }

    @Test func cancellingACallStopsItsCommandsAndLeavesNothingBehind() async throws {
        let directory = try Self.fixtures(["fixture.yaml": Self.fixturePlan])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = ProcessProbe.marker(16)
        let report = try await client(
            ["cancel", "--tool", "fixture.slow", "--args", #"{"marker": "\#(marker)"}"#, "--marker", marker],
            server: [directory + "/plans"])
        #expect(report.json["completed"] as? Bool == false)
        // The step's inner shell and its two sleeps, each with the marker as an argument.
        #expect((report.json["runningBefore"] as? [Int])?.count == 3)
        #expect(report.json["survivors"] as? [Int] == [])
        #expect(report.json["ping"] as? Bool == true)
        #expect(report.stderr.contains("cancelled by the client; stopping its commands"))
        #expect(ProcessProbe.pids(withArgument: marker).isEmpty)
    }

    @Test func sigtermStopsRunningCallsBeforeTheServerExits() async throws {
        let directory = try Self.fixtures(["fixture.yaml": Self.fixturePlan])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (marker, hold) = (ProcessProbe.marker(17), ProcessProbe.marker(18))
        let call = #"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fixture.slow", "arguments": {"marker": "\#(marker)"}}}"#
        try (call + "\n").write(toFile: directory + "/calls", atomically: true, encoding: .utf8)
        // The server's stdin stays open (a `sleep` holds the pipe) while the call runs; the shell leaves at once.
        let script = #"(cat "$1"; exec sleep "$2") | "$3" mcp "$4" > "$5" 2>&1 & echo $! > "$6""#
        let shell = try await ChildProcess("/bin/sh", ["-c", script, "sh", directory + "/calls", hold, BinaryRunner.binaryPath,
            directory + "/plans", directory + "/out", directory + "/pid"]).wait(timeout: 30)
        #expect(shell.status == 0)
        defer { for pid in ProcessProbe.pids(withArgument: hold) { kill(pid, SIGKILL) } }
        let server = try #require(Int32(try String(contentsOfFile: directory + "/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await ProcessProbe.wait(upTo: 30) { ProcessProbe.pids(withArgument: marker).count == 3 })
        kill(server, SIGTERM)
        #expect(await ProcessProbe.wait(upTo: 15) { kill(server, 0) != 0 })
        #expect(ProcessProbe.pids(withArgument: marker).isEmpty)
        let log = try String(contentsOfFile: directory + "/out", encoding: .utf8)
        #expect(log.contains("planrun mcp: serving 3 tools"))
        #expect(!log.contains(#""id":1"#), "a stopped call gets no response: \(log)")
    }

    // MARK: Plans on disk

    @Test func invalidPlansAreNotOfferedAndAChangedFileIsNotifiedAndReadAgain() async throws {
        let good = """
            planrun: 1
            name: good
            operations:
              one:
                execute:
                  - { id: a, run: "true" }
            """
        let directory = try Self.fixtures([
            "good.yaml": good,
            "bad.yaml": "planrun: 1\nname: bad\noperations:\n  one:\n    execute:\n      - { id: a, run: \"true\", timout: 5s }\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let changed = directory + "/changed.yaml"
        try (good + "\n  two:\n    execute:\n      - { id: b, run: \"true\" }\n").write(toFile: changed, atomically: true, encoding: .utf8)
        let report = try await client(
            ["reload", "--file", directory + "/plans/good.yaml", "--content", changed], server: [directory + "/plans"])
        #expect(report.json["before"] as? [String] == ["good.one"])
        #expect(report.json["listChangedNotified"] as? Bool == true)
        #expect(report.json["after"] as? [String] == ["good.one", "good.two"])
        #expect(report.stderr.contains("not offering \(directory)/plans/bad.yaml: it is not a valid plan"))
        #expect(report.stderr.contains("[plan.unknown-key]"))
    }

    /// A fresh directory with `plans/NAME` files; the caller removes it.
    static func fixtures(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "planrun-mcp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/plans", withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: directory + "/plans/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }
}
