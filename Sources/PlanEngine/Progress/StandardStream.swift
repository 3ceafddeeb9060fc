#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Unbuffered writes to stdout and stderr: progress, events, MCP messages and the result come from several
/// threads and each must reach the reader whole, and a second Ctrl-C leaves with `_exit`, so nothing may wait
/// in a buffer.
public enum StandardStream {
    /// Writes all of `text` to `descriptor`, retrying after a signal; stops quietly when the reader is gone.
    public static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { write($0, to: descriptor) }
    }

    /// Writes all of `bytes` (an event's line, already UTF-8) to `descriptor`, as `write(_:to:)` does.
    public static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBufferPointer { write($0, to: descriptor) }
    }

    private static func write(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
