import PlanTestSupport
import PlanYAML
import Testing

/// `<<` brings in a mapping's (or a list of mappings') keys where the mapping does not define them itself.
@Suite struct MergeKeyTests {
    @Test func mergeAMappingThroughAnAlias() throws {
        let source = MarkedSource(
            """
            base: &base {a: 1, b: 2}
            m:
              <<: 1️⃣*base2️⃣
              b: 3

            """)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.isEmpty)
        let m = try #require(node?["m"])
        #expect(m.keys == ["a", "b"])
        #expect(m["a"]?.scalar == "1")
        #expect(m["b"]?.scalar == "3")
        // The merged entry points at its definition and remembers the alias that brought it.
        let merged = try #require(m.mapping?.first)
        #expect(merged.key.range.start == SourceLocation(line: 1, column: 14))
        #expect(merged.key.aliasRange == SourceRange(source, "1️⃣", "2️⃣"))
        #expect(merged.value.aliasRange == SourceRange(source, "1️⃣", "2️⃣"))
    }

    @Test func mergeAListEarlierMappingsWin() throws {
        let text = "x: &x {a: 1}\ny: &y {a: 2, c: 3}\nm: {<<: [*x, *y], d: 4}\n"
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(diagnostics.isEmpty)
        let m = try #require(node?["m"])
        #expect(m.keys == ["a", "c", "d"])
        #expect(m["a"]?.scalar == "1")
        #expect(m["c"]?.scalar == "3")
    }

    @Test(arguments: [
        "x: &x {a: 1, b: 1}\nm: {a: 0, <<: *x}\n",
        "x: &x {a: 1, b: 1}\nm: {<<: *x, a: 0}\n",
    ])
    func explicitKeyWinsWhereverItStands(_ text: String) throws {
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(diagnostics.isEmpty)
        let m = try #require(node?["m"])
        #expect(m["a"]?.scalar == "0")
        #expect(m["b"]?.scalar == "1")
        #expect(m.mapping?.count == 2)
    }

    @Test func mergedKeysAreNotDuplicates() throws {
        let (node, diagnostics) = compose(MarkedSource("m: {<<: [{a: 1}, {a: 2}], b: 1}\n"))
        #expect(diagnostics.isEmpty)
        #expect(node?["m"]?.keys == ["a", "b"])
        #expect(node?["m"]?["a"]?.scalar == "1")
    }

    @Test func mergesNest() throws {
        let text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n"
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(diagnostics.isEmpty)
        #expect(node?["c"]?.keys == ["x", "y", "z"])
    }

    @Test func anExplicitMergeTagIsAMergeKey() throws {
        let (node, diagnostics) = compose(MarkedSource("m: {!!merge <<: {a: 1}, b: 2}\n"))
        #expect(diagnostics.isEmpty)
        #expect(node?["m"]?.keys == ["a", "b"])
    }

    @Test(arguments: ["m: {\"<<\": 5}\n", "m: {'<<': 5}\n", "m: {!!str <<: 5}\n"])
    func aQuotedMergeKeyIsAnOrdinaryKey(_ text: String) throws {
        let (node, diagnostics) = compose(MarkedSource(text))
        #expect(diagnostics.isEmpty)
        #expect(node?["m"]?["<<"]?.scalar == "5")
    }

    @Test(arguments: [
        "m:\n  <<: 1️⃣5\n  a: 1\n",
        "m:\n  <<:1️⃣\n  a: 1\n",
        "m:\n  <<: [{b: 1}, 1️⃣x]\n  a: 1\n",
        "m:\n  <<: [1️⃣[b]]\n  a: 1\n",
        "s: &s text\nm:\n  <<: 1️⃣*s\n  a: 1\n",
    ])
    func badMergeValueIsALocatedError(_ text: String) throws {
        let source = MarkedSource(text)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.map(\.id) == [.yamlBadMerge])
        #expect(diagnostics.first?.range.start == source["1️⃣"])
        // The rest of the mapping survives; the bad merge merges nothing and leaves no `<<` key behind.
        #expect(node?["m"]?.keys == ["a"])
    }
}
