import PlanEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A run that has started and has no row in the store yet: a small file, `running/PID-N.json` in the store's
/// directory, holding what the row's start will say. The store is written at the run's first flush or at its
/// end, not before its first step; a planrun killed before that (`kill -9` in its first 0.2 s) leaves the
/// marker, and the next planrun to write the store, or `history` and `show`, turn it into an `interrupted`
/// record. Writing it costs a run's start one small file, where opening the store cost most of a millisecond.
struct RunMarker: Sendable {
    let path: String
    /// The planrun that wrote it.
    let pid: Int32

    static let directoryName = "running"

    /// Writes the marker of a run starting now with `start`; nil when it cannot be written (the run is still
    /// recorded once the store is written; only a `kill -9` before that would go unrecorded).
    static func write(_ start: RunStore.Start, in directory: String) -> RunMarker? {
        let folder = directory + "/" + directoryName
        guard (try? RunStore.makeDirectory(folder)) != nil else { return nil }
        let text = Array(start.json.jsonText().utf8)
        // Named by pid, and a number for the (rare) second run of one process (an MCP server runs many).
        for _ in 0..<1000 {
            let path = "\(folder)/\(getpid())-\(sequence.withLock { $0 += 1; return $0 }).json"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                return nil
            }
            let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == text.count else {
                unlink(path)
                return nil
            }
            return RunMarker(path: path, pid: getpid())
        }
        return nil
    }

    /// The run's row is written: the marker has no more to say.
    func remove() { unlink(path) }

    /// The markers in `directory` left by planruns that are gone (only their names are read).
    static func orphans(in directory: String) -> [RunMarker] {
        let folder = directory + "/" + directoryName
        return DirectoryListing.names(in: folder).compactMap { name in
            guard name.hasSuffix(".json"), let pid = Int32(name.prefix { $0 != "-" }), !isAlive(pid) else { return nil }
            return RunMarker(path: folder + "/" + name, pid: pid)
        }
    }

    /// The run's start as the marker holds it; nil when it is gone, or cannot be read as one (cut short by the
    /// kill itself).
    var start: RunStore.Start? {
        SourceFile.read(path).flatMap { try? Value.parseJSON(String(decoding: $0, as: UTF8.self)) }
            .flatMap(RunStore.Start.init(json:))
    }

    /// Whether process `pid` exists (one that planrun may not signal exists too). This process is alive.
    static func isAlive(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    /// Numbers the markers of one process apart.
    private static let sequence = Mutex(0)
}
