import Foundation
import PlanEngine
import PlanTestSupport
import Testing

/// The SSH transport against a private sshd on 127.0.0.1 (started per test, stopped by pid).
/// These tests fail, not skip, when sshd is missing.
@Suite(.serialized)
final class SSHTransportTests {
    let server: SSHServer
    let control: SSHControlDirectory
    var transports: [SSHTransport] = []

    init() throws {
        server = try SSHServer.start()
        control = try SSHControlDirectory.create()
    }

    deinit {
        // Masters first, so sshd's per-connection processes end with them. Synchronous on purpose: a
        // deinit must not wait for the cooperative pool.
        for (i, transport) in transports.enumerated() {
            SSHServer.closeMaster(transport.settings, controlDirectory: control.path, controlName: "t\(i)")
        }
        control.remove()
        server.stop()
    }

    func transport(_ settings: SSHSettings? = nil) -> SSHTransport {
        let transport = SSHTransport(
            node: "test", settings: settings ?? server.settings(), controlDirectory: control.path,
            controlName: "t\(transports.count)")
        transports.append(transport)
        return transport
    }

    func request(_ command: CommandRequest.Command, timeout: Double = 30, grace: Double = 1) -> CommandRequest {
        CommandRequest(command: command, timeout: timeout, grace: grace)
    }

    /// The control directory's sockets (its `owner` file, naming the run's process, is not one).
    var controlSockets: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: control.path)) ?? []).filter { $0 != "owner" }
    }

    @Test func echoOverTheMaster() async throws {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("echo hi")))
        #expect(outcome.succeeded)
        #expect(outcome.stdout == "hi\n")
        #expect(outcome.stderr == "")
        #expect(outcome.failure == nil)
    }

    @Test func exitStatusAndStderrComeBack() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("echo out; echo oops >&2; exit 7")))
        #expect(outcome.exitCode == 7)
        #expect(outcome.stdout == "out\n")
        #expect(outcome.stderr == "oops\n")
        #expect(outcome.failure == nil)
        #expect(!outcome.timedOut)
    }

    @Test func exit255FromTheCommandIsNotATransportFailure() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("echo 'no such thing' >&2; exit 255")))
        #expect(outcome.exitCode == 255)
        #expect(outcome.failure == nil)
    }

    @Test func aCommandExiting97IsItsOwnStatus() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("echo 'timeout' >&2; exit 97")))
        #expect(outcome.exitCode == 97)
        #expect(outcome.failure == nil)
    }

    /// No probe session at connect: the wrapper of each command finds a missing `timeout` and says so.
    @Test func aNodeWithoutTimeoutIsToldApart() async throws {
        let bin = try SSHServer.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: bin) }
        for tool in ["sh", "sleep", "rm", "cat"] {
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(tool)", withDestinationPath: "/bin/\(tool)")
        }
        let bare = try SSHServer.start(environment: ["PATH=\(bin)"])
        defer { bare.stop() }
        let node = SSHTransport(node: "bare", settings: bare.settings(), controlDirectory: control.path)
        defer { SSHServer.closeMaster(node.settings, controlDirectory: control.path) }
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("echo hi")))
        #expect(outcome.stdout == "")
        #expect(outcome.failure?.kind == .command)
        #expect(outcome.failure?.message == "node bare has no 'timeout' command, which planrun needs to stop remote commands")
    }

    @Test func remoteStdinIsDevNull() async {
        let node = transport()
        let outcome = await node.execute(request(.shell("cat; readlink /proc/self/fd/0"), timeout: 10))
        #expect(outcome.stdout == "/dev/null\n")
        #expect(!outcome.timedOut)
    }

    @Test func argvArrivesLiterally() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let marker = "/tmp/planrun-ssh-argv-\(getpid())"
        let hostile = [
            "a b", "$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"", "; touch \(marker)",
            "$HOME", "*", "line\nbreak", "",
        ]
        let outcome = await node.execute(request(.argv(["printf", "[%s]"] + hostile)))
        #expect(outcome.succeeded)
        #expect(outcome.stdout == hostile.map { "[\($0)]" }.joined())
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func twentyCommandsShareOneConnection() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        #expect(controlSockets.count == 1)
        // SSH_CLIENT names the client's source port: one port means one TCP connection.
        var clients = Set<String>()
        for _ in 0..<20 {
            let outcome = await node.execute(request(.shell("echo \"$SSH_CLIENT\"")))
            #expect(outcome.succeeded)
            clients.insert(outcome.stdout)
        }
        #expect(clients.count == 1)
        #expect(controlSockets.count == 1)
    }

    @Test func wrongKeyIsAnAuthenticationFailure() async {
        let node = transport(server.settings(identity: server.wrongKey))
        let failure = await node.connect(timeout: 5)
        #expect(failure?.kind == .authentication)
        #expect(failure?.message.contains("Permission denied") == true)
    }

    @Test func unknownHostKeyIsAHostKeyFailure() async {
        var settings = server.settings()
        settings.options = [.init(name: "UserKnownHostsFile", value: "/dev/null"), .init(name: "GlobalKnownHostsFile", value: "/dev/null")]
        let failure = await transport(settings).connect(timeout: 5)
        #expect(failure?.kind == .hostKey)
        #expect(failure?.message.contains("Host key verification failed") == true)
    }

    @Test func closedPortIsAConnectionFailure() async {
        var settings = server.settings()
        settings.port = SSHServer.freePort()
        let node = transport(settings)
        let failure = await node.connect(timeout: 5)
        #expect(failure?.kind == .connection)
        #expect(failure?.message.contains("Connection refused") == true)
        // A command on that node fails the same way, as a transport failure.
        let outcome = await node.execute(request(.shell("true")))
        #expect(outcome.failure?.kind == .connection)
        #expect(outcome.exitCode == 255)
    }

    @Test func unresolvableHostIsUnreachable() async {
        let failure = await transport(SSHSettings(host: "planrun-no-such-host.invalid")).connect(timeout: 5)
        #expect(failure?.kind == .unreachable)
    }

    @Test func remoteCommandIsGoneAfterItsTimeout() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let outcome = await node.execute(request(.shell("sleep \(ProcessProbe.marker(456))"), timeout: 1, grace: 1))
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        #expect(outcome.failure == nil)
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(456)).isEmpty })
    }

    @Test func remoteTreeIgnoringTermIsGoneAfterItsTimeout() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await node.execute(request(.shell("trap '' TERM; sleep \(ProcessProbe.marker(457)) & wait"), timeout: 1, grace: 1))
        #expect(clock.now - start < .seconds(8))
        #expect(outcome.timedOut)
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(457)).isEmpty })
    }

    @Test func cancellationStopsTheRemoteCommand() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let sleeper = request(.shell("trap '' TERM; sleep \(ProcessProbe.marker(458)) & wait"), timeout: 300, grace: 1)
        let task = Task { await node.execute(sleeper) }
        #expect(await ProcessProbe.wait(upTo: 10) { !ProcessProbe.pids(withArgument: ProcessProbe.marker(458)).isEmpty })
        task.cancel()
        let outcome = await task.value
        #expect(outcome.failure?.kind == .interrupted)
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(458)).isEmpty })
    }

    @Test func nodeDeclarationMakesItsTransport() async {
        let remote = NodeDeclaration(name: "follower", transport: .ssh(server.settings()))
        let node = remote.makeTransport(controlDirectory: control.path)
        #expect(node is SSHTransport)
        #expect(await node.execute(request(.shell("echo remote"))).stdout == "remote\n")
        await node.close()
        #expect(NodeDeclaration(name: "genesis").makeTransport(controlDirectory: control.path) is LocalTransport)
    }

    @Test func closeRemovesTheMaster() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        #expect(controlSockets.count == 1)
        await node.close()
        #expect(controlSockets.isEmpty)
        await node.close()
        // A closed node can still run a command: ssh opens a new master.
        #expect(await node.execute(request(.shell("true"))).succeeded)
    }
}
