import Foundation

/// What the file-transfer tests check of the files they move: checksums, and random binary content.
public enum FileChecks {
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
