#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The few file operations `fetch` needs on this machine, and the names of temporary files.
enum LocalFiles {
    /// A temporary name beside `path`, hidden, that no other run picks: `DIR/.NAME.planrun-XXXXXXXXXXXX`.
    static func temporaryName(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var generator = SystemRandomNumberGenerator()
        let word: UInt64 = generator.next()
        let suffix = String(word & 0xFFFF_FFFF_FFFF, radix: 16)
        return directory + "." + name + ".planrun-" + suffix
    }

    /// Creates `path`'s parent directories (like `mkdir -p`).
    static func makeParents(of path: String) throws(StepFailure) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        var current = path.hasPrefix("/") ? "/" : ""
        for component in path[..<slash].split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + component
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw StepFailure(.permission, "cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Flushes `path` to disk and renames it over `destination` (atomic within one file system).
    static func install(_ path: String, as destination: String) throws(StepFailure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw StepFailure(.command, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        // Readable as an ordinary new file would be (the download was created owner-only).
        let mask = umask(0)
        umask(mask)
        chmod(path, 0o666 & ~mask)
        guard rename(path, destination) == 0 else {
            throw StepFailure(errno == EACCES ? .permission : .command,
                                  "cannot rename into \(destination): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether two files hold the same bytes (false when either cannot be read).
    static func sameContent(_ a: String, _ b: String) -> Bool {
        let fa = open(a, O_RDONLY | O_CLOEXEC)
        let fb = open(b, O_RDONLY | O_CLOEXEC)
        defer {
            if fa >= 0 { close(fa) }
            if fb >= 0 { close(fb) }
        }
        guard fa >= 0, fb >= 0 else { return false }
        var sa = stat()
        var sb = stat()
        guard fstat(fa, &sa) == 0, fstat(fb, &sb) == 0, sa.st_size == sb.st_size else { return false }
        var bufferA = [UInt8](repeating: 0, count: 64 * 1024)
        var bufferB = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let na = bufferA.withUnsafeMutableBytes { read(fa, $0.baseAddress, $0.count) }
            if na <= 0 { return na == 0 }
            var filled = 0
            while filled < na {
                let nb = bufferB.withUnsafeMutableBytes { read(fb, $0.baseAddress! + filled, na - filled) }
                if nb <= 0 { return false }
                filled += nb
            }
            if bufferA[..<na] != bufferB[..<na] { return false }
        }
    }

    /// The bytes of a local file, or nil with the reason.
    static func readAll(_ path: String) throws(StepFailure) -> [UInt8] {
        guard let bytes = SourceFile.read(path) else {
            throw StepFailure(.command, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    /// The size of a local file in bytes, or nil when it cannot be examined.
    static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Now in UTC as `20261130T073500Z`: the suffix of a backup.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
