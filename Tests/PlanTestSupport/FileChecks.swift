import Foundation

/// What the file-transfer tests check of the files they move: checksums, and random binary content.
public enum FileChecks {
    /// Writes an executable script through a close-on-exec descriptor. Foundation's `write(toFile:)` opens
    /// without O_CLOEXEC: a child that another test's thread spawns meanwhile inherits the open file, and
    /// while any process holds it open for writing, executing it fails with ETXTBSY ("Text file busy"): a
    /// stand-in on PATH is then passed over for the real program, now and then, under load.
    public static func writeExecutable(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        fchmod(fd, 0o755)
    }

    /// The file's SHA-256 as `sha256sum` prints it (hex), or "" when it cannot be read.
    public static func sha256(_ path: String) -> String {
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// `count` random bytes (NULs and every other byte value, no line structure), with a NUL at both ends.
    public static func binary(_ count: Int) -> [UInt8] {
        var bytes = Array(FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: count))
        bytes[0] = 0
        bytes[count - 1] = 0
        return bytes
    }
}
