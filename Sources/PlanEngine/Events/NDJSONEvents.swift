import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--events FILE|-`: one JSON object per line, written (unbuffered) as each event happens.
public final class NDJSONEvents: EventSink {
    private let descriptor: Int32
    private let owned: Bool
    private let lock = Mutex(())

    private init(descriptor: Int32, owned: Bool) {
        self.descriptor = descriptor
        self.owned = owned
    }

    /// `-` writes to stdout (the CLI then prints the result as one more line, compact, after the events);
    /// any other path is created or truncated. Nil with the reason when the file cannot be opened.
    public static func open(_ path: String) -> Result<NDJSONEvents, OpenFailure> {
        if path == "-" { return .success(NDJSONEvents(descriptor: STDOUT_FILENO, owned: false)) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(OpenFailure(message: "cannot write events to '\(path)': \(String(cString: strerror(errno)))")) }
        return .success(NDJSONEvents(descriptor: fd, owned: true))
    }

    public struct OpenFailure: Error { public var message: String }

    deinit { if owned { close(descriptor) } }

    public func receive(_ event: EventText) {
        var line = event.json
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in StandardStream.write(line, to: descriptor) }
    }
}
