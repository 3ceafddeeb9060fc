import PlanTestSupport
import PlanYAML
import Testing

/// Lines and columns are counted as libyaml counts them: CR, LF, CRLF, NEL, LS and PS each end a line, and
/// columns count characters, not bytes. Reader errors (which libyaml reports as a byte offset) agree.
@Suite struct LineBreakTests {
    static let breaks: [(name: String, text: String)] = [
        ("LF", "\n"), ("CR", "\r"), ("CRLF", "\r\n"), ("NEL", "\u{85}"), ("LS", "\u{2028}"), ("PS", "\u{2029}"),
    ]

    @Test(arguments: breaks)
    func eachBreakEndsALine(name: String, text: String) throws {
        let yaml = ["a: 1", "b: 2", "c: 3"].joined(separator: text) + text
        let (node, diagnostics) = compose(bytes: Array(yaml.utf8))
        #expect(diagnostics.isEmpty, "\(name)")
        let root = try #require(node)
        #expect(root.keys == ["a", "b", "c"], "\(name)")
        let c = try #require(root.mapping?.last)
        #expect(c.key.range.start == Location(line: 3, column: 1), "\(name)")
        #expect(c.value.range == SourceRange(start: Location(line: 3, column: 4), end: Location(line: 3, column: 5)))
    }

    @Test(arguments: breaks)
    func readerErrorAfterEachBreakIsCountedTheSameWay(name: String, text: String) {
        let yaml = Array(("a: 1" + text + "bé: 2" + text + "c: ").utf8) + [0x00]
        let (_, diagnostics) = compose(bytes: yaml)
        #expect(diagnostics.map(\.id) == [.yamlEncoding], "\(name)")
        #expect(diagnostics.first?.range.start == Location(line: 3, column: 4), "\(name)")
    }

    @Test func syntaxErrorAfterNELIsOnTheRightLine() {
        let yaml = "a: 1\u{85}b: [1, 2\u{85}c: 3\u{85}"
        let (_, diagnostics) = compose(bytes: Array(yaml.utf8))
        #expect(diagnostics.map(\.id) == [.yamlSyntax])
        #expect(diagnostics.first?.range.start == Location(line: 3, column: 2))
        #expect(diagnostics.first?.notes.first?.range?.start == Location(line: 2, column: 4))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let source = MarkedSource("é€😀: 1️⃣ü2️⃣\n")
        let root = try #require(compose(source).node)
        let pair = try #require(root.mapping?.first)
        #expect(pair.key.scalar == "é€😀")
        #expect(pair.key.range.end == Location(line: 1, column: 4))
        #expect(pair.value.range == SourceRange(source, "1️⃣", "2️⃣"))
    }

    @Test func byteOrderMarkIsNotAColumn() throws {
        let (node, _) = compose(bytes: Array("\u{FEFF}a: 1\n".utf8))
        #expect(node?.mapping?.first?.key.range.start == Location(line: 1, column: 1))
        let (_, diagnostics) = compose(bytes: Array("\u{FEFF}a: ".utf8) + [0x00])
        #expect(diagnostics.first?.range.start == Location(line: 1, column: 4))
    }

    @Test func utf16InputIsReadAndLocated() throws {
        let (node, diagnostics) = compose(bytes: utf16LittleEndian("a: é\nb: 😀2\n"))
        #expect(diagnostics.isEmpty)
        #expect(node?["a"]?.scalar == "é")
        #expect(node?["b"]?.scalar == "😀2")
        #expect(node?["b"]?.range.end == Location(line: 2, column: 6))

        let (_, errors) = compose(bytes: utf16LittleEndian("a: 😀\nb: \0"))
        #expect(errors.map(\.id) == [.yamlEncoding])
        #expect(errors.first?.range.start == Location(line: 2, column: 4))
    }
}
