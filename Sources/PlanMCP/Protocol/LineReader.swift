import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The client's messages, one line each, read from a descriptor (stdin) until end of file or `finish()`.
///
/// The blocking `read` runs on a serial dispatch queue of its own, never on one of Swift's cooperative
/// threads (two on a two-core machine: a reader parked there would starve the runs). A line longer than
/// `maxLineBytes` is dropped whole and reported as `nil`, so a hostile client cannot grow memory without bound.
final class LineReader: Sendable {
    static let maxLineBytes = 16 << 20

    /// Each line without its line break (a trailing CR is dropped too); `nil` for a line that was too long.
    let lines: AsyncStream<String?>
    private let continuation: AsyncStream<String?>.Continuation

    init(descriptor: Int32) {
        (lines, continuation) = AsyncStream.makeStream(of: String?.self)
        let continuation = self.continuation
        DispatchQueue(label: "planrun.mcp.reader").async {
            Self.readLines(descriptor, into: continuation)
        }
    }

    /// Ends `lines` now (a signal asked the server to stop); the blocked `read` is simply abandoned.
    func finish() {
        continuation.finish()
    }

    private static func readLines(_ descriptor: Int32, into continuation: AsyncStream<String?>.Continuation) {
        var pending: [UInt8] = []
        var overlong = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        func emit(_ bytes: ArraySlice<UInt8>) {
            if overlong {
                continuation.yield(nil)
                overlong = false
                return
            }
            var line = bytes
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continuation.yield(String(decoding: line, as: UTF8.self)) }
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                pending += chunk[start..<index]
                emit(pending[...])
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending += chunk[start..<count]
            if pending.count > maxLineBytes {
                overlong = true
                pending.removeAll()
            }
        }
        if !pending.isEmpty || overlong { emit(pending[...]) }
        continuation.finish()
    }
}
