import Foundation
import PlanTestSupport
import Testing

/// Issue 15 over SSH, against a private sshd on 127.0.0.1 (its sessions are processes of this machine, so
/// what runs "remotely" is visible in /proc too): secrets, host keys, faults. Each fault ends in a classified
/// result, and nothing stays running on either side.
@Suite(.serialized)
struct SSHFaultTests {
    private func plan(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-sshfault-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func node(_ server: SSHServer, knownHosts: String? = nil, options extra: String = "") -> String {
        let s = server.settings()
        let known = knownHosts ?? server.knownHosts
        return "{ transport: ssh, host: \(s.host), port: \(s.port ?? 22), user: \(s.user ?? "root"), identity_file: \"\(s.identityFile ?? "")\", ssh_options: { UserKnownHostsFile: \"\(known)\", GlobalKnownHostsFile: /dev/null\(extra) } }"
    }

    private func result(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "stdout: \(text)")
    }

    private func commandLines(containing text: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard Int32(name) != nil, let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self)
            return line.contains(text) ? "\(name): \(line)" : nil
        }
    }

    @Test func aSecretReachesARemoteCommandThroughStdinNeverACommandLine() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let marker = ProcessProbe.marker(161)
        let secret = "s3cr3t 'q' \"d\" \\ é \(UUID().uuidString)\nline2\n"
        // The "remote" command runs on this machine: it writes what it got where the test can read it.
        let copy = NSTemporaryDirectory() + "planrun-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let path = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true } }
            inventory: { nodes: { web: \(node(server)) } }
            operations:
              main:
                execute:
                  - { id: wait, run: "printf '%s' ${{ inputs.token }} > \(copy); sleep \(marker) || true" }
            """)
        let stdin = String(data: try JSONSerialization.data(withJSONObject: ["token": secret]), encoding: .utf8)!
        let run = try BinaryRunner.start(["run", path, "--inputs", "-", "--quiet"], stdin: stdin)
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        #expect(commandLines(containing: "s3cr3t").isEmpty, "\(commandLines(containing: "s3cr3t"))")
        #expect(!commandLines(containing: "PLANRUN_SECRET_1").isEmpty, "the remote command names the variable")
        for pid in ProcessProbe.pids(withArgument: marker) { kill(pid, SIGTERM) }
        let done = await run.wait(timeout: 30)
        #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
        #expect(FileManager.default.contents(atPath: copy) == Data(secret.utf8), "the command got the exact bytes")
        #expect(!done.stdout.contains("s3cr3t"))
    }

    @Test func aChangedHostKeyIsHostKeyWithAHintThatKeepsCheckingOn() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let other = try SSHServer.start()
        defer { other.stop() }
        // known_hosts holds the other server's key for this server's address: a changed host key.
        let wrongKnown = NSTemporaryDirectory() + "planrun-known-\(UUID().uuidString)"
        let otherKey = try String(contentsOfFile: other.knownHosts, encoding: .utf8)
            .replacingOccurrences(of: "]:\(other.port)", with: "]:\(server.port)")
        try otherKey.write(toFile: wrongKnown, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: wrongKnown) }
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { web: \(node(server, knownHosts: wrongKnown, options: ", StrictHostKeyChecking: \"yes\"")) } }
            operations: { main: { execute: [{ id: a, run: "true" }] } }
            """)
        let run = try await BinaryRunner.run(["run", path, "--quiet"])
        #expect(run.exitCode == 2)
        let issue = (try result(run.stdout)["issues"] as? [[String: Any]])?.first ?? [:]
        #expect(issue["kind"] as? String == "host_key", "\(issue)")
        let hint = issue["hint"] as? String ?? ""
        #expect(hint.contains("known_hosts"), "\(hint)")
        #expect(!hint.contains("StrictHostKeyChecking") && !hint.lowercased().contains("no-check"), "\(hint)")
    }

    @Test func aNodeStoppedMidCommandIsAConnectionFailure() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let marker = ProcessProbe.marker(162)
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { web: \(node(server)) } }
            operations: { main: { execute: [{ id: a, run: "sleep \(marker)", timeout: 60s }] } }
            """)
        let run = try BinaryRunner.start(["run", path, "--quiet"])
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        // The node goes away: sshd and every session it serves, as when the machine halts.
        server.halt()
        let done = await run.wait(timeout: 60)
        print(done.stdout)
        #expect(done.status == 2, "\(done.stderr)")
        let issue = (try result(done.stdout)["issues"] as? [[String: Any]])?.first ?? [:]
        #expect(issue["kind"] as? String == "connection", "\(issue)")
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: marker).isEmpty })
        // No ssh client of this run is left (its master included): none names this node's port.
        #expect(await ProcessProbe.wait(upTo: 10) { commandLines(containing: "\u{0}-p\u{0}\(server.port)\u{0}").isEmpty })
    }

    @Test func aNodeThatAcceptsTCPAndNeverSpeaksIsAConnectionFailure() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        // A listener that never accepts: the kernel completes the TCP handshake from its backlog, and
        // nothing ever sends an SSH banner.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let silent = node(server, options: ", ConnectTimeout: \"2\"").replacingOccurrences(of: "port: \(server.port)", with: "port: \(port)")
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { mute: \(silent) } }
            operations: { main: { execute: [{ id: a, run: "true", timeout: 5s }] } }
            """)
        let done = try await BinaryRunner.run(["run", path, "--quiet"], timeout: 60)
        print(done.stdout)
        #expect(done.exitCode == 2, "\(done.stderr)")
        let issue = (try result(done.stdout)["issues"] as? [[String: Any]])?.first ?? [:]
        #expect(issue["kind"] as? String == "connection", "\(issue)")
        #expect(await ProcessProbe.wait(upTo: 10) { commandLines(containing: "\u{0}-p\u{0}\(port)\u{0}").isEmpty })
    }

    @Test func sshdKilledMidConnectionIsAConnectionFailure() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let marker = ProcessProbe.marker(163)
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { web: \(node(server)) } }
            operations:
              main:
                execute:
                  - { id: first, run: "sleep \(marker)", timeout: 60s }
            """)
        let run = try BinaryRunner.start(["run", path, "--quiet"])
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        // sshd's per-connection process dies mid-command; the remote wrapper sees its stdin end and stops the
        // command.
        server.killConnections()
        let done = await run.wait(timeout: 60)
        print(done.stdout)
        let issue = (try result(done.stdout)["issues"] as? [[String: Any]])?.first ?? [:]
        #expect(issue["kind"] as? String == "connection", "\(issue)")
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: marker).isEmpty })
    }

    /// A partition: the node lives in its own network namespace and its link is cut mid-command. Nothing
    /// answers and nothing is refused; the run still ends, classified, and no ssh of it stays.
    @Test func aPartitionMidCommandIsAConnectionFailure() async throws {
        let partition = try NetworkPartition()
        defer { partition.remove() }
        let server = try SSHServer.start(namespace: partition.namespace, address: partition.nodeAddress)
        defer { server.halt() }
        let marker = ProcessProbe.marker(164)
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { far: \(node(server, options: ", ConnectTimeout: \"3\"")) } }
            operations: { main: { execute: [{ id: a, run: "sleep \(marker)", timeout: 6s }] } }
            """)
        let run = try BinaryRunner.start(["run", path, "--quiet"])
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        // Cut well within the step's timeout: a command whose timeout ends it before the cut is a timeout (a
        // 2 s timeout lost that race under load).
        partition.cut()
        let done = await run.wait(timeout: 90)
        print(done.stdout)
        #expect(!done.timedOut)
        #expect(done.status == 2, "\(done.stderr)")
        let issue = (try result(done.stdout)["issues"] as? [[String: Any]])?.first ?? [:]
        #expect(issue["kind"] as? String == "connection", "\(issue)")
        // The remote side ended the command at its timeout, unseen; this side left no ssh behind.
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: marker).isEmpty })
        #expect(await ProcessProbe.wait(upTo: 10) { commandLines(containing: "\u{0}\(partition.nodeAddress)\u{0}").isEmpty })
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func anInterruptOverSSHClosesTheMaster(signal: Int32) async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let marker = ProcessProbe.marker(165)
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { web: \(node(server)) } }
            operations: { main: { execute: [{ id: a, run: "sleep \(marker)", timeout: 60s }] } }
            """)
        let run = try BinaryRunner.start(["run", path, "--quiet"])
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        run.signal(signal)
        let done = await run.wait(timeout: 30)
        #expect(done.status == 130, "\(done.stderr)")
        // The master's TCP connection is gone at once, not after ControlPersist.
        #expect(await ProcessProbe.wait(upTo: 5) { server.connections() == 0 })
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: marker).isEmpty })
    }
}
