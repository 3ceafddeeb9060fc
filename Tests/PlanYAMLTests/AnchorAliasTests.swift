import PlanTestSupport
import PlanYAML
import Testing

/// An alias yields a copy of its anchor's node that remembers where the alias stood.
@Suite struct AnchorAliasTests {
    @Test func aliasCopiesTheAnchoredNode() throws {
        let source = MarkedSource(
            """
            base: 1️⃣&b {x: 1}2️⃣
            use: 3️⃣*b4️⃣
            list: [5️⃣&s word6️⃣, 7️⃣*s8️⃣]

            """)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.isEmpty)
        let root = try #require(node)
        let base = try #require(root["base"])
        let use = try #require(root["use"])
        #expect(base.range == SourceRange(source, "1️⃣", "2️⃣"))
        #expect(base.aliasRange == nil)
        #expect(use.content == base.content)
        #expect(use.range == base.range)
        #expect(use.aliasRange == SourceRange(source, "3️⃣", "4️⃣"))

        let list = try #require(root["list"]?.sequence)
        #expect(list.map(\.scalar) == ["word", "word"])
        #expect(list[0].range == SourceRange(source, "5️⃣", "6️⃣"))
        #expect(list[1].range == SourceRange(source, "5️⃣", "6️⃣"))
        #expect(list[1].aliasRange == SourceRange(source, "7️⃣", "8️⃣"))
    }

    @Test func aLaterAnchorOfTheSameNameWins() throws {
        let root = try #require(compose(MarkedSource("a: &x 1\nb: &x 2\nc: *x\n")).node)
        #expect(root["c"]?.scalar == "2")
    }

    @Test(arguments: [
        "a: 1️⃣*nope\n",
        // The anchor is registered only once its node is complete, so a node cannot contain itself.
        "a: &a [1, 1️⃣*a]\n",
        "a: 1️⃣*later\nb: &later 1\n",
    ])
    func unknownAliasIsALocatedError(_ text: String) {
        let source = MarkedSource(text)
        let (node, diagnostics) = compose(source)
        #expect(node == nil)
        #expect(diagnostics.map(\.id) == [.yamlUnknownAlias])
        #expect(diagnostics.first?.range.start == source["1️⃣"])
    }
}
