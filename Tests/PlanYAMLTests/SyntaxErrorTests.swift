import PlanTestSupport
import PlanYAML
import Testing

/// Bad input is a located diagnostic with a stable id, never a crash: syntax, encoding, extra documents.
@Suite struct SyntaxErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var message: String
        var context: String?
        var testDescription: String { source.debugDescription }
    }

    /// 1️⃣ marks where libyaml found the problem, 2️⃣ where its context began.
    static let cases: [Case] = [
        Case(
            source: "a: 1\nb: 2️⃣[1, 2\nc1️⃣: 3\n", message: "did not find expected ',' or ']'",
            context: "while parsing a flow sequence"),
        Case(source: "a: b\n  c1️⃣: d\n", message: "mapping values are not allowed in this context"),
        Case(
            source: "key: 2️⃣\"unterminated\n1️⃣", message: "found unexpected end of stream",
            context: "while scanning a quoted scalar"),
        Case(
            source: "a: 2️⃣1️⃣@b\n", message: "found character that cannot start any token",
            context: "while scanning for the next token"),
        Case(
            source: "a:\n2️⃣1️⃣\tb: 1\n", message: "found character that cannot start any token",
            context: "while scanning for the next token"),
        Case(
            source: "2️⃣x: [1, 2]1️⃣]\n", message: "did not find expected key", context: "while parsing a block mapping"),
    ]

    @Test(arguments: cases)
    func syntaxErrorPointsWhereLibYAMLStopped(_ example: Case) throws {
        let source = MarkedSource(example.source)
        let (node, diagnostics) = compose(source)
        #expect(node == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.id == .yamlSyntax)
        #expect(diagnostic.message == example.message)
        #expect(diagnostic.range.start == source["1️⃣"])
        #expect(diagnostic.notes.map(\.message) == (example.context.map { [$0] } ?? []))
        if example.context != nil {
            #expect(diagnostic.notes.first?.range?.start == source["2️⃣"])
        }
    }

    /// Each bad byte sequence after a valid prefix; the error points at the offending byte.
    static let badBytes: [([UInt8], Location)] = [
        (Array("key: ok\nbad: ".utf8) + [0xC3, 0x28], Location(line: 2, column: 7)),
        (Array("key: ok\nbad: ".utf8) + [0xFF], Location(line: 2, column: 6)),
        (Array("a: é".utf8) + [0xE2, 0x82], Location(line: 1, column: 5)),
        (Array("a: b\n".utf8) + [0x00], Location(line: 2, column: 1)),
        (Array("a: b".utf8) + [0x00] + Array("c\n".utf8), Location(line: 1, column: 5)),
        ([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00], Location(line: 1, column: 1)),
    ]

    @Test(arguments: badBytes)
    func encodingErrorIsLocated(_ bytes: [UInt8], _ location: Location) throws {
        let (node, diagnostics) = compose(bytes: bytes)
        #expect(node == nil)
        #expect(diagnostics.map(\.id) == [.yamlEncoding])
        #expect(diagnostics.first?.range.start == location)
    }

    @Test func nulByteNamesTheCharacter() {
        let (_, diagnostics) = compose(bytes: Array("a: ".utf8) + [0])
        #expect(diagnostics.first?.message == "control characters are not allowed (#x0)")
    }

    /// Pseudo-random bytes (fixed seeds): always a located error, never a crash.
    @Test(arguments: [1, 2, 3, 42, 2024] as [UInt64])
    func binaryGarbageIsALocatedError(seed: UInt64) throws {
        var state = seed
        let bytes = (0..<65_536).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let (node, diagnostics) = compose(bytes: bytes)
        #expect(node == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect([.yamlSyntax, .yamlEncoding].contains(diagnostic.id))
        #expect(diagnostic.range.start.line >= 1 && diagnostic.range.start.column >= 1)
    }

    @Test(arguments: ["]]]:::{{{", "{{{{", "- a\nb: c\n", "'", "&", "*", "? : : :"])
    func printableGarbageIsALocatedError(_ text: String) throws {
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(node == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == .yamlSyntax || diagnostic.id == .yamlUnknownAlias)
        #expect(diagnostic.range.start.line >= 1 && diagnostic.range.start.column >= 1)
    }

    @Test(arguments: [
        "a: 1\n1️⃣---\nb: 2\n",
        "---\na: 1\n1️⃣--- {b: 2}\n",
        "a: 1\n...\n1️⃣---\nb: 2\n",
        // The second document is not read, so its own syntax errors do not hide this one.
        "a: 1\n1️⃣---\n[[[\n",
    ])
    func aSecondDocumentIsAnErrorAtItsStart(_ text: String) throws {
        let source = MarkedSource(text)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.map(\.id) == [.yamlMultipleDocuments])
        #expect(diagnostics.first?.range.start == source["1️⃣"])
        #expect(node?["a"]?.scalar == "1")
    }

    @Test(arguments: ["---\na: 1\n", "---\na: 1\n...\n", "a: 1\n...\n# trailing comment\n"])
    func oneDocumentWithMarkersIsFine(_ text: String) {
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(diagnostics.isEmpty)
        #expect(node?["a"]?.scalar == "1")
    }
}
