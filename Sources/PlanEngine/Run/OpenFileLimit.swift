#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`), raised at the start of a run and respected by it.
///
/// Every command or connection in flight holds a few descriptors (its stdout, stderr and stdin pipes and a
/// pidfd; during the spawn both ends of each pipe). A fan-out over hundreds of nodes under the common soft
/// limit of 1,024 failed node after node with "Too many open files". planrun raises the soft limit to the
/// hard one, as Go's runtime and systemd's services do, and bounds the processes it runs at once so that
/// they always fit under what is left.
public enum OpenFileLimit {
    /// Descriptors one running command or connection set-up needs at most.
    static let perProcess = 8
    /// Descriptors kept free for planrun itself: standard streams, the run store, the runtime's own.
    static let reserved = 32

    /// Raises the soft limit to the hard limit (it can only go up; nothing happens when it fails).
    /// - Returns: the soft limit now in force.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The soft limit in force.
    static func current() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// How many commands and connection set-ups may be in flight together under a soft limit of `limit`:
    /// three quarters of what is not reserved (the rest is for nodes' sessions).
    static func processBudget(limit: Int) -> Int {
        max(2, (limit - reserved) * 3 / 4 / perProcess)
    }

    /// Descriptors an SSH node's session holds for the whole run (its three pipes and a pidfd).
    static let perSession = 4

    /// How many SSH nodes may keep a session open at once under a soft limit of `limit`: a quarter of what
    /// is not reserved. A node past it is served by a master and a command each, as before sessions.
    static func sessionBudget(limit: Int) -> Int {
        max(0, (limit - reserved) / 4 / perSession)
    }
}
