import PlanTestSupport
import PlanYAML
import Testing

/// A duplicate key is an error at the second occurrence with a note at the first; the first pair is kept.
@Suite struct DuplicateKeyTests {
    static let cases = [
        "1️⃣name: a\n2️⃣name: b\n",
        "{1️⃣a: 1, b: 2, 2️⃣a: 3}\n",
        "1️⃣a: 1\n2️⃣\"a\": 2\n",
        "outer:\n  1️⃣x: 1\n  y: 2\n  2️⃣x: 3\n",
        "? 1️⃣[1, 2]\n: first\n? 2️⃣[1, 2]\n: second\n",
        "? 1️⃣{p: 1, q: 2}\n: first\n? 2️⃣{q: 2, p: 1}\n: second\n",
        "1️⃣&k a: 1\n2️⃣*k : 2\n",
        // Past eight keys the composer looks keys up in a table instead of comparing each pair.
        (0..<20).map { "\($0 == 3 ? "1️⃣" : "")k\($0): \($0)\n" }.joined() + "2️⃣k3: again\n",
    ]

    @Test(arguments: cases)
    func duplicateKeyNamesBothPlaces(_ text: String) throws {
        let source = MarkedSource(text)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.map(\.id) == [.yamlDuplicateKey])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.range.start == source["2️⃣"])
        #expect(diagnostic.notes.map(\.message) == ["first defined here"])
        #expect(diagnostic.notes.first?.range?.start == source["1️⃣"])
        #expect(node != nil)
    }

    @Test func theFirstPairIsKeptAndTheSecondDropped() throws {
        let (node, diagnostics) = compose(MarkedSource("name: a\nother: 1\nname: b\n"))
        #expect(diagnostics.first?.message == "duplicate key 'name'")
        #expect(node?.keys == ["name", "other"])
        #expect(node?["name"]?.scalar == "a")
    }

    @Test func everyDuplicateIsReported() {
        let (_, diagnostics) = compose(MarkedSource("a: 1\na: 2\nb: {c: 1, c: 2}\na: 3\n"))
        // The inner mapping closes first, so its duplicate comes first.
        #expect(diagnostics.map(\.range.start.line) == [3, 2, 4])
    }

    @Test(arguments: ["a: {x: 1}\nb: {x: 1}\n", "[{x: 1}, {x: 1}]\n", "a: 1\nA: 2\n", "? [1, 2]\n: a\n? [2, 1]\n: b\n"])
    func equalKeysInDifferentPlacesOrDifferentKeysAreFine(_ text: String) {
        #expect(compose(MarkedSource(text)).diagnostics.isEmpty)
    }

    /// Many structured keys are looked up by their canonical text, not compared with every earlier key.
    @Test func manyStructuredKeysWithOneDuplicate() throws {
        let text = (0..<5_000).map { "? [k\($0), {a: \($0)}]\n: v\n" }.joined() + "? [k7, {a: 7}]\n: again\n"
        let (node, diagnostics) = compose(bytes: Array(text.utf8))
        #expect(diagnostics.map(\.id) == [.yamlDuplicateKey])
        #expect(diagnostics.first?.range.start == Location(line: 10_001, column: 3))
        #expect(diagnostics.first?.notes.first?.range?.start == Location(line: 15, column: 3))
        #expect(node?.mapping?.count == 5_000)
    }
}
