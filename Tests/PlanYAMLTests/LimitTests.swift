import PlanTestSupport
import PlanYAML
import Testing

/// Hostile input fails fast with a located error: size, nesting depth and alias expansion are bounded.
@Suite struct LimitTests {
    @Test func inputLargerThanTheLimitIsRejectedBeforeParsing() {
        var limits = YAMLLimits()
        limits.maxBytes = 8
        // Not even valid YAML: the size check comes first.
        let (node, diagnostics) = compose(bytes: Array("a: [[[[[[".utf8), limits: limits)
        #expect(node == nil)
        #expect(diagnostics.map(\.id) == [.yamlTooLarge])
        #expect(diagnostics.first?.range.start == Location(line: 1, column: 1))
        #expect(compose(bytes: Array("a: 12345".utf8), limits: limits).diagnostics.isEmpty)
    }

    @Test(arguments: [("[", "]"), ("{a: ", "}"), ("- ", "")])
    func depthAtTheLimitIsFineOneMoreIsNot(open: String, close: String) throws {
        let atLimit = String(repeating: open, count: 256) + "x" + String(repeating: close, count: 256)
        #expect(compose(bytes: Array(atLimit.utf8)).diagnostics.isEmpty)

        let tooDeep = String(repeating: open, count: 257) + "x" + String(repeating: close, count: 257)
        let (node, diagnostics) = compose(bytes: Array(tooDeep.utf8))
        #expect(node == nil)
        #expect(diagnostics.map(\.id) == [.yamlTooDeep])
        // The 257th opening is where the limit is crossed.
        let column = 256 * open.unicodeScalars.count + 1
        #expect(diagnostics.first?.range.start == Location(line: 1, column: column))
    }

    /// One opening repeated 100,000 times, shown in test output by its opening rather than its 100,000 lines.
    struct DeepInput: CustomTestStringConvertible, Sendable {
        var opening: String
        var end = ""
        var text: String { String(repeating: opening, count: 100_000) + end }
        var testDescription: String { "100,000 × \(String(reflecting: opening))\(end.isEmpty ? "" : " + \(String(reflecting: end))")" }
    }

    /// Acceptance bound: 100,000-deep nesting is rejected in well under a second and does not crash.
    @Test(arguments: [
        DeepInput(opening: "["), DeepInput(opening: "{a: "), DeepInput(opening: "[\n"), DeepInput(opening: "- ", end: "x\n"),
    ])
    func hundredThousandDeepNestingIsRejectedFast(_ input: DeepInput) throws {
        let bytes = Array(input.text.utf8)
        var result: (node: YAMLNode?, diagnostics: [Diagnostic]) = (nil, [])
        let elapsed = ContinuousClock().measure { result = compose(bytes: bytes) }
        #expect(result.node == nil)
        #expect(result.diagnostics.map(\.id) == [.yamlTooDeep])
        #expect(elapsed < .seconds(1), "took \(elapsed)")
    }

    /// The classic billion laughs: nine levels of nine aliases each.
    static let billionLaughs: String = {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for level in 1..<names.count {
            let previous = names[level - 1]
            let name = names[level]
            // a = 10 nodes, b = 91, c = 820, d = 7,381, e = 66,430: the first `*e` in f crosses 100,000.
            let first = name == "f" ? "1️⃣*\(previous)" : "*\(previous)"
            let rest = Array(repeating: "*\(previous)", count: 8)
            lines.append("\(name): &\(name) [" + ([first] + rest).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// Acceptance bound: rejected in well under a second, at the alias that crosses the budget.
    @Test func billionLaughsIsRejectedFast() throws {
        let source = MarkedSource(Self.billionLaughs)
        var result: (node: YAMLNode?, diagnostics: [Diagnostic]) = (nil, [])
        let elapsed = ContinuousClock().measure { result = compose(source) }
        #expect(elapsed < .seconds(1), "took \(elapsed)")
        #expect(result.node == nil)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1)
        #expect(diagnostic.id == .yamlAliasBudget)
        #expect(diagnostic.range.start == source["1️⃣"])
        #expect(diagnostic.notes.first?.message == "anchor '&e' defined here")
        #expect(diagnostic.notes.first?.range?.start == Location(line: 5, column: 4))
    }

    /// Each alias costs the size of its anchored subtree, aliases inside it included.
    @Test(arguments: [(13, true), (12, false)])
    func aliasBudgetCountsExpandedNodes(budget: Int, accepted: Bool) {
        var limits = YAMLLimits()
        limits.maxAliasExpansion = budget
        // a is 3 nodes; b is 1 + 3 + 3 = 7 and its two aliases cost 6; c costs 7: 13 in all.
        let source = MarkedSource("a: &a [1, 2]\nb: &b [*a, *a]\nc: 1️⃣*b\n")
        let (node, diagnostics) = compose(source, limits: limits)
        if accepted {
            #expect(diagnostics.isEmpty)
            #expect(node?["c"]?.sequence?.count == 2)
        } else {
            #expect(node == nil)
            #expect(diagnostics.map(\.id) == [.yamlAliasBudget])
            #expect(diagnostics.first?.range.start == source["1️⃣"])
        }
    }

    /// Few aliases of one big scalar are few nodes but much text: the budget counts the expanded bytes too.
    @Test(arguments: [(24, true), (23, false)])
    func aliasBudgetCountsExpandedBytes(budget: Int, accepted: Bool) {
        var limits = YAMLLimits()
        limits.maxAliasExpansionBytes = budget
        // a holds 8 bytes of text ("abcd" + "efgh"); three aliases add 24.
        let source = MarkedSource("a: &a [abcd, efgh]\nb: [*a, *a, 1️⃣*a]\n")
        let (node, diagnostics) = compose(source, limits: limits)
        if accepted {
            #expect(diagnostics.isEmpty)
        } else {
            #expect(node == nil)
            #expect(diagnostics.map(\.message) == ["aliases expand to more than the limit of 23 bytes of text"])
            #expect(diagnostics.first?.range.start == source["1️⃣"])
        }
    }

    /// Issue 15's case: a 68 KB file, 10,000 aliases of a scalar of 1,000 expressions, fails at the alias
    /// that crosses the default budget instead of expanding to 70 MB.
    @Test func tenThousandAliasesOfAThousandExpressionsFailAtTheBudget() throws {
        let anchor = String(repeating: "${{ inputs.x }}", count: 1000)
        let yaml = "a: &a \"\(anchor)\"\nb: [" + Array(repeating: "*a", count: 10_000).joined(separator: ", ") + "]\n"
        let (node, diagnostics) = compose(MarkedSource(yaml))
        #expect(node == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == .yamlAliasBudget)
        // The first alias past 4 MiB: 4 << 20 / 15,000 bytes = 279 aliases fit.
        #expect(diagnostic.range.start == Location(line: 2, column: 5 + 279 * 4))
    }
}
