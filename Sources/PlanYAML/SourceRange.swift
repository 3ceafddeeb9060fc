/// A place in a source file, 1-based, counted as libyaml counts (CR, LF, CRLF, NEL, LS and PS each end a line).
///
/// Stored in 32 bits each (an input is 16 MB at most by default, `YAMLLimits.maxBytes`; larger values clamp):
/// a large plan keeps hundreds of thousands of locations (in every YAML node, step field and template), and at
/// 64 bits a YAML node's two ranges were over half of its 112 bytes.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    private var storedLine: UInt32
    private var storedColumn: UInt32

    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(clamping: newValue) }
    }

    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(clamping: newValue) }
    }

    public init(line: Int, column: Int) {
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.storedLine, a.storedColumn) < (b.storedLine, b.storedColumn)
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
