import Foundation
import PlanCore
@testable import PlanEngine
import PlanTestSupport
import Testing

/// Uploads and downloads through both transports: bytes on the command's stdin (over SSH: through the
/// master, never on a command line), stdout into a file; interrupted transfers leave nothing behind.
@Suite(.serialized)
final class TransferTests {
    let server: SSHServer
    let control: SSHControlDirectory
    let directory: String
    var transports: [SSHTransport] = []

    init() throws {
        server = try SSHServer.start()
        control = try SSHControlDirectory.create()
        directory = NSTemporaryDirectory() + "planrun-transfer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        for transport in transports { SSHServer.closeMaster(transport.settings, controlDirectory: control.path) }
        control.remove()
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The two transports under test, SSH connected.
    func nodes() async -> [any NodeTransport] {
        let ssh = SSHTransport(node: "test", settings: server.settings(), controlDirectory: control.path)
        transports.append(ssh)
        #expect(await ssh.connect(timeout: 20) == nil)
        return [LocalTransport(), ssh]
    }



    @Test func binaryFileArrivesWholeAndItsTemporaryNameIsRemovedAfter() async throws {
        let source = directory + "/source.bin"
        try Data(FileChecks.binary(3 << 20)).write(to: URL(fileURLWithPath: source))
        let expected = FileChecks.sha256(source)
        for (index, node) in await nodes().enumerated() {
            let path = directory + "/upload-\(index)"
            let outcome = await node.execute(CommandRequest(
                command: .shell("sha256sum < \(path); stat -c %a \(path)"), timeout: 30,
                upload: Upload(source: .file(source), path: path)))
            #expect(outcome.succeeded, "\(outcome.stderr)")
            #expect(outcome.stdout == "\(expected)  -\n600\n")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// The node receives with one `dd` that reads exactly the bytes and flushes them (`conv=fsync`), with
    /// write-behind above `Upload.writeBehindSize`; BusyBox's `dd` does the same where it is the node's; a
    /// node whose dd lacks those flags (here a stand-in that only logs and fails, first on PATH) receives
    /// with `head -c` and `sync` instead. Every way the bytes arrive whole, and nothing past them is read.
    @Test func anUploadArrivesWholeWithOrWithoutAddThatKnowsItsFlags() async throws {
        let source = directory + "/large.bin"
        try Data(FileChecks.binary(Upload.writeBehindSize + 3)).write(to: URL(fileURLWithPath: source))
        let expected = FileChecks.sha256(source)
        let small = directory + "/small.bin"
        try Data(FileChecks.binary(1000)).write(to: URL(fileURLWithPath: small))
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = directory + "/dd.log"
        try FileChecks.writeExecutable("#!/bin/sh\necho \"$*\" >> \(log)\nexit 1\n", to: bin + "/dd")
        // GNU dd, with each call logged.
        let spy = directory + "/spy"
        let spyLog = directory + "/spy.log"
        try FileManager.default.createDirectory(atPath: spy, withIntermediateDirectories: true)
        try FileChecks.writeExecutable("#!/bin/sh\necho \"$*\" >> \(spyLog)\nexec /usr/bin/dd \"$@\"\n", to: spy + "/dd")
        let busybox = directory + "/busybox"
        try FileManager.default.createDirectory(atPath: busybox, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: busybox + "/dd", withDestinationPath: "/usr/bin/busybox")
        for (index, node) in await nodes().enumerated() {
            for path in [nil, "\(spy):/usr/bin:/bin", "\(bin):/usr/bin:/bin", "\(busybox):/usr/bin:/bin"] {
                let target = directory + "/large-\(index)"
                var request = CommandRequest(
                    command: .shell("sha256sum < \(target)"), timeout: 60, upload: Upload(source: .file(source), path: target))
                if let path { request.environment = [(name: "PATH", value: path)] }
                let outcome = await node.execute(request)
                #expect(outcome.succeeded && outcome.stderr.isEmpty, "\(outcome.stderr)")
                #expect(outcome.stdout == "\(expected)  -\n", "PATH \(path ?? "as is")")
                let smallTarget = directory + "/small-\(index)"
                request = CommandRequest(
                    command: .shell("wc -c < \(smallTarget)"), timeout: 60, upload: Upload(source: .file(small), path: smallTarget))
                if let path { request.environment = [(name: "PATH", value: path)] }
                #expect(await node.execute(request).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
            }
        }
        // Through the stand-in, per node: the write-behind check for the large upload only, then one receive
        // per upload, flushed, without write-behind since the check failed.
        let calls = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n")
        let checks = calls.filter { $0.contains("if=/dev/null") }
        let receives = calls.filter { !$0.contains("if=/dev/null") }
        #expect(checks.count == 2 && checks.allSatisfy { $0.contains("oflag=nocache") }, "\(calls)")
        #expect(receives.count == 4, "\(calls)")
        #expect(receives.allSatisfy { $0.contains("iflag=fullblock,count_bytes") && $0.contains("conv=fsync") && !$0.contains("nocache") }, "\(calls)")
        // Through GNU dd, per node: the check, the large receive with write-behind, the small one without.
        let spied = (try String(contentsOfFile: spyLog, encoding: .utf8)).split(separator: "\n").filter { !$0.contains("if=/dev/null") }
        #expect(spied.count == 4, "\(spied)")
        #expect(spied.allSatisfy { $0.contains("conv=fsync") }, "\(spied)")
        #expect(spied.filter { $0.contains("oflag=nocache") && $0.contains("count=\(Upload.writeBehindSize + 3)") }.count == 2, "\(spied)")
        #expect(spied.filter { $0.contains("oflag=nocache") }.count == 2, "\(spied)")
    }

    /// The receive on its own, in the node's `sh`: the bytes count only with the end line right after them,
    /// so a stream that stops after exactly the announced bytes (a connection cut at that point) still fails,
    /// and what follows the end line is left for the next reader.
    @Test func theReceiveNeedsTheEndLineAfterTheBytes() throws {
        let path = directory + "/received"
        let script = Upload.receiveScript(size: "\"$1\"", path: "\"$2\"", input: "") + "; cat"
        func receive(_ input: [UInt8]) throws -> (status: Int32, rest: String) {
            let feed = directory + "/feed"
            try Data(input).write(to: URL(fileURLWithPath: feed))
            let out = directory + "/rest"
            let status = SSHServer.runAndWait("/bin/sh", ["-c", "sh -c \(ShellQuote.quote(script)) planrun 5 \(path) <\(feed) >\(out) 2>/dev/null"])
            return ((status >> 8) & 0xff, try String(contentsOfFile: out, encoding: .utf8))
        }
        let bytes: [UInt8] = [0, 1, 10, 255, 0]
        let whole = try receive(bytes + Upload.endLine + Array("next".utf8))
        #expect(whole.status == 0 && whole.rest == "next")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        try FileManager.default.removeItem(atPath: path)
        for cut in [bytes, Array(bytes.prefix(3)), bytes + Array(Upload.endLine.prefix(5))] {
            #expect(try receive(cut).status == Upload.failedStatus, "\(cut)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// Bytes meant for a new file that takes the umask are saved with the umask's mode from the start, so
    /// no `chmod` has to follow; where that file exists they stay owner-only (it may hold a secret).
    @Test func bytesForANewFileTakeTheUmaskAndForAnExistingOneStayOwnerOnly() async throws {
        let existing = directory + "/existing.conf"
        try "old".write(toFile: existing, atomically: true, encoding: .utf8)
        for (index, node) in await nodes().enumerated() {
            let umaskMode = String(0o666 & ~Int(Self.umaskNow()), radix: 8)
            for (target, expected) in [(directory + "/new-\(index).conf", umaskMode), (existing, "600")] {
                let path = directory + "/umask-\(index)"
                let outcome = await node.execute(CommandRequest(
                    command: .shell("stat -c %a \(path)"), timeout: 30,
                    upload: Upload(source: .bytes(Array("new".utf8)), path: path, umaskModeIfAbsent: target)))
                #expect(outcome.succeeded, "\(outcome.stderr)")
                // The node's umask as the bytes arrive: the test's (sshd here inherits it).
                #expect(outcome.stdout == "\(expected)\n", "\(target)")
            }
        }
    }

    /// A copy with no mode asked: a new file gets the umask's mode, a replaced one keeps its own; a second
    /// copy of the same bytes changes nothing. (Over SSH the install runs inline.)
    @Test func aCopyWithoutAModeTakesTheUmaskOrTheReplacedFilesMode() async throws {
        let source = directory + "/app.conf"
        try "v2\n".write(toFile: source, atomically: true, encoding: .utf8)
        for (index, node) in await nodes().enumerated() {
            let fresh = directory + "/fresh-\(index).conf"
            let replaced = directory + "/replaced-\(index).conf"
            try "v1\n".write(toFile: replaced, atomically: true, encoding: .utf8)
            chmod(replaced, 0o640)
            for (dest, mode) in [(fresh, 0o666 & ~Int(Self.umaskNow())), (replaced, 0o640)] {
                let action = CopyAction(source: .file(path: source, resolved: source), dest: Template(literal: dest))
                let plan = try CopyPlan.prepare(action, scope: Value.Object(), time: "20261205T000000Z")
                for expected in [true, false] {
                    let outcome = await node.execute(plan.request(timeout: 30, grace: 1, outputLimit: 4096))
                    #expect(CopyPlan.changed(outcome.stdout) == expected, "\(dest): \(outcome.stderr)")
                }
                #expect(try String(contentsOfFile: dest, encoding: .utf8) == "v2\n")
                #expect(try FileManager.default.attributesOfItem(atPath: dest)[.posixPermissions] as? Int == mode, "\(dest)")
            }
        }
    }

    /// This process's umask (read by setting it, then set back).
    static func umaskNow() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    /// An inline request (planrun's own file operations) runs in the remote wrapper's shell: no `timeout`
    /// and no `sh` of its own on the node. Shown with the wrapper run here, a `timeout` first on PATH that
    /// logs each call: a plain command calls it, an inline one does not, and both leave no upload behind.
    @Test func anInlineRequestRunsWithoutTimeoutOrAShellOfItsOwn() throws {
        let bin = directory + "/shim"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = directory + "/timeout.log"
        try FileChecks.writeExecutable("#!/bin/sh\necho called >> \(log)\nexec /usr/bin/timeout \"$@\"\n", to: bin + "/timeout")
        for mode in [SSHCommandLine.WrapperMode.plain, .inline] {
            let out = directory + "/wrapper-\(mode.rawValue).out"
            let remote = SSHCommandLine.remoteCommand(for: .shell("echo ran; exit 3"), timeout: 10, grace: 1, mode: mode)
            let status = SSHServer.runAndWait(
                "/bin/sh", ["-c", "PATH=\(bin):$PATH; export PATH; sleep 3 | { \(remote); } >\(out) 2>&1"])
            #expect((status >> 8) & 0xff == 3, "\(mode)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "ran\n", "\(mode)")
            let calls = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(calls == (mode == .plain ? "called\n" : ""), "\(mode)")
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    /// A command that is its words alone (an `argv:`, a plain `run:`) is started by `timeout` itself: no `sh`
    /// on the node. Shown with the wrapper run here and an `sh` first on PATH that logs each call: the wrapper's
    /// own `sh -c` calls it once, a command the shell must read a second time. Each still gets its words
    /// exactly, its exit status and its timeout.
    @Test func aCommandOfWordsAloneRunsWithoutAShell() throws {
        let bin = directory + "/sh-shim"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = directory + "/sh.log"
        try FileChecks.writeExecutable("#!/bin/sh\necho called >> \(log)\nexec /bin/sh \"$@\"\n", to: bin + "/sh")
        let cases: [(CommandRequest.Command, String, Int32, String)] = [
            (.argv(["printf", "%s|", "a b", "it's", "$HOME"]), "a b|it's|$HOME|", 0, "called\n"),
            (.shell("ls -d /proc/self/fd/0 /nonexistent-planrun-dir"), "/proc/self/fd/0\n", 2, "called\n"),
            (.shell("x=y; printf %s \"$x\""), "y", 0, "called\ncalled\n"),
            (.argv(["sleep", "5"]), "", 124, "called\n"),
            (.shell("planrun-no-such-program x"), "", 127, "called\n"),
        ]
        for (command, stdout, status, calls) in cases {
            let out = directory + "/words.out"
            let timeout = status == 124 ? 0.3 : 10
            let remote = SSHCommandLine.remoteCommand(for: command, timeout: timeout, grace: 1)
            let code = SSHServer.runAndWait(
                "/bin/sh", ["-c", "PATH=\(bin):$PATH; export PATH; sleep 1 | { \(remote); } >\(out) 2>/dev/null"])
            #expect((code >> 8) & 0xff == status, "\(command)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == stdout, "\(command)")
            #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") == calls, "\(command)")
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    /// Over SSH an inline request has no remote time bound: the step's timeout, enforced here, ends it, and
    /// is reported as the command's timeout, not as a stalled connection.
    @Test func anInlineRequestPastItsTimeoutIsATimeout() async throws {
        let ssh = await nodes()[1]
        var request = CommandRequest(command: .shell("sleep 2"), timeout: 0.3, grace: 0.2)
        request.runsInWrapper = true
        let outcome = await ssh.execute(request)
        #expect(outcome.timedOut, "\(outcome)")
        #expect(outcome.failure == nil, "\(outcome)")
        // The node's next command still runs (a new session if that one was ended).
        #expect(await ssh.execute(CommandRequest(command: .shell("echo next"), timeout: 10)).stdout == "next\n")
    }

    @Test func bytesFromMemoryArriveWholeAndTheCommandCanKeepThem() async throws {
        let bytes: [UInt8] = [0, 1, 2, 0, 255, 10, 0]
        for (index, node) in await nodes().enumerated() {
            let path = directory + "/mem-\(index)"
            let kept = directory + "/kept-\(index)"
            let outcome = await node.execute(CommandRequest(
                command: .shell("mv \(path) \(kept)"), timeout: 30, upload: Upload(source: .bytes(bytes), path: path)))
            #expect(outcome.succeeded, "\(outcome.stderr)")
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: kept))) == bytes)
        }
    }

    @Test func anUploadCutByTheTimeoutLeavesNoFileAndNoProcess() async throws {
        let source = directory + "/big.bin"
        try Data(FileChecks.binary(32 << 20)).write(to: URL(fileURLWithPath: source))
        for (index, node) in await nodes().enumerated() {
            let path = directory + "/cut-\(index)"
            let outcome = await node.execute(CommandRequest(
                command: .shell("sleep \(ProcessProbe.marker(470 + index))"), timeout: 0.05, grace: 0.5,
                upload: Upload(source: .file(source), path: path)))
            #expect(!outcome.succeeded)
            #expect(outcome.timedOut || outcome.exitCode == Upload.failedStatus, "\(outcome)")
            #expect(await ProcessProbe.wait(upTo: 5) { !FileManager.default.fileExists(atPath: path) })
            #expect(ProcessProbe.pids(withArgument: ProcessProbe.marker(470 + index)).isEmpty)
        }
    }

    @Test func aCommandCutAfterTheUploadLeavesNoFile() async throws {
        for (index, node) in await nodes().enumerated() {
            let path = directory + "/slow-\(index)"
            let outcome = await node.execute(CommandRequest(
                command: .shell("sleep \(ProcessProbe.marker(480 + index))"), timeout: 1, grace: 0.5,
                upload: Upload(source: .bytes(Array("hello".utf8)), path: path)))
            #expect(outcome.timedOut)
            #expect(await ProcessProbe.wait(upTo: 5) { !FileManager.default.fileExists(atPath: path) })
            #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(480 + index)).isEmpty })
        }
    }

    @Test func aCancelledUploadLeavesNoFileAndNoProcess() async throws {
        let source = directory + "/cancel.bin"
        try Data(FileChecks.binary(32 << 20)).write(to: URL(fileURLWithPath: source))
        for (index, node) in await nodes().enumerated() {
            let path = directory + "/cancelled-\(index)"
            let request = CommandRequest(
                command: .shell("sleep \(ProcessProbe.marker(490 + index))"), timeout: 300, grace: 0.5,
                upload: Upload(source: .file(source), path: path))
            let task = Task { await node.execute(request) }
            // Cut while the bytes travel, or (on a fast machine) while the command runs.
            #expect(await ProcessProbe.wait(upTo: 60) {
                FileManager.default.fileExists(atPath: path) || !ProcessProbe.pids(withArgument: ProcessProbe.marker(490 + index)).isEmpty
            })
            task.cancel()
            let outcome = await task.value
            #expect(outcome.failure?.kind == .interrupted || outcome.signal != nil, "\(outcome)")
            #expect(await ProcessProbe.wait(upTo: 5) { !FileManager.default.fileExists(atPath: path) })
            #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: ProcessProbe.marker(490 + index)).isEmpty })
        }
    }

    @Test func aFullDiskFailsTheUploadAndLeavesNoFile() async throws {
        // A 1 MB file system, so the disk fills up in the middle of a 3 MB upload.
        let small = directory + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        #expect(SSHServer.runAndWait("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]) == 0)
        defer { _ = SSHServer.runAndWait("/bin/umount", [small]) }
        let source = directory + "/three.bin"
        try Data(FileChecks.binary(3 << 20)).write(to: URL(fileURLWithPath: source))
        for (index, node) in await nodes().enumerated() {
            let path = small + "/full-\(index)"
            let outcome = await node.execute(CommandRequest(
                command: .shell("true"), timeout: 30, upload: Upload(source: .file(source), path: path)))
            #expect(outcome.exitCode == Upload.failedStatus, "\(outcome)")
            #expect(outcome.stderr.contains("No space left on device"), "\(outcome.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: small).isEmpty)
        }
    }

    @Test func anUnwritableDestinationFailsWithTheReason() async {
        for node in await nodes() {
            let outcome = await node.execute(CommandRequest(
                command: .shell("true"), timeout: 30, upload: Upload(source: .bytes([1, 2, 3]), path: "/proc/planrun-no/x")))
            #expect(outcome.exitCode == Upload.failedStatus)
            #expect(outcome.stderr.contains("did not arrive whole"))
        }
    }

    @Test func stdoutGoesIntoTheDownloadFile() async throws {
        let source = directory + "/fetch-me.bin"
        try Data(FileChecks.binary(2 << 20)).write(to: URL(fileURLWithPath: source))
        for (index, node) in await nodes().enumerated() {
            let target = directory + "/fetched-\(index)"
            let outcome = await node.execute(CommandRequest(command: .argv(["cat", source]), timeout: 30, download: target))
            #expect(outcome.succeeded, "\(outcome.stderr)")
            #expect(outcome.stdout == "")
            #expect(FileChecks.sha256(target) == FileChecks.sha256(source))
        }
    }

    @Test func aCommandTooLongToStartIsACommandFailureNotAConnectionOne() async {
        let huge = String(repeating: "x", count: 4 << 20)
        for node in await nodes() {
            let outcome = await node.execute(CommandRequest(command: .shell("echo \(huge)"), timeout: 30))
            #expect(outcome.failure?.kind == .command)
            #expect(outcome.failure?.message.contains("too long") == true)
        }
    }
}
