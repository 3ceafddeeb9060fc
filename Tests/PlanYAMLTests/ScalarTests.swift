import PlanTestSupport
import PlanYAML
import Testing

/// Scalars keep their text, style, resolved tag and exact range (1️⃣ start, 2️⃣ just after the end).
@Suite struct ScalarTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var text: String
        var style: YAMLNode.ScalarStyle
        var tag: String?
        var testDescription: String { source.debugDescription }
    }

    static let cases: [Case] = [
        Case(source: "v: 1️⃣plain text2️⃣\n", text: "plain text", style: .plain),
        Case(source: "v: 1️⃣'it''s'2️⃣\n", text: "it's", style: .singleQuoted),
        Case(source: "v: 1️⃣\"tab\\there\"2️⃣\n", text: "tab\there", style: .doubleQuoted),
        Case(source: "v: 1️⃣\"multi\n  line\"2️⃣\n", text: "multi line", style: .doubleQuoted),
        Case(source: "v: 1️⃣|\n  line one\n  line two\n2️⃣w: 1\n", text: "line one\nline two\n", style: .literal),
        Case(source: "v: 1️⃣>-\n  folded\n  text\n2️⃣w: 1\n", text: "folded text", style: .folded),
        Case(source: "v: 1️⃣héllo wörld2️⃣\n", text: "héllo wörld", style: .plain),
        Case(source: "v:1️⃣2️⃣\nw: 1\n", text: "", style: .plain),
        Case(source: "v: 1️⃣!!str 52️⃣\n", text: "5", style: .plain, tag: "tag:yaml.org,2002:str"),
        Case(source: "v: 1️⃣!!int '7'2️⃣\n", text: "7", style: .singleQuoted, tag: "tag:yaml.org,2002:int"),
        Case(source: "v: 1️⃣! bare2️⃣\n", text: "bare", style: .plain, tag: nil),
        Case(source: "v: 1️⃣!custom x2️⃣\n", text: "x", style: .plain, tag: "!custom"),
        Case(source: "v: 1️⃣!<tag:x.org,1:y> q2️⃣\n", text: "q", style: .plain, tag: "tag:x.org,1:y"),
        Case(
            source: "%TAG !e! tag:example.com,2000:\n---\nv: 1️⃣!e!foo z2️⃣\n", text: "z", style: .plain,
            tag: "tag:example.com,2000:foo"),
    ]

    @Test(arguments: cases)
    func scalar(_ example: Case) throws {
        let source = MarkedSource(example.source)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.isEmpty)
        let value = try #require(node?["v"])
        #expect(value.scalar == example.text)
        #expect(value.scalarStyle == example.style)
        #expect(value.tag == example.tag)
        #expect(value.range == SourceRange(source, "1️⃣", "2️⃣"))
        #expect(value.aliasRange == nil)
    }

    @Test func aDocumentThatIsOneScalar() throws {
        let source = MarkedSource("1️⃣just text2️⃣\n")
        let node = try #require(compose(source).node)
        #expect(node.scalar == "just text")
        #expect(node.range == SourceRange(source, "1️⃣", "2️⃣"))
    }
}
