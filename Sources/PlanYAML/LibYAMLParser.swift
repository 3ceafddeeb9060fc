import CLibYAML

/// One libyaml event parser over a byte buffer the caller keeps alive, freed when this object goes away.
///
/// The composer pulls events one at a time so that it can stop the moment a limit is hit; libyaml never
/// reads past what the next event needs (plus its own small look-ahead).
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeBufferPointer<UInt8>

    /// Nil only when libyaml cannot allocate its buffers.
    ///
    /// `input` must stay valid for as long as this parser lives.
    init?(input: UnsafeBufferPointer<UInt8>) {
        parser = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) != 0 else {
            parser.deallocate()
            return nil
        }
        self.input = input
        // An empty array may have no base address; libyaml still wants a pointer, which it will not read.
        withUnsafePointer(to: Self.emptyInput) { empty in
            yaml_parser_set_input_string(parser, input.baseAddress ?? empty, input.count)
        }
    }

    private static let emptyInput: UInt8 = 0

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// Fills `event` with the next event; false when libyaml failed (see `failure(file:)`).
    ///
    /// A filled event must be released with `yaml_event_delete`.
    func next(_ event: UnsafeMutablePointer<yaml_event_t>) -> Bool {
        yaml_parser_parse(parser, event) != 0
    }

    /// The error libyaml stopped on, located as libyaml located it.
    ///
    /// Reader errors (bad encoding, control characters) come with a byte offset rather than a mark; their
    /// line and column are counted here from the input, as libyaml would have counted them.
    func failure(file: String?) -> Diagnostic {
        let state = parser.pointee
        let problem = Self.text(state.problem) ?? "libyaml failed without saying why"
        switch state.error {
        case YAML_READER_ERROR:
            var message = problem
            if state.problem_value >= 0 {
                message += " (#x" + String(state.problem_value, radix: 16, uppercase: true) + ")"
            }
            let at = LineCounter.location(ofByteOffset: Int(state.problem_offset), in: input)
            return Diagnostic(
                .yamlEncoding, message, file: file, at: SourceRange(start: at, end: at))
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            var notes: [Diagnostic.Note] = []
            if let context = Self.text(state.context) {
                notes.append(Diagnostic.Note(context, at: SourceRange(mark: state.context_mark)))
            }
            return Diagnostic(
                .yamlSyntax, problem, file: file, at: SourceRange(mark: state.problem_mark), notes: notes)
        case YAML_MEMORY_ERROR:
            return Diagnostic(
                .yamlMemory, "libyaml ran out of memory", file: file, at: SourceRange(mark: state.mark))
        default:
            return Diagnostic(.yamlSyntax, problem, file: file, at: SourceRange(mark: state.mark))
        }
    }

    /// libyaml's messages start lowercase already; this keeps them so if one ever does not.
    private static func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        let text = String(cString: pointer)
        guard let first = text.first, first.isUppercase else { return text }
        return first.lowercased() + text.dropFirst()
    }
}

extension SourceLocation {
    /// libyaml's marks are 0-based; ours are 1-based.
    init(mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

extension SourceRange {
    /// The span between two libyaml marks.
    init(from start: yaml_mark_t, to end: yaml_mark_t) {
        self.init(start: SourceLocation(mark: start), end: SourceLocation(mark: end))
    }

    /// An empty span at one libyaml mark, where an error points.
    init(mark: yaml_mark_t) {
        let at = SourceLocation(mark: mark)
        self.init(start: at, end: at)
    }
}
