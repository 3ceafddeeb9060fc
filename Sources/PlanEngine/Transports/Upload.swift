import CPosixSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Bytes a command receives ahead of itself (`copy`): written to `path` on the node before the command
/// starts, and removed there after it ends, whatever its end; a command that keeps the file moves it away.
///
/// The bytes travel on the command's stdin, streamed from a file or from memory in chunks (a 1 GB file is
/// never held whole), through the node's existing connection; they never appear on a command line, so
/// size, NUL and binary content do not matter.
public struct Upload: Sendable {
    public enum Source: Sendable {
        /// A local file, read in chunks while it is sent.
        case file(String)
        /// Bytes in memory (a rendered template or `content:`).
        case bytes([UInt8])
    }

    public var source: Source
    /// Where the node keeps the bytes while the command runs: a temporary name beside the destination.
    public var path: String
    /// The file the bytes are to become, when it may take the node's umask: if nothing is there as they
    /// arrive, they are saved with the umask's mode rather than owner-only, so the new file needs no
    /// `chmod` (a process on the node) before it is renamed into place.
    public var umaskModeIfAbsent: String?

    public init(source: Source, path: String, umaskModeIfAbsent: String? = nil) {
        self.source = source
        self.path = path
        self.umaskModeIfAbsent = umaskModeIfAbsent
    }
}

/// Feeds an upload's bytes to a child's stdin from the supervisor's poll loop, one chunk per writable turn,
/// so the transfer needs no thread of its own and holds at most one chunk in memory.
///
/// A file is spliced into the pipe (Linux moves its page-cache pages without copying them through planrun;
/// a 100 MB copy otherwise costs two memory copies and a read and a write every 64 KB); where the file
/// cannot be spliced, it is read and written in chunks.
final class UploadFeed: @unchecked Sendable {
    /// The number of bytes the node is told to expect (fixed when the source is opened).
    let size: Int
    private var fd: Int32 = -1
    private let bytes: [UInt8]
    /// Source bytes sent so far.
    private var sent = 0
    /// Whether `Upload.endLine` went out after them (the node's receive reads it to know the bytes came whole).
    private var endSent = false
    private var chunk: [UInt8] = []
    private var chunkOffset = 0
    /// Set when the source could not be read to its announced size (it shrank, or a read failed).
    private(set) var failure: String?
    /// Cleared when splice refuses the file (EINVAL): then it is read and written instead.
    private var splices = true

    /// Opens the source and fixes its size.
    init(_ source: Upload.Source) throws(UploadFailure) {
        switch source {
        case .bytes(let data):
            bytes = data
            size = data.count
        case .file(let path):
            bytes = []
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw UploadFailure(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw UploadFailure(message: "cannot send \(path): not a regular file")
            }
            self.fd = fd
            size = Int(info.st_size)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    var isDone: Bool { endSent || failure != nil }

    /// Every byte and the end line were written to the child (they may still be in a pipe or on the network).
    var sentWhole: Bool { endSent }

    /// Writes what the pipe takes without blocking (`pipe` is non-blocking). Returns false when the child
    /// no longer reads (EPIPE) or the source failed: feeding stops and the command sees a short upload.
    func feed(_ pipe: Int32) -> Bool {
        withBrokenPipeHeld { feedHeld(pipe) }
    }

    private func feedHeld(_ pipe: Int32) -> Bool {
        while !isDone {
            if fd >= 0, splices, sent < size, chunkOffset >= chunk.count {
                switch splice(into: pipe) {
                case .moved, .interrupted: continue
                case .pipeFull: return true
                case .failed: return false
                case .unsupported: splices = false
                }
            }
            if chunkOffset >= chunk.count {
                if sent >= size {
                    chunk = Upload.endLine
                    chunkOffset = 0
                } else if !refill() { return false }
            }
            let written = chunk.withUnsafeBytes { buffer in
                write(pipe, buffer.baseAddress! + chunkOffset, chunk.count - chunkOffset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return true }
                failure = "the command stopped reading its input: \(String(cString: strerror(errno)))"
                return false
            }
            chunkOffset += written
            if sent < size { sent += written } else if chunkOffset == chunk.count { endSent = true }
        }
        return true
    }

    static let chunkSize = 64 * 1024
    /// At most this much is spliced at once: the pipe's capacity (`pipeSize`).
    static let spliceSize = 1 << 20
    /// The capacity asked for an upload's pipe: a larger pipe means fewer turns of the poll loop (and of the
    /// reading ssh) per megabyte. Unprivileged users get up to 1 MiB (`/proc/sys/fs/pipe-max-size`).
    static let pipeSize: Int32 = 1 << 20

    private enum Spliced { case moved, interrupted, pipeFull, failed, unsupported }

    /// Moves the next bytes of the file into the pipe, from the file offset `sent` (so a fall back to `refill`
    /// goes on from there).
    private func splice(into pipe: Int32) -> Spliced {
        var offset = Int64(sent)
        let moved = cps_splice_to_pipe(fd, &offset, pipe, UInt(min(Self.spliceSize, size - sent)))
        if moved > 0 {
            sent += moved
            return .moved
        }
        if moved == 0 {
            failure = "the file shrank while it was sent"
            return .failed
        }
        switch errno {
        case EINTR: return .interrupted
        case EAGAIN: return .pipeFull
        case EINVAL, ENOSYS: return .unsupported
        case EPIPE:
            failure = "the command stopped reading its input: \(String(cString: strerror(errno)))"
            return .failed
        default:
            failure = "read failed: \(String(cString: strerror(errno)))"
            return .failed
        }
    }

    /// The next chunk from the source.
    private func refill() -> Bool {
        let wanted = min(Self.chunkSize, size - sent)
        chunkOffset = 0
        if fd < 0 {
            chunk = Array(bytes[sent..<(sent + wanted)])
            return true
        }
        if chunk.count != wanted { chunk = [UInt8](repeating: 0, count: wanted) }
        var filled = 0
        while filled < wanted {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, wanted - filled, off_t(sent + filled)) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 {
                failure = count == 0 ? "the file shrank while it was sent" : "read failed: \(String(cString: strerror(errno)))"
                return false
            }
            filled += count
        }
        return true
    }
}

/// An upload's source, or a download's file, could not be opened.
struct UploadFailure: Error, Sendable {
    var message: String

    /// The command's outcome: nothing was started.
    var outcome: CommandOutcome {
        CommandOutcome(exitCode: nil, stderr: "planrun: \(message)\n", failure: TransportFailure(.command, message))
    }
}

extension CommandRequest {
    /// Opens what the command transfers, for either transport: the upload's source and the download's file.
    func openTransfer() throws(UploadFailure) -> (feed: UploadFeed?, download: DownloadFile) {
        (try upload.map { upload throws(UploadFailure) in try UploadFeed(upload.source) }, try DownloadFile(download))
    }
}

extension Upload {
    /// Exit status of a command whose upload did not arrive whole (the node could not write it, or the
    /// stream ended early): nothing of it is kept.
    public static let failedStatus: Int32 = 125

    /// Shell text that saves `size` bytes of the input at `path` (readable by the owner only, unless
    /// `umaskUnless` expands to a path where nothing exists: then with the umask's mode) and flushes
    /// them to disk, or exits with `failedStatus`, removing what arrived. It stops at `size` and at the end
    /// line after it (`endLine`), so what follows on the same input stays unread. A stream that ends early
    /// (the connection dropped, planrun was stopped) has no end line where it should be: the upload failed.
    ///
    /// One `dd` (GNU coreutils or BusyBox) reads exactly `size` bytes, writes them and flushes the file
    /// (`conv=fsync`), where `head -c`, `wc -c` and `sync` took a process each. Above `writeBehindSize`, where
    /// `dd` knows `oflag=nocache` (GNU; `ddCheck`), it reads 1 MiB blocks and asks the kernel after each to
    /// start writing it: the disk then works while the rest is still on its way, and the flush only waits for
    /// the last blocks. A `dd` that rejects the flags stops before it creates the file (and says so on
    /// stderr); then `head -c` and `sync FILE` receive instead.
    /// - Parameter end: how the failure ends the script: `exit` where it is a shell's own, `return` in a function.
    static func receiveScript(
        size: String, path: String, input: String, umaskUnless: String = "\"\"", end: String = "exit"
    ) -> String {
        "{ ({ [ -n \(umaskUnless) ] && [ ! -e \(umaskUnless) ] && [ ! -L \(umaskUnless) ]; } || umask 077; b=65536; o=; if [ \(size) -gt \(writeBehindSize) ] && \(ddCheck) 2>/dev/null; then b=1048576; o=oflag=nocache; fi;"
            + " dd bs=$b $o iflag=fullblock,count_bytes count=\(size) conv=fsync status=none \(input) of=\(path)"
            + " || { [ ! -e \(path) ] && head -c \(size) \(input) >\(path) && sync \(path); })"
            + " && IFS= read -r z \(input) && [ \"$z\" = \(String(decoding: endLine.dropLast(), as: UTF8.self)) ]; }"
            + " || { rm -f \(path); echo \"planrun: the upload to \(path) did not arrive whole\" >&2; \(end) \(failedStatus); }"
    }

    /// What planrun sends right after an upload's bytes: the receive reads it to know they all came.
    static let endLine = Array("planrun-upload-end\n".utf8)

    /// Uploads larger than this many bytes are received with write-behind.
    static let writeBehindSize = 8 << 20

    /// Succeeds only with a `dd` that knows `oflag=nocache` besides the input flags every receive uses; reads
    /// nothing. (Not `conv=fsync`: /dev/null cannot be flushed; the receive itself shows whether dd knows it.)
    static let ddCheck = "dd if=/dev/null iflag=fullblock,count_bytes oflag=nocache count=0 status=none >/dev/null"
}
