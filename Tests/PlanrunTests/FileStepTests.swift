import Foundation
import PlanTestSupport
import Testing

/// `copy`, `fetch` and `--diff` through the built binary on the two-node SSH test bed: large binary files,
/// templates with secrets, verify, timeouts, idempotence, permission problems.
@Suite(.serialized)
final class FileStepTests {
    let bed: Testbed
    /// Where each test's plan and its source files live.
    let work: String

    init() async throws {
        bed = try await Testbed.up()
        work = bed.directory + "/work"
        try FileManager.default.createDirectory(atPath: work + "/files", withIntermediateDirectories: true)
    }

    deinit { bed.down() }

    static let nodes = ["genesis", "follower"]

    func dataDirectory(_ node: String) -> String { "\(bed.directory)/nodes/\(node)/data" }

    /// Writes a one-operation plan (`execute:` given as YAML lines) and runs it on the bed.
    func run(_ steps: String, _ extra: [String] = [], timeout: Double = 120) async throws -> (BinaryRunner.Output, [String: Any]) {
        let plan = work + "/plan.yaml"
        let text = """
            planrun: 1
            inputs:
              token: { type: string, default: "hunter2-secret", secret: true }
            operations:
              deploy:
                execute:
            \(steps)
            """
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let output = try await BinaryRunner.run(
            ["run", plan, "--inventory", bed.inventory] + extra, in: work, timeout: timeout)
        #expect(!output.timedOut)
        if !extra.contains("text") {
            let problems = try await SchemaCheck.problems(output.stdout, schema: "schemas/result.schema.json")
            #expect(problems == nil, "\(problems ?? "")\nstdout: \(output.stdout)\nstderr: \(output.stderr)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? [:]
        return (output, json)
    }

    func records(_ json: [String: Any], _ id: String) -> [[String: Any]] {
        (json["steps"] as? [[String: Any]] ?? []).filter { $0["id"] as? String == id }
    }

    func issues(_ json: [String: Any]) -> [[String: Any]] { json["issues"] as? [[String: Any]] ?? [] }


    /// A file of random bytes (NULs included) made by `head -c` from /dev/urandom.
    func makeBinary(_ path: String, megabytes: Int) throws {
        let status = SSHServer.runAndWait("/bin/sh", ["-c", "head -c \(megabytes << 20) /dev/urandom > '\(path)'"])
        #expect(status == 0)
    }

    /// Temporary names a copy or fetch could have left in `directory`.
    func leftovers(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".planrun-") }
    }

    @Test func aFiftyMegabyteBinaryFileReachesBothNodesOnceAndComesBack() async throws {
        try makeBinary(work + "/files/big.bin", megabytes: 50)
        let expected = FileChecks.sha256(work + "/files/big.bin")
        let steps = """
                  - id: push
                    target: [genesis, follower]
                    copy: { src: files/big.bin, dest: "${{ node.vars.data_dir }}/big.bin", mode: "0600" }
                    timeout: 100s
                  - id: pull
                    target: [genesis, follower]
                    fetch: { src: "${{ node.vars.data_dir }}/big.bin", dest: "out/${{ node.name }}/big.bin" }
                    timeout: 100s
            """
        let (first, json) = try await run(steps, ["-q"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        // Streamed: planrun never holds the file (50 MB) in memory.
        #expect(first.peakMemoryKB < 40 * 1024, "peak RSS \(first.peakMemoryKB) KB")
        for node in Self.nodes {
            #expect(FileChecks.sha256(dataDirectory(node) + "/big.bin") == expected)
            #expect(FileChecks.sha256(work + "/out/\(node)/big.bin") == expected)
            let mode = try FileManager.default.attributesOfItem(atPath: dataDirectory(node) + "/big.bin")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(leftovers(dataDirectory(node)).isEmpty)
            #expect(leftovers(work + "/out/\(node)").isEmpty)
        }
        #expect(records(json, "push").map { $0["changed"] as? Bool } == [true, true])
        #expect(records(json, "pull").map { $0["changed"] as? Bool } == [true, true])

        // The same run again changes nothing, on every node, and writes nothing.
        let before = Self.nodes.map { try? FileManager.default.attributesOfItem(atPath: dataDirectory($0) + "/big.bin")[.modificationDate] as? Date }
        let (second, again) = try await run(steps, ["-q"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(records(again, "push").map { $0["changed"] as? Bool } == [false, false])
        #expect(records(again, "pull").map { $0["changed"] as? Bool } == [false, false])
        let after = Self.nodes.map { try? FileManager.default.attributesOfItem(atPath: dataDirectory($0) + "/big.bin")[.modificationDate] as? Date }
        #expect(before == after)
    }

    @Test func aTemplateWithASecretIsMaskedInTheDiffAndTheRecord() async throws {
        try "port ${{ node.vars.p2p_port }}\ntoken ${{ inputs.token }}\nname ${{ node.name }}\n"
            .write(toFile: work + "/files/app.conf.tmpl", atomically: true, encoding: .utf8)
        for node in Self.nodes {
            try "port 1\ntoken old\nname \(node)\n".write(toFile: dataDirectory(node) + "/app.conf", atomically: true, encoding: .utf8)
        }
        let steps = """
                  - id: config
                    target: [genesis, follower]
                    copy:
                      src: files/app.conf.tmpl
                      template: true
                      dest: "${{ node.vars.data_dir }}/app.conf"
                      backup: true
                      verify: grep -q '^port [0-9]' {path}
            """
        // A dry-run with --diff reads both nodes and writes nothing.
        let (dry, _) = try await run(steps, ["--dry-run", "--diff", "--format", "text", "-q"])
        #expect(dry.exitCode == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("      -token old\n      +port 7070\n      +token ***\n"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("hunter2"))
        for node in Self.nodes {
            #expect(try String(contentsOfFile: dataDirectory(node) + "/app.conf", encoding: .utf8) == "port 1\ntoken old\nname \(node)\n")
        }

        let (output, json) = try await run(steps, ["--diff"])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(!output.stdout.contains("hunter2") && !output.stderr.contains("hunter2"))
        #expect(output.stderr.contains("+token ***"))
        for record in records(json, "config") {
            #expect(record["changed"] as? Bool == true)
            #expect((record["diff"] as? String)?.contains("-token old\n+port 7070\n+token ***\n") == true, "\(record)")
        }
        for node in Self.nodes {
            let content = try String(contentsOfFile: dataDirectory(node) + "/app.conf", encoding: .utf8)
            #expect(content.contains("token hunter2-secret\nname \(node)\n"))
            let backups = try FileManager.default.contentsOfDirectory(atPath: dataDirectory(node)).filter { $0.hasPrefix("app.conf.planrun-") }
            #expect(backups.count == 1)
            #expect(try String(contentsOfFile: dataDirectory(node) + "/" + backups[0], encoding: .utf8).contains("token old"))
        }
    }

    @Test func aFailingVerifyLeavesTheOldFileAndSaysWhy() async throws {
        for node in Self.nodes {
            try "good\n".write(toFile: dataDirectory(node) + "/site.conf", atomically: true, encoding: .utf8)
        }
        let (output, json) = try await run("""
                  - id: config
                    target: [genesis, follower]
                    copy:
                      content: "broken ${{ node.name }}\\n"
                      dest: "${{ node.vars.data_dir }}/site.conf"
                      verify: "grep -q good {path} || { echo 'syntax error in line 1' >&2; exit 4; }"
            """, ["-q"])
        #expect(output.exitCode == 2)
        for node in Self.nodes {
            #expect(try String(contentsOfFile: dataDirectory(node) + "/site.conf", encoding: .utf8) == "good\n")
            #expect(leftovers(dataDirectory(node)).isEmpty)
        }
        #expect(records(json, "config").map { $0["status"] as? String } == ["failed", "failed"])
        #expect(records(json, "config").map { $0["changed"] as? Bool } == [false, false])
        let issue = issues(json).first
        #expect((issue?["message"] as? String)?.contains("verify failed (exit status 4)") == true, "\(issues(json))")
        #expect((issue?["stderr_tail"] as? String)?.contains("syntax error in line 1") == true)
    }

    @Test func aTimeoutCutsASlowCopyAndLeavesNothingBehind() async throws {
        try makeBinary(work + "/files/big.bin", megabytes: 50)
        for node in Self.nodes {
            try "old\n".write(toFile: dataDirectory(node) + "/big.bin", atomically: true, encoding: .utf8)
        }
        // Cut while the bytes are on their way, then while verify runs on the complete new file.
        let (output, json) = try await run("""
                  - id: transfer
                    target: [genesis, follower]
                    copy: { src: files/big.bin, dest: "${{ node.vars.data_dir }}/big.bin" }
                    timeout: 100ms
                    on_error: continue
                  - id: slow_verify
                    target: [genesis, follower]
                    copy: { content: "new\\n", dest: "${{ node.vars.data_dir }}/big.bin", verify: "sleep \(ProcessProbe.marker(61)) # {path}" }
                    timeout: 1s
            """, ["-q"])
        #expect(output.exitCode == 2)
        #expect(Set(issues(json).compactMap { $0["kind"] as? String }) == ["timeout"], "\(issues(json))")
        for node in Self.nodes {
            #expect(try String(contentsOfFile: dataDirectory(node) + "/big.bin", encoding: .utf8) == "old\n")
            #expect(await ProcessProbe.wait(upTo: 5) { self.leftovers(self.dataDirectory(node)).isEmpty })
        }
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(61)).isEmpty })
    }

    @Test func aDestinationTheNodeCannotWriteIsAPermissionProblem() async throws {
        let (output, json) = try await run("""
                  - id: config
                    target: genesis
                    copy: { content: "x", dest: /sys/planrun-test.conf }
            """, ["-q"])
        #expect(output.exitCode == 2)
        let issue = issues(json).first
        #expect(issue?["kind"] as? String == "permission", "\(issues(json))")
        #expect((issue?["hint"] as? String)?.contains("cannot write /sys/planrun-test.conf") == true)
    }

    /// Tests run as root, so a copy can give the file to another user: owner and group by name, checked with
    /// stat; a second run changes nothing; an owner changed behind planrun's back is set again without
    /// rewriting the content (same inode).
    @Test func ownerAndGroupAreSetAndKeptIdempotent() async throws {
        let dest = dataDirectory("genesis") + "/owned.conf"
        let steps = """
                  - id: owned
                    target: genesis
                    copy: { content: "owned\\n", dest: "${{ node.vars.data_dir }}/owned.conf", mode: "0640", owner: nobody, group: nogroup }
            """
        func ownership() throws -> (user: Int, group: Int, mode: Int, inode: Int) {
            let attributes = try FileManager.default.attributesOfItem(atPath: dest)
            return ((attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1, (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1,
                    attributes[.posixPermissions] as? Int ?? -1, (attributes[.systemFileNumber] as? NSNumber)?.intValue ?? -1)
        }
        let (first, json) = try await run(steps, ["-q"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(records(json, "owned").map { $0["changed"] as? Bool } == [true])
        let made = try ownership()
        #expect(made.user == 65534 && made.group == 65534, "owner \(made.user):\(made.group), want nobody:nogroup")
        #expect(made.mode == 0o640)
        #expect(try String(contentsOfFile: dest, encoding: .utf8) == "owned\n")

        let (second, again) = try await run(steps, ["-q"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(records(again, "owned").map { $0["changed"] as? Bool } == [false])
        #expect(try ownership() == made)

        #expect(chown(dest, 0, 0) == 0)
        let (third, adjusted) = try await run(steps, ["-q"])
        #expect(third.exitCode == 0, "\(third.stderr)")
        #expect(records(adjusted, "owned").map { $0["changed"] as? Bool } == [true])
        #expect(try ownership() == made)
        #expect(leftovers(dataDirectory("genesis")).isEmpty)
    }

    /// The node's ControlMaster dies while a copy streams through it: the step fails as a connection problem,
    /// the old file stays, and no temporary file is left on the node.
    ///
    /// planrun is stopped (SIGSTOP) as soon as the temporary file shows on the node, so the transfer is
    /// surely under way, and stays so, when the master is killed; it is let go after.
    @Test func aControlMasterKilledMidCopyLeavesTheOldFile() async throws {
        let size = 100 << 20
        try makeBinary(work + "/files/cut.bin", megabytes: 100)
        let data = dataDirectory("genesis")
        try "old\n".write(toFile: data + "/cut.bin", atomically: true, encoding: .utf8)
        let plan = work + "/plan-cut.yaml"
        try """
            planrun: 1
            operations:
              deploy:
                execute:
                  - id: push
                    target: genesis
                    copy: { src: files/cut.bin, dest: "${{ node.vars.data_dir }}/cut.bin" }
                    timeout: 100s
            """.write(toFile: plan, atomically: true, encoding: .utf8)
        let run = try BinaryRunner.start(["run", plan, "--inventory", bed.inventory, "-q"], in: work)
        defer { kill(run.pid, SIGCONT) }

        // Looked for every 2 ms: the whole transfer takes a second or so.
        let clock = ContinuousClock()
        let end = clock.now + .seconds(60)
        while leftovers(data).isEmpty, clock.now < end { try await Task.sleep(for: .milliseconds(2)) }
        kill(run.pid, SIGSTOP)
        let temporary = try #require(leftovers(data).first, "no temporary file showed on the node")
        let arrived = (try? FileManager.default.attributesOfItem(atPath: data + "/" + temporary)[.size] as? Int) ?? 0
        #expect(arrived < size, "the copy was not under way: \(arrived) of \(size) bytes had arrived")
        let control = try #require(Self.controlDirectory(of: run.pid))
        let master = try #require(await Self.masterPID(in: control))
        kill(master, SIGKILL)
        kill(run.pid, SIGCONT)

        let done = await run.wait(timeout: 90)
        #expect(!done.timedOut)
        #expect(done.status == 2, "\(done.stderr)")
        let json = (try? JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any]) ?? [:]
        #expect(records(json, "push").map { $0["status"] as? String } == ["failed"])
        #expect(issues(json).map { $0["kind"] as? String } == ["connection"], "\(issues(json))\nstderr: \(done.stderr)")
        #expect(try String(contentsOfFile: data + "/cut.bin", encoding: .utf8) == "old\n")
        #expect(await ProcessProbe.wait(upTo: 10) { leftovers(data).isEmpty }, "\(leftovers(data))")
        // The node's side of the copy (the wrapper names the temporary file among its arguments) is gone too.
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: data + "/" + temporary).isEmpty })
    }

    /// The pid of the master listening on the (one) control socket in `control`.
    static func masterPID(in control: String) async throws -> Int32? {
        let sockets = try FileManager.default.contentsOfDirectory(atPath: control).filter { $0 != "owner" }
        guard sockets.count == 1 else { return nil }
        return try await ProcessProbe.sshMaster(controlPath: "\(control)/\(sockets[0])")
    }

    /// The control-socket directory (`/tmp/planrun-ssh-*`) whose owner file names the run `pid`.
    static func controlDirectory(of pid: Int32) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        return names.filter { $0.hasPrefix("planrun-ssh-") }.map { "/tmp/" + $0 }.first { directory in
            (try? String(contentsOfFile: directory + "/owner", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == String(pid)
        }
    }
}
