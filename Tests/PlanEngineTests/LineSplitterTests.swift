@testable import PlanEngine
import Testing

/// `--verbose` lines: cut at line breaks across chunks, CRLF trimmed, a last partial line flushed, and a
/// line without breaks emitted in bounded pieces.
struct LineSplitterTests {
    private func split(_ chunks: [String]) -> [String] {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in chunks {
            var bytes = Array(chunk.utf8)
            bytes.withUnsafeMutableBytes { splitter.feed(UnsafeRawBufferPointer($0)) { lines.append($0) } }
        }
        splitter.flush { lines.append($0) }
        return lines
    }

    @Test func linesSpanChunksAndTheLastOneIsFlushed() {
        #expect(split(["fir", "st\nsec", "ond\r\n", "\nlast"]) == ["first", "second", "", "last"])
    }

    @Test func aLineWithoutBreaksComesOutInBoundedPieces() {
        let long = String(repeating: "x", count: LineSplitter.limit * 2 + 10)
        let lines = split([long])
        #expect(lines.map(\.count) == [LineSplitter.limit, LineSplitter.limit, 10])
    }
}
