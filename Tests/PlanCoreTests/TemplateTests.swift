import PlanCore
import PlanTestSupport
import PlanYAML
import Testing

@Suite struct TemplateTests {
    /// A scalar node for the first scalar in `line`, written in `style`; `1️⃣` marks where the node starts
    /// (the quote or block indicator included), as the composer reports it.
    private func node(_ text: String, _ style: YAMLNode.ScalarStyle, at start: PlanYAML.SourceLocation,
                      endLine: Int? = nil) -> YAMLNode {
        YAMLNode(.scalar(text, style), range: SourceRange(
            start: start, end: PlanYAML.SourceLocation(line: endLine ?? start.line, column: start.column + text.count)))
    }

    @Test func plainScalarColumns() {
        let source = MarkedSource("steps:\n  - run: 1️⃣echo ${{ inputs.x + 2️⃣}}\n")
        let (_, diagnostics) = Template.parse(node("echo ${{ inputs.x + }}", .plain, at: source["1️⃣"]))
        #expect(diagnostics.map(\.range.start) == [source["2️⃣"]])
    }

    @Test func singleQuotedScalarColumnsCountTheDoubledQuote() {
        let source = MarkedSource("run: 1️⃣'it''s ${{ 1 + 2️⃣}}'")
        let (_, diagnostics) = Template.parse(node("it's ${{ 1 + }}", .singleQuoted, at: source["1️⃣"]))
        #expect(diagnostics.map(\.range.start) == [source["2️⃣"]])
    }

    @Test func doubleQuotedScalarColumnsCountEscapes() {
        let source = MarkedSource(#"run: 1️⃣"say \"hi\"\t\\ ${{ 1 + 2️⃣}}""#)
        let (_, diagnostics) = Template.parse(node("say \"hi\"\t\\ ${{ 1 + }}", .doubleQuoted, at: source["1️⃣"]))
        #expect(diagnostics.map(\.range.start) == [source["2️⃣"]])
        // Without the tab (written `\t`, two characters) the `}}` stands one column to the left.
        let (_, plain) = Template.parse(node(#"say "hi" \ ${{ 1 + }}"#, .doubleQuoted, at: source["1️⃣"]))
        #expect(plain.map(\.range.start.column) == [source["2️⃣"].column - 1])
    }

    @Test func nonASCIITextCountsCharactersNotBytes() {
        let source = MarkedSource("run: 1️⃣héllo ✓ 🙂 ${{ 2️⃣lenn(1) }}")
        let (_, diagnostics) = Template.parse(node("héllo ✓ 🙂 ${{ lenn(1) }}", .plain, at: source["1️⃣"]))
        #expect(diagnostics.map(\.range.start) == [source["2️⃣"]])
        #expect(diagnostics.first?.range.end == PlanYAML.SourceLocation(line: 1, column: source["2️⃣"].column + 4))
    }

    @Test func blockScalarLinesAreExact() {
        let source = MarkedSource("run: 1️⃣|\n  echo one\n  echo ${{ 1 + }}\n")
        let text = "echo one\necho ${{ 1 + }}\n"
        for style in [YAMLNode.ScalarStyle.literal, .folded] {
            let (_, diagnostics) = Template.parse(node(text, style, at: source["1️⃣"], endLine: 4))
            #expect(diagnostics.map(\.range.start.line) == [3])
            // The content's indentation is not known to the parser: columns count from the indicator's.
            #expect(diagnostics.map(\.range.start.column) == [source["1️⃣"].column + 13])
        }
    }

    @Test func expressionRangeSpansTheDelimiters() {
        let source = MarkedSource("x: 1️⃣'a 2️⃣${{ inputs.x }}3️⃣ b'")
        let (template, diagnostics) = Template.parse(node("a ${{ inputs.x }} b", .singleQuoted, at: source["1️⃣"]))
        #expect(diagnostics.isEmpty)
        #expect(template.expressions.map(\.range) == [SourceRange(start: source["2️⃣"], end: source["3️⃣"])])
        #expect(template.expressions.map(\.source) == ["inputs.x"])
        #expect(template.range == node("a ${{ inputs.x }} b", .singleQuoted, at: source["1️⃣"]).range)
    }

    @Test func textWithoutExpressionsIsLiteral() throws {
        for text in ["", "plain", "echo ${HOME} $x }} ${ {", "$", "${", "${{"[...].dropLast().description] {
            let (template, diagnostics) = Template.parse(text, at: SourceRange(line: 1, column: 1))
            #expect(diagnostics.isEmpty)
            #expect(template.literalText == text)
            #expect(template.source == text)
            #expect(try template.evaluate(in: ExpressionTestScope.scope) == .string(text))
            #expect(try template.renderShell(in: ExpressionTestScope.scope) == text)
        }
    }

    @Test func partsSplitLiteralsAndExpressions() {
        let (template, _) = ExpressionTestScope.parse("a${{ 1 }}${{ '}}' }}b }} c")
        #expect(template.parts.count == 4)
        #expect(template.parts.first == .literal("a"))
        #expect(template.parts.last == .literal("b }} c"))
        #expect(template.expressions.map(\.source) == ["1", "'}}'"])
    }

    @Test func wholeExpressionKeepsItsType() throws {
        let scope = ExpressionTestScope.scope
        #expect(try ExpressionTestScope.parse("${{ inputs.timeout }}").0.evaluate(in: scope) == .int(60))
        #expect(try ExpressionTestScope.parse("${{inputs.force}}").0.evaluate(in: scope) == .bool(false))
        #expect(try ExpressionTestScope.parse("${{ nodes.*.online }}").0.evaluate(in: scope)
                == ExpressionTestScope.value("[true, true, false]"))
        #expect(try ExpressionTestScope.parse("${{ inputs.nothing }}").0.evaluate(in: scope) == .null)
        // Anything around the expression makes a string.
        #expect(try ExpressionTestScope.parse(" ${{ inputs.timeout }}").0.evaluate(in: scope) == .string(" 60"))
    }

    @Test func mixedTemplateInterpolatesText() throws {
        let (template, _) = ExpressionTestScope.parse(
            "${{ inputs.operation }} finished on ${{ inputs.target_node }}: t=${{ inputs.timeout }}s ${{ inputs.names }} ${{ inputs.nothing }} ${{ inputs.ratio }}")
        #expect(try template.evaluate(in: ExpressionTestScope.scope)
                == .string(#"status finished on all: t=60s ["b","a","b","c"] null 1.5"#))
    }

    @Test func renderShellQuotesEachValueAsOneWord() throws {
        let (template, _) = ExpressionTestScope.parse(
            "echo ${{ inputs.message }} ${{ inputs.timeout }} ${{ inputs.names }} ${{ inputs.empty }} '${{ node.name }}'")
        #expect(try template.renderShell(in: ExpressionTestScope.scope)
                == #"echo 'x; rm -rf /' 60 '["b","a","b","c"]' '' 'genesis'"#)
    }

    @Test func evaluationErrorsPropagateFromRenderShell() {
        let (template, _) = ExpressionTestScope.parse("echo ${{ inputs.nope }}")
        #expect(throws: EvaluationError.self) { try template.renderShell(in: ExpressionTestScope.scope) }
    }

    @Test func nonScalarNodeIsAnEmptyTemplate() {
        let list = YAMLNode(.sequence([]), range: SourceRange(line: 2, column: 3))
        let (template, diagnostics) = Template.parse(list)
        #expect(template.parts.isEmpty)
        #expect(diagnostics.isEmpty)
    }

    @Test func textFromTheCommandLineHasUnknownRanges() {
        let (template, diagnostics) = Template.parse("${{ inputs.x }} ${{ 1 + }}", at: .unknown)
        #expect(template.references.map(\.range) == [.unknown])
        #expect(diagnostics.map(\.range) == [.unknown])
    }

    @Test func quotedExpressionsAreFoundForTheShellQuotingLint() {
        let (template, _) = ExpressionTestScope.parse(
            #"echo ${{ inputs.a }} "x ${{ inputs.b }}" 'y ${{ inputs.c }}' \"${{ inputs.d }} "it's ${{ inputs.e }}" '"' ${{ inputs.f }}"#)
        #expect(ShellQuote.quotedExpressions(in: template).map(\.source) == ["inputs.b", "inputs.c", "inputs.e"])
    }
}
