import PlanTestSupport
import PlanYAML
import Testing

/// Sequences and mappings: order kept, every node's range exact, empty documents give no node.
@Suite struct StructureTests {
    @Test func nestedRanges() throws {
        let source = MarkedSource(
            """
            1️⃣name: demo
            steps:
              2️⃣- 3️⃣id: one
                run: 4️⃣echo hi5️⃣
              - id: two
                args: 6️⃣[a, 7️⃣{k: v}8️⃣]9️⃣

            """)
        let (node, diagnostics) = compose(source)
        #expect(diagnostics.isEmpty)
        let root = try #require(node)
        #expect(root.keys == ["name", "steps"])
        #expect(root.range.start == source["1️⃣"])
        // libyaml ends a block collection where the next token (here the end of the stream) starts.
        #expect(root.range.end == SourceLocation(line: 7, column: 1))

        let steps = try #require(root["steps"]?.sequence)
        #expect(steps.count == 2)
        #expect(root["steps"]?.range.start == source["2️⃣"])
        #expect(steps[0].range.start == source["3️⃣"])
        #expect(steps[0].keys == ["id", "run"])
        #expect(steps[0]["run"]?.range == SourceRange(source, "4️⃣", "5️⃣"))

        let args = try #require(steps[1]["args"])
        #expect(args.range == SourceRange(source, "6️⃣", "9️⃣"))
        let inner = try #require(args.sequence?.last)
        #expect(inner.range == SourceRange(source, "7️⃣", "8️⃣"))
        #expect(inner["k"]?.scalar == "v")
    }

    @Test func collectionTagsAndKeyOrder() throws {
        let source = MarkedSource("m: 1️⃣!!omap {z: 1, a: 2, m: 3}2️⃣\ns: !!seq [x]\n")
        let root = try #require(compose(source).node)
        let mapping = try #require(root["m"])
        #expect(mapping.tag == "tag:yaml.org,2002:omap")
        #expect(mapping.keys == ["z", "a", "m"])
        #expect(mapping.range == SourceRange(source, "1️⃣", "2️⃣"))
        #expect(root["s"]?.tag == "tag:yaml.org,2002:seq")
    }

    @Test(arguments: ["", "# just a comment\n# and another\n", "   \n\n", "\u{FEFF}# after a byte-order mark\n"])
    func emptyInputHasNoNodeAndNoError(_ text: String) {
        let (node, diagnostics) = YAMLComposer.compose(Array(text.utf8))
        #expect(node == nil)
        #expect(diagnostics.isEmpty)
    }

    @Test func fileNameIsCarriedIntoDiagnostics() {
        let (_, diagnostics) = YAMLComposer.compose(Array("x: [1, 2]]".utf8), file: "plans/x.yaml")
        #expect(diagnostics.map(\.file) == ["plans/x.yaml"])
        #expect(diagnostics.first?.summary == "plans/x.yaml:1:10: error: did not find expected key [yaml.syntax]")
    }
}
