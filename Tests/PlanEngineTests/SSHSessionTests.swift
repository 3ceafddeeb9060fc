import Foundation
import PlanTestSupport
import Testing

@testable import PlanEngine

/// A node's session (`SSHSession`) against a private sshd on 127.0.0.1: after `connect`, the node's
/// commands run one after another in one shell on the node, with the same results, limits and clean-up as
/// commands of their own.
///
/// Which sshd session ran a command is told by its session id (`/proc/self/stat`, field 6): sshd starts each
/// session it serves with `setsid`, so commands of one planrun session share it, and commands of their own
/// each have another.
@Suite(.serialized)
final class SSHSessionTests {
    let server: SSHServer
    let control: SSHControlDirectory
    var transports: [SSHTransport] = []

    init() throws {
        server = try SSHServer.start()
        control = try SSHControlDirectory.create()
    }

    deinit {
        for (i, transport) in transports.enumerated() {
            SSHServer.closeMaster(transport.settings, controlDirectory: control.path, controlName: "s\(i)")
        }
        control.remove()
        server.stop()
    }

    func transport() -> SSHTransport {
        let transport = SSHTransport(
            node: "test", settings: server.settings(), controlDirectory: control.path, controlName: "s\(transports.count)")
        transports.append(transport)
        return transport
    }

    func request(_ script: String, timeout: Double = 30) -> CommandRequest {
        CommandRequest(command: .shell(script), timeout: timeout, grace: 1)
    }

    static let printSession = "awk '{print $6}' /proc/self/stat"

    func session(of node: SSHTransport) async -> String {
        await node.execute(request(Self.printSession)).stdout
    }

    /// The processes on this machine in session `id` (the node is this machine).
    static func processes(inSession id: String) -> [Int32] {
        let id = id.trimmingCharacters(in: .whitespacesAndNewlines)
        return ProcessProbe.pids { fields in fields.count > 3 && fields[3] == id }
    }

    /// The pid of the master behind transport `index`'s control socket.
    func masterPID(_ index: Int) async throws -> Int32? {
        try await ProcessProbe.sshMaster(controlPath: "\(control.path)/s\(index)")
    }

    @Test func aConnectedNodesCommandsShareOneSession() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        var sessions = Set<String>()
        for _ in 0..<5 { sessions.insert(await session(of: node)) }
        #expect(sessions.count == 1, "\(sessions)")
        // A node never connected runs each command on its own: a session each.
        let bare = transport()
        let first = await session(of: bare)
        let second = await session(of: bare)
        #expect(first != second)
        #expect(!first.isEmpty)
    }

    @Test func outputExitStatusAndLinesArriveExactly() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let bare = await node.execute(request("printf abc; printf err >&2; exit 3"))
        #expect(bare.stdout == "abc")
        #expect(bare.stderr == "err")
        #expect(bare.exitCode == 3)
        #expect(bare.failure == nil)
        // Something shaped like a mark, but with another nonce, is output like any other.
        let fake = "\\nplanrun-00000000000000000000000000000000 0\\n"
        let shaped = await node.execute(request("printf '\(fake)x\\n\\n'; printf '\(fake)' >&2"))
        #expect(shaped.stdout == "\nplanrun-00000000000000000000000000000000 0\nx\n\n")
        #expect(shaped.stderr == "\nplanrun-00000000000000000000000000000000 0\n")
        #expect(shaped.exitCode == 0)
        // A script of several lines reaches the node's shell with its line breaks (the session joins the
        // request's lines with the break it takes from IFS).
        let script = await node.execute(request("a=1\nb=2\necho \"$a$b\"\ncat <<EOF\nx y\nEOF"))
        #expect(script.stdout == "12\nx y\n")
        let big = await node.execute(request("head -c 300000 /dev/zero | tr '\\0' a"))
        #expect(big.stdout.utf8.count == 300_000)
        #expect(big.stdout.utf8.allSatisfy { $0 == UInt8(ascii: "a") })
        // The session's stdin carries the requests: a command reads /dev/null, never the next request.
        let reader = await node.execute(request("cat; readlink /proc/self/fd/0", timeout: 10))
        #expect(reader.stdout == "/dev/null\n")
        let lines = LinesSeen()
        var streamed = request("echo one; echo two >&2; printf three")
        streamed.onLine = { lines.add($0) }
        #expect(await node.execute(streamed).succeeded)
        #expect(lines.all.sorted() == ["one", "three", "two"])
    }

    @Test func variablesAndUploadsGoThroughTheSession() async throws {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let before = await session(of: node)
        let secret = "s3 cr$t 'x' \"y\"\nsecond line"
        var withSecret = request("printf '%s' \"$PLANRUN_TEST_SECRET\"; \(Self.printSession) >&2")
        withSecret.environment = [(name: "PLANRUN_TEST_SECRET", value: secret)]
        let shown = await node.execute(withSecret)
        #expect(shown.stdout == secret)
        #expect(shown.stderr == before)
        // The session runs a plain command without a subshell of its own; a variable a command was given is
        // never left behind in it for the next one.
        let next = await node.execute(request("printf '%s' \"${PLANRUN_TEST_SECRET-unset}\"; \(Self.printSession) >&2"))
        #expect(next.stdout == "unset")
        #expect(next.stderr == before)

        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let directory = try SSHServer.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/upload.part"
        var upload = request("cmp -s \(path) /dev/stdin < \(directory)/expected && wc -c < \(path)")
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/expected"))
        upload.upload = Upload(source: .bytes(bytes), path: path)
        let sent = await node.execute(upload)
        #expect(sent.succeeded, "\(sent.stderr)")
        #expect(sent.stdout == "\(3 << 20)\n")
        #expect(!FileManager.default.fileExists(atPath: path))
        // The stream stays in step after a variable block and three megabytes.
        #expect(await session(of: node) == before)
    }

    @Test func aSessionGoneBetweenCommandsIsNotUsed() async throws {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let before = await session(of: node)
        let master = try #require(await masterPID(0))
        kill(master, SIGKILL)
        // Dead, not yet reaped (the transport notices when it next looks).
        #expect(await ProcessProbe.wait(upTo: 5) {
            (try? String(contentsOfFile: "/proc/\(master)/stat", encoding: .utf8))?.contains(") Z ") ?? true
        })
        let after = await node.execute(request(Self.printSession))
        #expect(after.succeeded, "\(after.stderr)")
        #expect(!after.stdout.isEmpty)
        #expect(after.stdout != before)
    }

    @Test func aSessionLostMidCommandIsAConnectionFailure() async throws {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let sleep = request("sleep \(ProcessProbe.marker(901))", timeout: 120)
        let sleeper = Task { await node.execute(sleep) }
        #expect(await ProcessProbe.wait(upTo: 10) { !ProcessProbe.pids(withArgument: ProcessProbe.marker(901)).isEmpty })
        let master = try #require(await masterPID(0))
        kill(master, SIGKILL)
        let outcome = await sleeper.value
        #expect(outcome.failure?.kind == .connection)
        #expect(outcome.failure?.message.contains("lost while the command ran") == true, "\(String(describing: outcome.failure))")
        #expect(!outcome.timedOut)
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: ProcessProbe.marker(901)).isEmpty })
    }

    @Test func commandsSideBySideOnOneNodeBothRun() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let both = request("sleep 0.5; \(Self.printSession)")
        async let first = node.execute(both)
        async let second = node.execute(both)
        let (a, b) = await (first, second)
        #expect(a.succeeded && b.succeeded)
        #expect(a.stdout != b.stdout)
    }

    @Test func closeEndsTheSessionOnTheNode() async {
        let node = transport()
        #expect(await node.connect(timeout: 5) == nil)
        let id = await session(of: node)
        #expect(!Self.processes(inSession: id).isEmpty)
        await node.close()
        #expect(await ProcessProbe.wait(upTo: 5) { Self.processes(inSession: id).isEmpty }, "\(Self.processes(inSession: id))")
        let sockets = ((try? FileManager.default.contentsOfDirectory(atPath: control.path)) ?? []).filter { $0 != "owner" }
        #expect(sockets.isEmpty)
    }

    @Test(arguments: [0, 1, 5, 40, 41, 42, 43, 60])
    func aMarkSplitAnywhereIsFound(split: Int) {
        let nonce = "planrun-0123456789abcdef0123456789abcdef"
        // The start of the mark inside the output is output; only the whole mark ends it.
        let stream = Array("hello\nplanrun-0123\nworld\n\(nonce) 7\n".utf8)
        var cut = MarkedStream(nonce: nonce)
        var output: [UInt8] = []
        for chunk in [stream[..<min(split, stream.count)], stream[min(split, stream.count)...]] {
            Array(chunk).withUnsafeBytes { bytes in cut.take(bytes) { output += $0 } }
        }
        #expect(String(decoding: output, as: UTF8.self) == "hello\nplanrun-0123\nworld")
        #expect(cut.trailer == " 7")
    }
}

/// Lines handed to `onLine`, from whatever thread.
final class LinesSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
