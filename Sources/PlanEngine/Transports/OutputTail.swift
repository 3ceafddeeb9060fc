/// The last `limit` bytes of a stream, so a chatty command cannot exhaust memory and the end of its
/// output — where the error usually is — survives.
///
/// Past the limit the front is dropped and the rendered text starts with `…[truncated N bytes]` and a newline.
struct OutputTail: Sendable {
    /// Most bytes kept.
    let limit: Int
    /// Kept bytes; may temporarily hold up to twice `limit` so that dropping the front is amortised.
    private var bytes: [UInt8] = []
    /// Bytes dropped from the front so far.
    private(set) var droppedCount = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        guard !chunk.isEmpty else { return }
        if chunk.count >= limit {
            droppedCount += bytes.count + chunk.count - limit
            bytes = Array(chunk.suffix(limit))
            return
        }
        bytes.append(contentsOf: chunk)
        if bytes.count > 2 * limit { trim() }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private mutating func trim() {
        let excess = bytes.count - limit
        guard excess > 0 else { return }
        bytes.removeFirst(excess)
        droppedCount += excess
    }

    /// The kept bytes as text (invalid UTF-8 repaired), with the truncation mark when anything was dropped.
    var text: String {
        var copy = self
        copy.trim()
        guard copy.droppedCount > 0 else { return String(decoding: copy.bytes, as: UTF8.self) }
        // The cut may split a multi-byte character; start at the next character boundary.
        let start = copy.bytes.firstIndex { $0 & 0b1100_0000 != 0b1000_0000 } ?? copy.bytes.endIndex
        let dropped = copy.droppedCount + start
        return Self.truncationMark + "\(dropped) bytes]\n" + String(decoding: copy.bytes[start...], as: UTF8.self)
    }

    /// How the text of a truncated stream starts (then the count and `bytes]`).
    static let truncationMark = "…[truncated "

}
