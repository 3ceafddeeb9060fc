/// A place in a source file, 1-based, counted as libyaml counts (CR, LF, CRLF, NEL, LS and PS each end a line).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// The span of a node or token: `start` is its first character, `end` the position just after its last.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    public init(line: Int, column: Int) {
        self.start = SourceLocation(line: line, column: column)
        self.end = self.start
    }

    /// Where nothing in a file can be pointed at (an empty file, a value from the command line).
    public static let unknown = SourceRange(line: 0, column: 0)

    public var description: String { start.description }
}
