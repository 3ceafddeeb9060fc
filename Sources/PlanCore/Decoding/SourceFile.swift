#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading plan, inventory and input files from disk, and finding plans in directories.
///
/// Plain POSIX calls rather than Foundation's `FileManager`: this is all PlanCore needs from the file
/// system, and without Foundation a `planrun validate` process does not load and link it at start-up.
public enum SourceFile {
    /// The file's bytes, or nil when it cannot be read (missing, a directory, no permission).
    public static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return read(descriptor: descriptor)
    }

    /// Everything left to read from an open descriptor (a file, or stdin for `--inputs -`); nil for a
    /// directory or a read error.
    public static func read(descriptor: Int32) -> [UInt8]? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return nil }
        // Sized from fstat, one byte more so that the read that finds the end needs no second buffer; pipes
        // and devices report 0 and grow as they are read.
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: max(bytes.count, 4096)) }
            let n = bytes.withUnsafeMutableBytes { buffer in
                Self.readSome(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    public static func isDirectory(_ path: String) -> Bool {
        kind(path, followingLinks: true) == S_IFDIR
    }

    /// Whether something other than a directory exists at `path` (links followed).
    public static func isFile(_ path: String) -> Bool {
        guard let kind = kind(path, followingLinks: true) else { return false }
        return kind != S_IFDIR
    }

    /// Every `*.yaml` and `*.yml` file under `directory`, recursively, sorted by path.
    ///
    /// Links to directories are not followed (no loops); links to files are listed.
    public static func plans(in directory: String) -> [String] {
        var relative: [String] = []
        collect(in: directory, prefix: "", into: &relative)
        var out: [String] = []
        for name in relative where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isFile(path) { out.append(path) }
        }
        return out.sorted()
    }

    /// Appends the paths under `directory`, relative to the directory the walk started in.
    private static func collect(in directory: String, prefix: String, into out: inout [String]) {
        for name in DirectoryListing.names(in: directory) {
            let relative = prefix + name
            out.append(relative)
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if kind(path, followingLinks: false) == S_IFDIR { collect(in: path, prefix: relative + "/", into: &out) }
        }
    }

    /// The file type bits of `path` (`S_IFDIR`, `S_IFREG`, …), or nil when it does not exist.
    private static func kind(_ path: String, followingLinks: Bool) -> mode_t? {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        return status == 0 ? info.st_mode & S_IFMT : nil
    }

    private static func readSome(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        return Musl.read(descriptor, buffer, count)
        #else
        return Glibc.read(descriptor, buffer, count)
        #endif
    }
}
