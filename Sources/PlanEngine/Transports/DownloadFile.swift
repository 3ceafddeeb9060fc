#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The local file a command's stdout goes to (`fetch`), opened for the command and closed after it: the
/// child writes into it directly, so nothing of a large file passes through planrun's memory.
struct DownloadFile {
    /// -1 when there is no download; otherwise opened write-only, created or truncated, owner-only.
    private(set) var descriptor: Int32?

    init(_ path: String?) throws(UploadFailure) {
        guard let path else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw UploadFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        descriptor = fd
    }

    func close() {
        if let descriptor { _ = Glibc.close(descriptor) }
    }
}
