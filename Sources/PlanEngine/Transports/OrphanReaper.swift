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
/// A small `sh` with `awk`, started once per process (at the first command), reads a socket from planrun:
/// `+ PGID` when a group starts, `- PGID` when it has been swept. It holds the only other end, so planrun's
/// death, however it comes, is end-of-file there; the groups still listed get SIGTERM, then SIGKILL a second later. At a
/// normal exit every group has been swept and forgotten, so there is nothing to kill.
///
/// Lines are never dropped: a lost `- PGID` would leave a swept group listed, and once the kernel reuses its
/// id the watcher would signal a stranger's group. So a write waits while the watcher is behind (a burst of
/// a few hundred commands fills a socket buffer), for at most `sendTimeout` seconds: only a watcher that
/// stopped reading (a stopped process) loses lines after that.
///
/// Why not `PR_SET_PDEATHSIG`: it needs code between fork and exec (planrun spawns with `posix_spawn`), it
/// fires when the spawning *thread* ends (pool threads come and go) rather than the process, and it reaches
/// the leader only, not the group. A watcher process costs one spawn per run and two short writes per command.
final class OrphanReaper: Sendable {
    static let shared = OrphanReaper()

    /// Seconds a write may wait for the watcher to catch up.
    static let sendTimeout = 5

    /// planrun's end of the socket; -1 when the watcher could not be started (commands still run).
    private let socket = Mutex<Int32?>(nil)
    private let script: String

    /// - Parameter script: the watcher's `sh` script (tests replace what happens at end-of-file).
    init(script: String = OrphanReaper.keepList + "\n" + OrphanReaper.killListed) {
        self.script = script
    }

    /// Closing planrun's end is what planrun's death does: the watcher acts on what it still lists.
    deinit {
        socket.withLock { fd in if let open = fd, open >= 0 { close(open) } }
    }

    /// Lists `pgid` as running; starts the watcher on first use.
    func started(_ pgid: pid_t) { send("+ \(pgid)\n") }

    /// Takes `pgid` off the list once the group has been swept.
    func swept(_ pgid: pid_t) { send("- \(pgid)\n") }

    private func send(_ line: String) {
        socket.withLock { fd in
            if fd == nil { fd = Self.startWatcher(script) }
            guard let open = fd, open >= 0 else { return }
            var line = line
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let sent = Glibc.send(open, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    if sent > 0 { offset += sent } else if sent < 0, errno == EINTR { continue } else { return }
                }
            }
        }
    }

    /// The watcher's list: `awk` keeps it (reading the socket in blocks, a line costs no system call of its
    /// own, so the watcher keeps up with a fan-out) and at end-of-file leaves it in `$g`, one id a line.
    /// Signals that reach planrun's terminal group are ignored, by `awk` too (an ignored signal stays so).
    static let keepList = [
        "trap '' INT TERM HUP QUIT",
        "g=$(awk '$1 == \"+\" { g[$2] = 1 } $1 == \"-\" { delete g[$2] } END { for (p in g) print p }')",
    ].joined(separator: "\n")

    /// What the watcher does at end-of-file: stops the groups still listed.
    static let killListed = [
        "[ -n \"$g\" ] || exit 0",
        "for q in $g; do kill -TERM -\"$q\"; done 2>/dev/null",
        "sleep 1",
        "for q in $g; do kill -KILL -\"$q\"; done 2>/dev/null",
    ].joined(separator: "\n")

    /// Starts the watcher in its own process group (so a signal to planrun's group does not end it), its
    /// stdin the other end of a socket pair; returns planrun's end, or -1.
    private static func startWatcher(_ script: String) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return -1 }
        var wait = timeval(tv_sec: sendTimeout, tv_usec: 0)
        setsockopt(fds[0], SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 0)
        if null >= 0 {
            posix_spawn_file_actions_adddup2(&actions, null, 1)
            posix_spawn_file_actions_adddup2(&actions, null, 2)
        }
        _ = cps_spawn_addclosefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let argv = (["sh", "-c", script, "planrun-reaper"] as [String]).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[1])
        guard code == 0 else {
            close(fds[0])
            return -1
        }
        return fds[0]
    }
}
