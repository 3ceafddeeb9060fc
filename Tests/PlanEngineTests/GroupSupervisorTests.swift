@testable import PlanEngine
import PlanTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The spawner and its watcher, below the transport: a watch that gives up and resumes, what "quiet" means,
/// and the signal mask a spawn leaves behind.
@Suite(.serialized)
struct GroupSupervisorTests {
    let clock = ContinuousClock()

    func start(_ script: String) throws -> GroupSupervisor {
        let group = try SpawnedGroup.spawn(.path("/bin/sh"), arguments: ["-c", script], holdStandardInput: false)
        return GroupSupervisor(
            group: group, timeout: 30, grace: 1, outputLimit: 1 << 16, stop: StopRequest(), startedAt: clock.now)
    }

    @Test func aWatchThatGivesUpResumesWhereItStopped() throws {
        // The calling thread watches for a moment, then a pooled thread carries on with the same supervisor.
        let supervisor = try start("echo before; sleep 0.3; echo after")
        #expect(!supervisor.watch(until: clock.now + .milliseconds(1)))
        #expect(!supervisor.isQuiet)
        #expect(supervisor.watch(until: nil))
        #expect(supervisor.isQuiet)
        let (status, stoppedBy) = supervisor.finish()
        supervisor.stop.close()
        #expect(status == 0)
        #expect(stoppedBy == nil)
        #expect(supervisor.stdout.text == "before\nafter\n")
    }

    /// A run's command keeps planrun's copies of its output pipes' write ends until the leader exits: a child
    /// that closes its streams does not end them, so the leader's exit wakes the watcher once (the pidfd)
    /// instead of twice (the pipes' end a moment before). Once it exited they are closed and the streams end.
    @Test func heldOutputEndsWithTheLeaderNotBefore() throws {
        let group = try SpawnedGroup.spawn(
            .path("/bin/sh"), arguments: ["-c", "exec >&- 2>&-; sleep 0.3; exit 3"], holdStandardInput: false,
            holdOutput: true)
        #expect(group.outputWriters.count == 2)
        var fds = [group.stdout, group.stderr].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        #expect(poll(&fds, nfds_t(fds.count), 150) == 0)
        let supervisor = GroupSupervisor(
            group: group, timeout: 30, grace: 1, outputLimit: 1 << 16, stop: StopRequest(), startedAt: clock.now)
        #expect(supervisor.watch(until: clock.now + .seconds(5)))
        // The ends arrive once planrun closed its copies (at once, unless another test's spawn in flight
        // holds a copy for a moment, until its child's exec); held for good they never would.
        let end = clock.now + .seconds(2)
        while !supervisor.isQuiet, clock.now < end { _ = supervisor.watch(until: clock.now + .milliseconds(10)) }
        #expect(supervisor.isQuiet)
        let (status, _) = supervisor.finish()
        supervisor.stop.close()
        #expect(status >> 8 == 3)
    }

    @Test func aDescendantHoldingThePipesIsNotQuiet() async throws {
        // The leader is gone, but finishing means sweeping a process that holds stdout: that may take time, so
        // it is never done on a thread of the cooperative pool.
        let marker = ProcessProbe.marker(131)
        let supervisor = try start("sleep \(marker) & echo started")
        #expect(supervisor.watch(until: clock.now + .seconds(5)))
        #expect(supervisor.leaderExited)
        #expect(!supervisor.isQuiet)
        let (status, _) = supervisor.finish()
        supervisor.stop.close()
        #expect(status == 0)
        #expect(supervisor.stdout.text == "started\n")
        #expect(await ProcessProbe.wait(upTo: 2) { ProcessProbe.pids(withArgument: marker).isEmpty })
    }

    /// `ssh -f` daemonizes as glibc's daemon() does: fork, the parent exits, the child calls setsid. A child
    /// still in the group when the leader's end is seen (here it lingers 0.3 s, as a busy machine may make
    /// it) is not swept when the run says the program daemonizes: the sweep waits until it closed the pipes,
    /// which it does only after leaving the group. (Swept, a master of 20 was lost now and then, and the
    /// next command on its node opened a connection of its own.)
    @Test func aDaemonLeavingTheGroupLateSurvivesTheSweep() async throws {
        let marker = ProcessProbe.marker(132)
        let script = "(sleep 0.3; exec setsid sh -c 'exec >/dev/null 2>&1 </dev/null; exec sleep \(marker)') & echo forked"
        let run = try await ProcessGroupRunner.run(
            .path("/bin/sh"), arguments: ["-c", script], timeout: 10, grace: 1, outputLimit: 4096, daemonizes: true)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "forked\n")
        // Its shell closes the pipes and then execs the sleep: on a busy machine it may not have yet.
        #expect(await ProcessProbe.wait(upTo: 5) { ProcessProbe.pids(withArgument: marker).count == 1 })
        let daemons = ProcessProbe.pids(withArgument: marker)
        for pid in daemons { kill(pid, SIGKILL) }
    }

    @Test func spawningLeavesChildExitUnblockedOnTheCallingThread() throws {
        // A blocked SIGCHLD is queued to the process and wakes whichever thread takes it (the main thread,
        // once per command); unblocked, the kernel drops it, as its default action is to ignore it.
        var childExit = sigset_t()
        sigemptyset(&childExit)
        sigaddset(&childExit, SIGCHLD)
        var saved = sigset_t()
        pthread_sigmask(SIG_BLOCK, &childExit, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }

        let supervisor = try start("true")
        var now = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &now)
        #expect(sigismember(&now, SIGCHLD) == 0)
        _ = supervisor.watch(until: nil)
        _ = supervisor.finish()
        supervisor.stop.close()
    }
}
