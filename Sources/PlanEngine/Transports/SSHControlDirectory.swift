#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A private (0700) directory for the runs's ssh control sockets, short enough for a Unix socket path.
///
/// Control sockets let anyone who can open them run commands on the node, so they never go in a shared
/// place. The path stays under `/tmp` whatever `TMPDIR` says: socket paths are limited to 107 bytes.
public struct SSHControlDirectory: Sendable {
    public let path: String

    /// Creates `/tmp/planrun-ssh-XXXXXX`.
    /// - Throws: `TransportFailure` of kind `connection` when the directory cannot be made.
    public static func create() throws(TransportFailure) -> SSHControlDirectory {
        var template = Array("/tmp/planrun-ssh-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else {
            throw TransportFailure(.connection, "cannot create a directory for ssh control sockets (errno \(errno))")
        }
        return SSHControlDirectory(path: String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Removes the directory and whatever sockets are left in it. Call after every transport is closed.
    public func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
