import CPosixSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Stops the process groups planrun started when planrun itself dies without stopping them (`kill -9`, a
/// crash): over SSH the remote watcher sees its stdin end; this is the same for local commands.
///
/// A small `sh`, started once per process (at the first command), blocks reading a pipe whose only writer
/// is planrun. planrun never writes to it: its death, however it comes, closes it, and that end-of-file is
/// the watcher's cue. planrun keeps the list of its groups in an anonymous in-memory file the watcher
/// shares (`+ PGID` when a group starts, `- PGID` once it has been swept); the watcher reads it only then,
/// with `awk`, and the groups still listed get SIGTERM, then SIGKILL a second later. At a normal exit every
/// group has been swept, so there is nothing to kill.
///
/// Why a file and not lines sent to the watcher: a line sent woke the watcher twice per command, and on two
/// cores that wake-up often took the CPU from planrun's own thread (about a tenth of planrun's system time
/// per trivial step, and an `awk` that ran all along). A line written to the file wakes nobody.
///
/// Lines are never dropped: a lost `- PGID` would leave a swept group listed, and once the kernel reuses its
/// id the watcher would signal a stranger's group. A line ends with ` .`: one cut short by planrun's death
/// in the middle of writing it is ignored (a cut `+ 12345` must not list group 12).
///
/// Why not `PR_SET_PDEATHSIG`: it needs code between fork and exec (planrun spawns with `posix_spawn`), it
/// fires when the spawning *thread* ends (pool threads come and go) rather than the process, and it reaches
/// the leader only, not the group. A watcher process costs one spawn per run and two writes per command.
final class OrphanReaper: Sendable {
    static let shared = OrphanReaper()

    /// Bytes the list may reach before it is emptied, at a moment no group is listed.
    static let listLimit: Int64 = 64 * 1024

    private struct Watcher {
        /// planrun's end of the watcher's stdin, never written to.
        let lifeline: Int32
        /// The list (the watcher's descriptor 3). Written with `pwrite` at `end`, so the file offset the
        /// watcher shares stays at 0 for its read.
        let list: Int32
        let pid: pid_t
        var end: Int64 = 0
        /// Groups listed and not yet swept.
        var listed = 0
    }

    private struct State {
        var tried = false
        /// nil before the first command, or when the watcher could not be started (commands still run).
        var watcher: Watcher?
    }

    private let state = Mutex(State())
    private let script: String

    /// - Parameter script: the watcher's `sh` script (tests replace what happens at end-of-file).
    init(script: String = OrphanReaper.keepList + "\n" + OrphanReaper.killListed) {
        self.script = script
    }

    /// Closing planrun's ends is what planrun's death does: the watcher acts on what the list still holds.
    deinit {
        state.withLock { state in
            guard let watcher = state.watcher else { return }
            close(watcher.list)
            close(watcher.lifeline)
        }
    }

    /// Lists `pgid` as running; starts the watcher on first use.
    func started(_ pgid: pid_t) { note("+ \(pgid) .\n", listed: 1) }

    /// Takes `pgid` off the list once the group has been swept.
    func swept(_ pgid: pid_t) { note("- \(pgid) .\n", listed: -1) }

    /// Empties the list when no group is on it (a run's end): at planrun's exit the watcher then finds it empty
    /// and ends without starting `awk` (a process of about a millisecond of CPU after every run). A group still
    /// listed (another run of an MCP server) keeps the list as it is.
    func emptyIfNothingListed() {
        state.withLock { state in
            guard var watcher = state.watcher, watcher.listed == 0, watcher.end > 0 else { return }
            if ftruncate(watcher.list, 0) == 0 { watcher.end = 0 }
            state.watcher = watcher
        }
    }

    /// The watcher's process id, once started (tests look at it).
    var watcherPID: pid_t? { state.withLock { $0.watcher?.pid } }

    private func note(_ line: String, listed change: Int) {
        state.withLock { state in
            if !state.tried {
                state.tried = true
                state.watcher = Self.startWatcher(script)
            }
            guard var watcher = state.watcher else { return }
            defer { state.watcher = watcher }
            var line = line
            let written = line.withUTF8 { bytes -> Bool in
                var offset = 0
                while offset < bytes.count {
                    let count = pwrite(
                        watcher.list, bytes.baseAddress! + offset, bytes.count - offset, off_t(watcher.end) + off_t(offset))
                    if count > 0 { offset += count } else if count < 0, errno == EINTR { continue } else { return false }
                }
                return true
            }
            guard written else {
                // Out of memory for the file: cut what was half written; the watcher must not read it.
                _ = ftruncate(watcher.list, off_t(watcher.end))
                return
            }
            watcher.end += Int64(line.utf8.count)
            watcher.listed += change
            // A long run's list stays short: emptied whenever nothing is listed.
            if watcher.listed == 0, watcher.end > Self.listLimit, ftruncate(watcher.list, 0) == 0 { watcher.end = 0 }
        }
    }

    /// The watcher's wait and its list: `read` returns at end-of-file (planrun is gone); a list seen to be empty
    /// ends the watcher there (`emptyIfNothingListed`), else `awk` reads the file and leaves the groups still
    /// listed in `$g`, one id a line. Signals that reach planrun's terminal group are ignored, by `awk` too (an
    /// ignored signal stays so).
    static let keepList = [
        "trap '' INT TERM HUP QUIT",
        "read -r _",
        "! [ -e /dev/fd/3 ] || [ -s /dev/fd/3 ] || exit 0",
        "g=$(awk '$3 != \".\" { next } $1 == \"+\" { g[$2] = 1 } $1 == \"-\" { delete g[$2] } END { for (p in g) print p }' <&3)",
    ].joined(separator: "\n")

    /// What the watcher does at end-of-file: stops the groups still listed.
    static let killListed = [
        "[ -n \"$g\" ] || exit 0",
        "for q in $g; do kill -TERM -\"$q\"; done 2>/dev/null",
        "sleep 1",
        "for q in $g; do kill -KILL -\"$q\"; done 2>/dev/null",
    ].joined(separator: "\n")

    /// Starts the watcher in its own process group (so a signal to planrun's group does not end it), its
    /// stdin the read end of planrun's lifeline and its descriptor 3 the list; nil when it cannot start.
    private static func startWatcher(_ script: String) -> Watcher? {
        let list = cps_memfd("planrun-groups")
        guard list >= 0 else { return nil }
        var fds: [Int32] = [-1, -1]
        guard cps_pipe_cloexec(&fds) == 0 else {
            close(list)
            return nil
        }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        if null >= 0 {
            posix_spawn_file_actions_adddup2(&actions, null, 1)
            posix_spawn_file_actions_adddup2(&actions, null, 2)
        }
        posix_spawn_file_actions_adddup2(&actions, list, 3)
        _ = cps_spawn_addclosefrom(&actions, 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let argv = (["sh", "-c", script, "planrun-reaper"] as [String]).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[0])
        guard code == 0 else {
            close(fds[1])
            close(list)
            return nil
        }
        return Watcher(lifeline: fds[1], list: list, pid: pid)
    }
}
