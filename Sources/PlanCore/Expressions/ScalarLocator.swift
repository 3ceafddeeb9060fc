import PlanYAML

/// Maps a UTF-8 byte offset in a scalar's text (after YAML unquoting) to a line and column in the plan file.
///
/// Exact for single-line plain and quoted scalars: columns count Unicode scalars as libyaml does, plus
/// one for the opening quote, plus one for each character the quoting had to escape (`''` in single
/// quotes; `\"`, `\\` and control characters in double quotes, where other escapes count as written
/// once). Multi-line flow scalars are folded by YAML, so their offsets are counted along the first line.
/// Block scalars (`|`, `>`) start on the line after the indicator: the line is exact (for `|`), the
/// column counts from the indicator's column since the content's indentation is not known here.
struct ScalarLocator: Sendable {
    /// The location of each byte offset, computed once; nil for text with no place in a file (text from the
    /// command line), where every range is `.unknown`.
    private let table: [SourceLocation]?

    /// A locator for `bytes`, the text of a scalar of `style` written at `range`.
    init(bytes: [UInt8], style: YAMLNode.ScalarStyle, range: SourceRange) {
        let start = range.start
        guard start.line > 0 else {
            table = nil
            return
        }
        switch style {
        case .literal, .folded:
            table = Self.blockTable(bytes, line: start.line + 1, column: start.column)
        case .plain, .singleQuoted, .doubleQuoted:
            let column = style == .plain ? start.column : start.column + 1
            table = Self.inlineTable(bytes, style: style, line: start.line, column: column)
        }
    }

    func location(_ offset: Int) -> SourceLocation {
        guard let table else { return SourceRange.unknown.start }
        return table[Swift.min(offset, table.count - 1)]
    }

    func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(start: location(start), end: location(end))
    }

    private static func inlineTable(_ bytes: [UInt8], style: YAMLNode.ScalarStyle, line: Int, column: Int)
        -> [SourceLocation]
    {
        var table: [SourceLocation] = []
        table.reserveCapacity(bytes.count + 1)
        var column = column
        for b in bytes {
            table.append(SourceLocation(line: line, column: column))
            if b & 0xC0 == 0x80 { continue }  // continuation byte: same character
            column += 1
            switch style {
            case .singleQuoted where b == UInt8(ascii: "'"): column += 1
            case .doubleQuoted where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\"): column += 1
            default: break
            }
        }
        table.append(SourceLocation(line: line, column: column))
        return table
    }

    private static func blockTable(_ bytes: [UInt8], line: Int, column: Int) -> [SourceLocation] {
        var table: [SourceLocation] = []
        table.reserveCapacity(bytes.count + 1)
        var line = line
        var current = column
        var i = 0
        while i < bytes.count {
            table.append(SourceLocation(line: line, column: current))
            let b = bytes[i]
            // libyaml turns CR, CRLF and NEL into LF in scalar text and keeps LS and PS: all end a line.
            let isLineOrParagraphSeparator = b == 0xE2 && i + 2 < bytes.count && bytes[i + 1] == 0x80
                && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)
            if b == 0x0A || isLineOrParagraphSeparator {
                let width = b == 0x0A ? 1 : 3
                for _ in 1..<width { table.append(SourceLocation(line: line, column: current)) }
                i += width
                line += 1
                current = column
                continue
            }
            if b & 0xC0 != 0x80 { current += 1 }
            i += 1
        }
        table.append(SourceLocation(line: line, column: current))
        return table
    }
}
