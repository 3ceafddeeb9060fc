import Foundation
import PlanEngine
import PlanTestSupport
import Testing

/// Real processes on this machine: exit codes, streams, truncation, timeouts, cancellation, argv.
@Suite(.serialized)
struct LocalTransportTests {
    let transport = LocalTransport()

    func run(_ command: CommandRequest.Command, timeout: Double = 30, grace: Double = 2, limit: Int = 1 << 20)
        async -> CommandOutcome
    {
        await transport.execute(CommandRequest(command: command, timeout: timeout, grace: grace, outputLimit: limit))
    }

    @Test func connectNeedsNothing() async {
        #expect(await transport.connect(timeout: 1) == nil)
    }

    @Test func successKeepsBothStreams() async {
        let outcome = await run(.shell("echo out; echo err >&2"))
        #expect(outcome.succeeded)
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout == "out\n")
        #expect(outcome.stderr == "err\n")
        #expect(outcome.failure == nil)
        #expect(!outcome.timedOut)
    }

    @Test func nonZeroExitIsACommandResult() async {
        let outcome = await run(.shell("echo partial; exit 3"))
        #expect(outcome.exitCode == 3)
        #expect(outcome.stdout == "partial\n")
        #expect(!outcome.succeeded)
        #expect(outcome.failure == nil)
    }

    @Test func deathBySignalIsReported() async {
        let outcome = await run(.shell("kill -KILL $$"))
        #expect(outcome.exitCode == nil)
        #expect(outcome.signal == SIGKILL)
        #expect(!outcome.succeeded)
    }

    @Test func stdinIsDevNull() async {
        let outcome = await run(.shell("readlink /proc/self/fd/0; cat"), timeout: 10)
        #expect(outcome.stdout == "/dev/null\n")
        #expect(!outcome.timedOut)
    }

    @Test func childStartsWithDefaultSignalActions() async {
        // planrun ignores SIGPIPE (and SIGINT while its trap is set); its commands must not inherit that.
        ProcessSignals.ignoreBrokenPipe()
        let outcome = await run(.argv(["grep", "SigIgn", "/proc/self/status"]))
        let mask = UInt64(outcome.stdout.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16)
        #expect(mask != nil)
        for signal in [SIGPIPE, SIGINT, SIGTERM] {
            #expect((mask ?? ~0) & (1 << UInt64(signal - 1)) == 0, "signal \(signal) ignored in the child")
        }
        let pipeline = await run(.shell("yes | head -n 1"))
        #expect(pipeline.stdout == "y\n")
        #expect(pipeline.stderr == "")
    }

    @Test func childInheritsNoDescriptorButItsStandardStreams() async {
        // A descriptor opened without O_CLOEXEC (as a library might) must not reach the command.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        #expect(leaked > 2)
        let outcome = await run(.argv(["ls", "/proc/self/fd"]))
        // 0, 1 and 2, and the directory `ls` itself opened to list them.
        #expect(outcome.stdout.split(separator: "\n") == ["0", "1", "2", "3"])
    }

    @Test func commandLeadsItsOwnProcessGroup() async {
        // Field 5 of /proc/PID/stat is the process group; for the leader it equals the pid.
        let outcome = await run(.shell("echo $$; cut -d' ' -f5 /proc/$$/stat"))
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == lines.last)
    }

    @Test func longOutputKeepsTheTail() async {
        let outcome = await run(.shell("seq 1 100000; seq 1 50000 >&2"), limit: 100)
        #expect(outcome.succeeded)
        #expect(outcome.stdout.hasPrefix("…[truncated "))
        #expect(outcome.stdout.hasSuffix("99999\n100000\n"))
        let kept = outcome.stdout.split(separator: "\n", maxSplits: 1)[1]
        #expect(kept.utf8.count <= 100)
        #expect(outcome.stderr.hasPrefix("…[truncated "))
        #expect(outcome.stderr.hasSuffix("49999\n50000\n"))
    }

    @Test func truncationCountsDroppedBytes() async {
        // 10 000 bytes of output, 10 kept.
        let outcome = await run(.shell("head -c 10000 /dev/zero | tr '\\0' x"), limit: 10)
        #expect(outcome.stdout == "…[truncated 9990 bytes]\nxxxxxxxxxx")
    }

    @Test func shortOutputIsNotMarked() async {
        let outcome = await run(.shell("printf 0123456789"), limit: 10)
        #expect(outcome.stdout == "0123456789")
    }

    @Test func timeoutStopsAGrandchildThatIgnoresTerm() async {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await run(.shell("trap '' TERM; sleep \(ProcessProbe.marker(123)) & wait"), timeout: 1, grace: 1)
        #expect(clock.now - start < .seconds(8))
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        #expect(outcome.failure == nil)
        #expect(await ProcessProbe.wait(upTo: 2) { ProcessProbe.pids(withArgument: ProcessProbe.marker(123)).isEmpty })
    }

    @Test func grandchildLeftBehindIsSwept() async {
        // The leader exits at once; its background child keeps the output pipe open.
        let outcome = await run(.shell("sleep \(ProcessProbe.marker(124)) & echo started"), timeout: 30)
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout == "started\n")
        #expect(!outcome.timedOut)
        // SIGKILL is delivered asynchronously: the kernel may need a moment to end the process.
        #expect(await ProcessProbe.wait(upTo: 2) { ProcessProbe.pids(withArgument: ProcessProbe.marker(124)).isEmpty })
    }

    @Test func leaderThatClosesItsOutputStillRunsToTheEnd() async {
        let outcome = await run(.shell("exec >&- 2>&-; sleep 0.3; exit 4"), timeout: 30)
        #expect(outcome.exitCode == 4)
        #expect(!outcome.timedOut)
    }

    @Test func cancellationStopsTheTree() async throws {
        let task = Task {
            await run(.shell("trap '' TERM; sleep \(ProcessProbe.marker(125)) & wait"), timeout: 300, grace: 1)
        }
        let started = await ProcessProbe.wait(upTo: 10) { !ProcessProbe.pids(withArgument: ProcessProbe.marker(125)).isEmpty }
        #expect(started)
        task.cancel()
        let outcome = await task.value
        #expect(outcome.failure?.kind == .interrupted)
        #expect(!outcome.timedOut)
        #expect(ProcessProbe.pids(withArgument: ProcessProbe.marker(125)).isEmpty)
    }

    @Test func alreadyCancelledTaskLeavesNothingRunning() async {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await run(.shell("sleep \(ProcessProbe.marker(126))"), timeout: 300, grace: 1)
        }
        let outcome = await task.value
        #expect(outcome.failure?.kind == .interrupted)
        #expect(ProcessProbe.pids(withArgument: ProcessProbe.marker(126)).isEmpty)
    }

    @Test func argvArrivesLiterally() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-argv-\(getpid())").path
        let hostile = [
            "a b", "$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"", "; touch \(marker)",
            "$HOME", "*", "line\nbreak", "",
        ]
        let outcome = await run(.argv(["printf", "[%s]"] + hostile))
        #expect(outcome.succeeded)
        #expect(outcome.stdout == hostile.map { "[\($0)]" }.joined())
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func argvResolvesThroughPath() async {
        let outcome = await run(.argv(["sh", "-c", "echo $0", "zero"]))
        #expect(outcome.stdout == "zero\n")
    }

    @Test func missingProgramExits127() async {
        let byName = await run(.argv(["planrun-no-such-program-42"]))
        #expect(byName.exitCode == 127)
        #expect(byName.failure == nil)
        #expect(byName.stderr.contains("planrun-no-such-program-42"))
        let byPath = await run(.argv(["/nonexistent/planrun-tool"]))
        #expect(byPath.exitCode == 127)
        #expect(byPath.failure == nil)
        let empty = await run(.argv([]))
        #expect(empty.exitCode == 127)
    }

    @Test func notExecutableExits126() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-noexec-\(getpid())").path
        try "#!/bin/sh\necho ran\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        chmod(path, 0o644)
        let outcome = await run(.argv([path]))
        #expect(outcome.exitCode == 126)
        #expect(outcome.failure == nil)
        #expect(outcome.stderr.contains("permission denied"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func shellReportsItsOwnNotFound() async {
        let outcome = await run(.shell("planrun-no-such-program-42"))
        #expect(outcome.exitCode == 127)
        #expect(outcome.failure == nil)
    }
}
