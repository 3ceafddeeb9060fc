import Foundation
import PlanTestSupport
import Testing

/// Issue 14 at test size, through the binary: many node aliases of one real sshd with a small connection
/// bound, and the open-file limit raised or respected. (`scripts/fleet-scale` runs 1,000 aliases.)
@Suite(.serialized)
struct FleetTests {
    private func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-fleet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func json(_ text: String) async throws -> [String: Any] {
        let problems = try await SchemaCheck.problems(text, schema: "schemas/result.schema.json")
        #expect(problems == nil, "result does not match schemas/result.schema.json: \(problems ?? "")")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func statuses(_ result: [String: Any]) -> [String] {
        (result["steps"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
    }

    /// An inventory of `count` aliases (`n1`…) of `server`.
    static func aliases(_ count: Int, of server: SSHServer) -> String {
        var text = "nodes:\n"
        for i in 1...count {
            text += "  n\(i): { host: 127.0.0.1, port: \(server.port), user: \(server.user), "
                + "identity_file: \(server.clientKey), ssh_options: { UserKnownHostsFile: \(server.knownHosts), "
                + "GlobalKnownHostsFile: /dev/null } }\n"
        }
        return text + "groups:\n  fleet: [" + (1...count).map { "n\($0)" }.joined(separator: ", ") + "]\n"
    }

    @Test func sixtyAliasesOfOneSSHDAllAnswerAndNothingStaysOpen() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let dir = try directory()
        try Self.aliases(60, of: server).write(toFile: dir + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            planrun: 1
            policy: { max_parallel: 30, max_connecting: 3 }
            operations:
              hello:
                execute:
                  - { id: hi, target: fleet, run: "echo hi from ${{ node.name }}", timeout: 20s, capture: { said: { stdout: true } } }
            output:
              answered: ${{ len(nodes.*.said) }}
            """.write(toFile: dir + "/plan.yaml", atomically: true, encoding: .utf8)
        let run = try await BinaryRunner.run(
            ["run", dir + "/plan.yaml", "--inventory", dir + "/inventory.yaml", "--quiet"], timeout: 120)
        #expect(run.exitCode == 0, "issues: \(run.stdout.prefix(3000))")
        let result = try await json(run.stdout)
        #expect(result["answered"] as? Int == 60)
        #expect(statuses(result) == Array(repeating: "succeeded", count: 60))
        // Every master was asked to exit: sshd's connections end with them.
        #expect(await ProcessProbe.wait(upTo: 10) { server.connections() == 0 }, "sshd still serves \(server.connections())")
    }

    /// Runs a plan of 30 local nodes, each holding its pipes for 0.2 s, all at once, under `ulimit`.
    private func thirtyAtOnce(ulimit: String) async throws -> (ChildProcess.Result, [String: Any]) {
        let dir = try directory()
        let nodes = (1...30).map { "l\($0)" }
        try """
            planrun: 1
            inventory:
              nodes: { \(nodes.map { "\($0): { transport: local }" }.joined(separator: ", ")) }
            policy: { max_parallel: 30 }
            operations:
              nap:
                execute:
                  - { id: nap, target: [\(nodes.joined(separator: ", "))], run: "sleep 0.2; echo done" }
            """.write(toFile: dir + "/plan.yaml", atomically: true, encoding: .utf8)
        let script = "ulimit \(ulimit) 40 && exec \"$0\" run \"$1\""
        let child = try ChildProcess(
            "/bin/sh", ["-c", script, BinaryRunner.binaryPath, dir + "/plan.yaml"], workingDirectory: nil, stdin: "",
            environment: ProcessInfo.processInfo.environment)
        let ended = await child.wait(timeout: 60)
        return (ended, try await json(ended.stdout))
    }

    @Test func theSoftOpenFileLimitIsRaisedToTheHardOne() async throws {
        // 30 commands at once need ~150 descriptors: under a soft limit of 40 they fit only once it is raised.
        let (run, result) = try await thirtyAtOnce(ulimit: "-Sn")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(statuses(result) == Array(repeating: "succeeded", count: 30))
        #expect(!run.stderr.contains("open-file limit"), "stderr: \(run.stderr)")
    }

    @Test func aLowHardOpenFileLimitBoundsWhatRunsAtOnce() async throws {
        // The hard limit cannot be raised: the run holds fewer commands at once and says so, none fails.
        let (run, result) = try await thirtyAtOnce(ulimit: "-n")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(statuses(result) == Array(repeating: "succeeded", count: 30))
        #expect(run.stderr.contains("note: the open-file limit (40) holds the run to max_parallel 1 and max_connecting 1"), "stderr: \(run.stderr)")
    }

    /// Each node's session holds descriptors for the whole run, so the open-file limit bounds how many nodes
    /// get one (a quarter of it, four each): under a hard limit of 64, two. The others are served as before
    /// sessions, by a master and a command each; every node answers and nothing stays open.
    @Test func aLowOpenFileLimitBoundsTheNodesWithASession() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let dir = try directory()
        try Self.aliases(12, of: server).write(toFile: dir + "/inventory.yaml", atomically: true, encoding: .utf8)
        // The sshd session a command runs in (field 6 of /proc/self/stat): one per node with a session.
        let sid = "awk '{print $6}' /proc/self/stat"
        try """
            planrun: 1
            operations:
              twice:
                execute:
                  - { id: first, target: fleet, run: "\(sid)", capture: { a: { stdout: true } } }
                  - { id: second, target: fleet, run: "\(sid)", capture: { b: { stdout: true } } }
            output:
              firsts: ${{ nodes.*.a }}
              seconds: ${{ nodes.*.b }}
            """.write(toFile: dir + "/plan.yaml", atomically: true, encoding: .utf8)
        let script = "ulimit -n 64 && exec \"$0\" run \"$1\" --inventory \"$2\" --quiet"
        let child = try ChildProcess(
            "/bin/sh", ["-c", script, BinaryRunner.binaryPath, dir + "/plan.yaml", dir + "/inventory.yaml"],
            workingDirectory: nil, stdin: "", environment: ProcessInfo.processInfo.environment)
        let run = await child.wait(timeout: 120)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout.prefix(2000))")
        let result = try await json(run.stdout)
        let firsts = result["firsts"] as? [String] ?? []
        let seconds = result["seconds"] as? [String] ?? []
        #expect(firsts.count == 12 && seconds.count == 12, "\(firsts) \(seconds)")
        #expect(zip(firsts, seconds).filter { $0 == $1 }.count == 2, "\(firsts) \(seconds)")
        #expect(await ProcessProbe.wait(upTo: 10) { server.connections() == 0 }, "sshd still serves \(server.connections())")
    }
}
