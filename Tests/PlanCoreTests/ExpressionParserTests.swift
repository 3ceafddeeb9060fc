import PlanCore
import PlanYAML
import PlanTestSupport
import Testing

@Suite struct ExpressionParserTests {
    /// Malformed templates, with `1️⃣` where the first diagnostic must point and its id.
    @Test(arguments: [
        ("${{ inputs. 1️⃣}}", .exprSyntax),
        ("${{ 1 + 1️⃣}}", .exprSyntax),
        ("${{ (1 + 2 1️⃣}}", .exprSyntax),
        ("${{ 1 + 2 1️⃣) }}", .exprSyntax),
        ("${{ [1, 2 1️⃣}}", .exprSyntax),
        ("${{ len(1 1️⃣}}", .exprSyntax),
        ("${{ 1 1️⃣=== 1 }}", .exprSyntax),
        ("${{ 1 1️⃣= 1 }}", .exprSyntax),
        ("${{ 1 1️⃣!== 1 }}", .exprSyntax),
        ("${{ true 1️⃣& false }}", .exprSyntax),
        ("${{ true 1️⃣| false }}", .exprSyntax),
        ("${{ 2 1️⃣* 3 }}", .exprSyntax),
        ("${{ 1️⃣'unterminated }}", .exprSyntax),
        ("${{ \"bad 1️⃣\\q escape\" }}", .exprSyntax),
        ("${{ 1️⃣# }}", .exprSyntax),
        ("${{ 1️⃣é }}", .exprSyntax),
        ("${{ 1️⃣12abc }}", .exprSyntax),
        ("${{ 1️⃣99999999999999999999 }}", .exprSyntax),
        ("echo 1️⃣${{ inputs.x", .exprSyntax),
        ("1️⃣${{ }}", .exprSyntax),
        ("${{ 1️⃣) }}", .exprSyntax),
        ("${{ inputs.x 1️⃣inputs.y }}", .exprSyntax),
        ("${{ 1️⃣a and b }}", .exprUnknownName),
        ("${{ inputs.x 1️⃣and inputs.y }}", .exprSyntax),
        ("${{ inputs[1️⃣] }}", .exprSyntax), ("${{ inputs[inputs.x 1️⃣inputs.y] }}", .exprSyntax),
        ("${{ inputs.x. 1️⃣+ 1 }}", .exprSyntax),
        ("${{ 1️⃣lenn(inputs.x) }}", .exprUnknownFunction),
        ("${{ 1 + 1️⃣frobnicate(2) }}", .exprUnknownFunction),
        ("${{ 1️⃣len(1, 2) }}", .exprArguments),
        ("${{ 1️⃣contains('a') }}", .exprArguments),
        ("${{ 1️⃣min() }}", .exprArguments),
        ("${{ 1️⃣input.x }}", .exprUnknownName),
        ("${{ 1️⃣True }}", .exprUnknownName),
        ("1️⃣${{ 1 + } }", .exprSyntax),
        ("${{ '}}' + 1️⃣}}", .exprSyntax),
        ("ok ${{ 1 }} then 1️⃣${{ }", .exprSyntax),
    ] as [(String, DiagnosticID)])
    func rejects(_ marked: String, _ id: DiagnosticID) {
        let source = MarkedSource(marked)
        let (_, diagnostics) = ExpressionTestScope.parse(source.text)
        #expect(diagnostics.first?.id == id, "\(diagnostics.map(\.summary))")
        #expect(diagnostics.first?.range.start == source["1️⃣"], "\(diagnostics.map(\.summary))")
        #expect(diagnostics.allSatisfy { $0.severity == .error && !$0.message.hasSuffix(".") })
    }

    @Test func syntaxMessagesSayWhatWasExpected() {
        func message(_ text: String) -> String? { ExpressionTestScope.parse(text).1.first?.message }
        #expect(message("${{ inputs. }}") == "expected a name after '.', found '}}'")
        #expect(message("${{ 1 + }}") == "expected an expression after '+'")
        #expect(message("${{ (1 }}") == "expected ')', found '}}'")
        #expect(message("${{ 1) }}") == "unmatched ')'")
        #expect(message("${{ 1 === 1 }}") == "unknown operator '==='; did you mean '=='?")
        #expect(message("${{ 'abc }}") == "unterminated string; expected a closing '")
        #expect(message("x ${{ 1") == "unterminated expression; expected '}}' to close '${{'")
        #expect(message("${{ }}") == "empty expression")
        #expect(message("${{ a and b }}") == "unknown name 'a'; paths start with 'inputs', 'nodes', 'steps', 'node', 'vars', 'run', 'item', 'item_index'")
    }

    @Test func unmatchedParenNotePointsAtTheOpener() {
        let source = MarkedSource("${{ len1️⃣(1, 2 2️⃣}}")
        let diagnostic = ExpressionTestScope.parse(source.text).1.first
        #expect(diagnostic?.range.start == source["2️⃣"])
        #expect(diagnostic?.notes.first?.range?.start == source["1️⃣"])
    }

    @Test func unknownFunctionSuggestsTheClosest() {
        let cases = [("lenn", "len"), ("uniqe", "unique"), ("length", "len"), ("cotains", "contains"), ("strip", "trim"),
                     ("Min", "min"), ("defualt", "default")]
        for (name, suggestion) in cases {
            let diagnostic = ExpressionTestScope.parse("${{ \(name)([1]) }}").1.first
            #expect(diagnostic?.id == .exprUnknownFunction)
            #expect(diagnostic?.fixIt == suggestion, "\(name)")
            #expect(diagnostic?.message == "unknown function '\(name)'; did you mean '\(suggestion)'?")
        }
        let none = ExpressionTestScope.parse("${{ frobnicate(1) }}").1.first
        #expect(none?.message == "unknown function 'frobnicate'")
        #expect(none?.fixIt == nil)
    }

    @Test func unknownNameSuggestsAScopeRoot() {
        let diagnostic = ExpressionTestScope.parse("${{ input.timeout }}").1.first
        #expect(diagnostic?.message == "unknown name 'input'; did you mean 'inputs'?")
        #expect(diagnostic?.fixIt == "inputs")
        #expect(diagnostic?.range.end == PlanYAML.SourceLocation(line: 1, column: 10))
    }

    @Test func argumentCountMessage() {
        #expect(ExpressionTestScope.parse("${{ len() }}").1.first?.message == "'len' takes 1 argument, got 0")
        #expect(ExpressionTestScope.parse("${{ join() }}").1.first?.message == "'join' takes 1 to 2 arguments, got 0")
        #expect(ExpressionTestScope.parse("${{ max() }}").1.first?.message == "'max' takes at least 1 argument, got 0")
    }

    @Test func everyProblemOfAStringIsReported() {
        let source = MarkedSource("a 1️⃣${{ 1 + }} b ${{ inputs.ok }} c ${{ 2️⃣lenn(3️⃣input.x) }} d ${{ 4️⃣) }}")
        let (template, diagnostics) = ExpressionTestScope.parse(source.text)
        #expect(diagnostics.map(\.range.start) == [source["1️⃣"].advanced(8), source["2️⃣"], source["3️⃣"], source["4️⃣"]])
        #expect(diagnostics.map(\.id) == [.exprSyntax, .exprUnknownFunction, .exprUnknownName, .exprSyntax])
        // Broken expressions stay as literal text; good ones are parsed.
        #expect(template.expressions.map(\.source) == ["inputs.ok", "lenn(input.x)"])
    }

    @Test func precedenceAndShapeOfTheTree() throws {
        let (template, diagnostics) = ExpressionTestScope.parse("${{ !a.b || c.d && 1 + 2 < 4 }}")
        #expect(diagnostics.map(\.id) == [.exprUnknownName, .exprUnknownName])
        guard case .binary(.or, let left, let right, _) = template.wholeExpression?.root else {
            Issue.record("expected || at the top")
            return
        }
        guard case .unary(.not, .path(["a", "b"], _), _) = left else { Issue.record("left is !a.b"); return }
        guard case .binary(.and, .path(["c", "d"], _), .binary(.less, .binary(.plus, _, _, _), .literal(.int(4), _), _), _)
            = right
        else { Issue.record("right is c.d && ((1 + 2) < 4)"); return }
    }

    @Test func nodeRangesAreColumnsInThePlan() {
        let source = MarkedSource("x: 1️⃣${{ 2️⃣inputs.a3️⃣ + 4️⃣len(5️⃣nodes.*.h6️⃣)7️⃣ }}8️⃣")
        let (template, _) = Template.parse(YAMLNode(
            .scalar(String(source.text.dropFirst(3)), .plain),
            range: SourceRange(start: source["1️⃣"], end: source["8️⃣"])))
        let expression = template.wholeExpression
        #expect(expression?.range == SourceRange(start: source["1️⃣"], end: source["8️⃣"]))
        #expect(expression?.root.range == SourceRange(start: source["2️⃣"], end: source["7️⃣"]))
        guard case .binary(.plus, let left, let right, _) = expression?.root else { Issue.record("a + len"); return }
        #expect(left.range == SourceRange(start: source["2️⃣"], end: source["3️⃣"]))
        #expect(right.range == SourceRange(start: source["4️⃣"], end: source["7️⃣"]))
        #expect(template.references == [
            Reference(path: ["inputs", "a"], range: SourceRange(start: source["2️⃣"], end: source["3️⃣"])),
            Reference(path: ["nodes", "*", "h"], range: SourceRange(start: source["5️⃣"], end: source["6️⃣"])),
        ])
    }

    @Test func referencesKeepComponentsAsWritten() {
        let (template, _) = ExpressionTestScope.parse(
            "${{ default(inputs.x, 1) }} ${{ nodes['web-1'].h + steps.a.*.ok.0 }} ${{ [node.vars.cli] }} ${{ 1 }}")
        #expect(template.references.map(\.path) == [
            ["inputs", "x"], ["nodes", "web-1", "h"], ["steps", "a", "*", "ok", "0"], ["node", "vars", "cli"],
        ])
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        for text in [
            "${{ " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " }}",
            "${{ " + String(repeating: "[", count: 100_000) + " }}",
            "${{ " + String(repeating: "!", count: 100_000) + "true }}",
            "${{ " + String(repeating: "len(", count: 100_000) + " }}",
        ] {
            let diagnostics = ExpressionTestScope.parse(text).1
            #expect(diagnostics.first?.message == "expression nested more than \(Expression.maxDepth) levels deep")
        }
        // A flat chain nests nothing: it is bounded by its height, well above the nesting limit.
        let chain = ExpressionTestScope.parse("${{ " + String(repeating: "1 + ", count: 100_000) + "1 }}").1
        #expect(chain.first?.message == "expression has more than \(Expression.maxHeight) operators and nested levels in a chain")
        // Within the limits is fine: 100 parentheses, a sum of 129 terms (issue 15: it counted as 129 levels).
        let ok = "${{ " + String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100) + " }}"
        #expect(ExpressionTestScope.parse(ok).1.isEmpty)
        let (sum, problems) = ExpressionTestScope.parse("${{ " + String(repeating: "1 + ", count: 128) + "1 }}")
        #expect(problems.isEmpty)
        #expect(try sum.evaluate(in: ExpressionTestScope.scope) == .int(129))
    }
}

extension PlanYAML.SourceLocation {
    fileprivate func advanced(_ columns: Int) -> PlanYAML.SourceLocation { PlanYAML.SourceLocation(line: line, column: column + columns) }
}
