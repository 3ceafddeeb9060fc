/// A file's lines, found once, counted as libyaml counts them (CR, LF, CRLF, NEL, LS, PS each end a line),
/// so that a diagnostic's line number finds the line it means.
public struct SourceLines: Sendable {
    private let bytes: [UInt8]
    /// Byte offset where each line starts; `starts[0]` is line 1.
    private var starts: [Int] = [0]
    private var ends: [Int] = []

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var i = 0
        while i < bytes.count {
            var breakLength = 0
            switch bytes[i] {
            case 0x0A: breakLength = 1
            case 0x0D: breakLength = i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1
            case 0xC2 where i + 1 < bytes.count && bytes[i + 1] == 0x85: breakLength = 2
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                breakLength = 3
            default: break
            }
            if breakLength > 0 {
                ends.append(i)
                starts.append(i + breakLength)
                i += breakLength
            } else {
                i += 1
            }
        }
        ends.append(bytes.count)
    }

    public var count: Int { starts.count }

    /// The text of 1-based line `number`, without its line break; nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= starts.count else { return nil }
        return String(decoding: bytes[starts[number - 1]..<ends[number - 1]], as: UTF8.self)
    }
}
