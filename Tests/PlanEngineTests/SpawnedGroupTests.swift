import Foundation
@testable import PlanEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The spawner's own promises (`cps_spawn`, a `vfork` that does what glibc's `posix_spawn` did): the child's
/// signal mask, the calling thread's mask afterwards, and the PATH search of a program given by name.
@Suite(.serialized)
struct SpawnedGroupTests {
    /// Spawns `program` and waits for it; its stdout, or the spawn's error code.
    func output(of program: Program, _ arguments: [String] = []) -> Result<String, SpawnFailure> {
        do {
            let group = try SpawnedGroup.spawn(program, arguments: arguments, holdStandardInput: false)
            let supervisor = GroupSupervisor(
                group: group, timeout: 30, grace: 1, outputLimit: 1 << 16, stop: StopRequest(), startedAt: .now)
            _ = supervisor.watch(until: nil)
            _ = supervisor.finish()
            supervisor.stop.close()
            return .success(supervisor.stdout.text)
        } catch {
            return .failure(error)
        }
    }

    @Test func theChildStartsWithNoSignalBlockedAndTheThreadKeepsItsMask() throws {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        sigaddset(&blocked, SIGTERM)
        var saved = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }

        let line = try output(of: .name("grep"), ["SigBlk", "/proc/self/status"]).get()
        #expect(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) == "0000000000000000")

        // Everything was blocked around the vfork; the thread has its own mask back (SIGCHLD aside: see
        // `spawningLeavesChildExitUnblockedOnTheCallingThread`).
        var now = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &now)
        #expect(sigismember(&now, SIGUSR1) == 1)
        #expect(sigismember(&now, SIGTERM) == 1)
        #expect(sigismember(&now, SIGINT) == sigismember(&saved, SIGINT))
        #expect(sigismember(&now, SIGHUP) == sigismember(&saved, SIGHUP))
    }

    /// As `posix_spawnp`: each directory of planrun's PATH in turn; a file found but not executable is
    /// passed over for a later one, and is the error (EACCES) only when no directory has an executable.
    @Test func aNameIsSearchedInPathAndPermissionDeniedBeatsNotFound() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-spawn-\(getpid())").path
        let denied = root + "/denied", allowed = root + "/allowed"
        for dir in [denied, allowed] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        let name = "planrun-spawn-probe-\(getpid())"
        try "#!/bin/sh\necho denied\n".write(toFile: denied + "/" + name, atomically: true, encoding: .utf8)
        chmod(denied + "/" + name, 0o644)
        try "#!/bin/sh\necho allowed\n".write(toFile: allowed + "/" + name, atomically: true, encoding: .utf8)
        chmod(allowed + "/" + name, 0o755)

        // Prepended, so the other suites' programs (running meanwhile) are still found.
        let original = String(cString: getenv("PATH"))
        defer { setenv("PATH", original, 1) }

        setenv("PATH", "\(denied):\(allowed):\(original)", 1)
        #expect(try output(of: .name(name)).get() == "allowed\n")

        setenv("PATH", "\(denied):\(original)", 1)
        if case .failure(let failure) = output(of: .name(name)) { #expect(failure.code == EACCES) } else { Issue.record("ran \(name)") }

        setenv("PATH", original, 1)
        if case .failure(let failure) = output(of: .name(name)) { #expect(failure.code == ENOENT) } else { Issue.record("found \(name)") }
        // A name with a slash is a path: no search.
        if case .failure(let failure) = output(of: .name("./" + name)) { #expect(failure.code == ENOENT) } else { Issue.record("ran ./\(name)") }
    }
}
