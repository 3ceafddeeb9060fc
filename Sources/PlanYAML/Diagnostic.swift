/// One problem found in a plan or its inputs, reported with the others rather than thrown alone,
/// so that `planrun validate` can show every problem in one pass.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note

        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// A second place that explains the first: the other occurrence of a duplicate key, the alias that led here.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var range: SourceRange?
        /// The file the range points into when it is not the diagnostic's own (an input given in a JSON file,
        /// declared in the plan).
        public var file: String?

        public init(_ message: String, at range: SourceRange? = nil, file: String? = nil) {
            self.message = message
            self.range = range
            self.file = file
        }
    }

    /// Stable identifier such as `plan.unknown-key`; tools and tests match on it, never on the message.
    public var id: DiagnosticID
    /// Fixed by the id (`DiagnosticID.severity`).
    public var severity: Severity { id.severity }
    /// Lowercase, no trailing period, as the compiler writes them.
    public var message: String
    /// The file the range points into; nil for problems that come from the command line.
    public var file: String?
    public var range: SourceRange
    public var notes: [Note]
    /// Replacement text for the range, e.g. the did-you-mean of an unknown key.
    public var fixIt: String?

    public init(
        _ id: DiagnosticID, _ message: String, file: String? = nil, at range: SourceRange, notes: [Note] = [],
        fixIt: String? = nil
    ) {
        self.id = id
        self.message = message
        self.file = file
        self.range = range
        self.notes = notes
        self.fixIt = fixIt
    }

    /// `file:line:column: severity: message [id]`, the line every renderer starts from.
    public var summary: String {
        var place = file ?? "<input>"
        if range != .unknown { place += ":\(range.start.line):\(range.start.column)" }
        return "\(place): \(severity.rawValue): \(message) [\(id)]"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sets the file on every diagnostic that does not name one yet.
    public func inFile(_ file: String) -> [Diagnostic] {
        map { var d = $0; if d.file == nil { d.file = file }; return d }
    }
}
