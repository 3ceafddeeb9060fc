/// Turns a byte offset into a line and column counted as libyaml counts them.
///
/// Only libyaml's reader errors need this (they carry an offset, not a mark), so it runs once per failed
/// parse and never on the hot path. Lines end at CR, LF, CRLF (one break), NEL U+0085, LS U+2028 and
/// PS U+2029; columns count characters, not bytes; a leading byte-order mark is not a character.
enum LineCounter {
    /// The 1-based location of the character that starts at `offset` bytes into `input`.
    static func location(ofByteOffset offset: Int, in input: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        let end = min(max(offset, 0), input.count)
        if input.count >= 2, input[0] == 0xFF, input[1] == 0xFE {
            return utf16Location(in: input, from: 2, to: end, bigEndian: false)
        }
        if input.count >= 2, input[0] == 0xFE, input[1] == 0xFF {
            return utf16Location(in: input, from: 2, to: end, bigEndian: true)
        }
        let hasBOM = input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF
        return utf8Location(in: input, from: hasBOM ? 3 : 0, to: end)
    }

    private static func utf8Location(in input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int)
        -> SourceLocation
    {
        var counter = Counter()
        var index = start
        while index < end {
            let byte = input[index]
            if byte & 0xC0 == 0x80 {
                // A continuation byte belongs to the character already counted.
                index += 1
                continue
            }
            var scalar = UInt32(byte)
            if byte == 0xC2, index + 1 < input.count {
                scalar = UInt32(input[index + 1]) == 0x85 ? 0x85 : scalar
            } else if byte == 0xE2, index + 2 < input.count, input[index + 1] == 0x80 {
                let last = input[index + 2]
                scalar = last == 0xA8 ? 0x2028 : last == 0xA9 ? 0x2029 : scalar
            }
            counter.add(scalar)
            index += 1
        }
        return counter.location
    }

    private static func utf16Location(
        in input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, bigEndian: Bool
    ) -> SourceLocation {
        var counter = Counter()
        var index = start
        while index < end, index + 1 < input.count {
            let unit =
                bigEndian
                ? UInt32(input[index]) << 8 | UInt32(input[index + 1])
                : UInt32(input[index + 1]) << 8 | UInt32(input[index])
            // The low half of a surrogate pair belongs to the character its high half began.
            if !(0xDC00...0xDFFF).contains(unit) { counter.add(unit) }
            index += 2
        }
        return counter.location
    }

    /// The running line and column, with CR LF folded into one break.
    private struct Counter {
        var line = 0
        var column = 0
        var afterCR = false

        mutating func add(_ scalar: UInt32) {
            switch scalar {
            case 0x0A where afterCR:
                afterCR = false
            case 0x0A, 0x85, 0x2028, 0x2029:
                line += 1
                column = 0
                afterCR = false
            case 0x0D:
                line += 1
                column = 0
                afterCR = true
            default:
                column += 1
                afterCR = false
            }
        }

        var location: SourceLocation { SourceLocation(line: line + 1, column: column + 1) }
    }
}
