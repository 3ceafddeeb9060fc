import PlanYAML

/// Splits a plan string into literal text and `${{ … }}` expressions, and parses each expression.
///
/// On the validate hot path: a string without `${{` costs one scan of its UTF-8 bytes and no copies.
/// An expression with a syntax error is reported and kept as literal text, and scanning goes on after its
/// `}}`, so one string reports every broken expression it holds.
enum TemplateParser {
    static func parse(_ text: String, style: YAMLNode.ScalarStyle, range: SourceRange) -> (Template, [Diagnostic]) {
        guard hasOpener(text) else { return (Template(literal: text, range: range), []) }

        let bytes = Array(text.utf8)
        let locator = ScalarLocator(bytes: bytes, style: style, range: range)
        var parts: [Template.Part] = []
        var diagnostics: [Diagnostic] = []
        // Literal text runs from here to the next well-formed expression; broken ones stay inside it.
        var literalStart = 0
        var position = 0

        while let open = findOpener(bytes, from: position) {
            var lexer = ExpressionLexer(bytes: bytes, start: open + 3)
            let outcome = lexer.run()
            guard case .closed(let end) = outcome else {
                if let error = lexer.error, case .unterminatedString = outcome {
                    diagnostics.append(diagnostic(error, locator))
                } else {
                    diagnostics.append(Diagnostic(
                        .exprSyntax, "unterminated expression; expected '}}' to close '${{'",
                        at: locator.range(open, open + 3)))
                }
                break
            }
            position = end
            if let error = lexer.error {
                diagnostics.append(diagnostic(error, locator))
                continue
            }
            if lexer.tokens.count == 1 {
                diagnostics.append(Diagnostic(.exprSyntax, "empty expression", at: locator.range(open, end)))
                continue
            }
            var parser = ExpressionParser(lexer: lexer, locator: locator)
            do {
                let root = try parser.parse()
                if !parser.problems.isEmpty { diagnostics += parser.problems.map { diagnostic($0, locator) } }
                if literalStart < open {
                    parts.append(.literal(String(decoding: bytes[literalStart..<open], as: UTF8.self)))
                }
                literalStart = end
                let source = trimmed(bytes, open + 3, end - 2)
                parts.append(.expression(Expression(source: source, range: locator.range(open, end), root: root)))
            } catch {
                diagnostics += parser.problems.map { diagnostic($0, locator) }
                diagnostics.append(diagnostic(error, locator))
            }
        }
        if literalStart < bytes.count {
            parts.append(.literal(String(decoding: bytes[literalStart...], as: UTF8.self)))
        }
        return (Template(parts: parts, source: text, range: range), diagnostics)
    }

    /// Whether `text` holds a `${{`, read from its bytes (`String.contains` is far slower without Foundation).
    static func hasOpener(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { findOpener($0, from: 0) != nil }
            ?? (findOpener(Array(text.utf8), from: 0) != nil)
    }

    /// The offset of the next `${{` at or after `start`.
    private static func findOpener<C: RandomAccessCollection<UInt8>>(_ bytes: C, from start: Int) -> Int?
        where C.Index == Int
    {
        guard bytes.count >= 3 else { return nil }
        var i = bytes.startIndex + start
        let last = bytes.endIndex - 3
        while i <= last {
            if bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "{"), bytes[i + 2] == UInt8(ascii: "{") {
                return i - bytes.startIndex
            }
            i += 1
        }
        return nil
    }

    private static func trimmed(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
        var a = start
        var b = Swift.max(start, end)
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        while a < b, isSpace(bytes[a]) { a += 1 }
        while b > a, isSpace(bytes[b - 1]) { b -= 1 }
        return String(decoding: bytes[a..<b], as: UTF8.self)
    }

    private static func diagnostic(_ error: ExpressionSyntaxError, _ locator: ScalarLocator) -> Diagnostic {
        let notes = error.note.map { [Diagnostic.Note($0.message, at: locator.range($0.start, $0.end))] } ?? []
        return Diagnostic(error.id, error.message, at: locator.range(error.start, error.end), notes: notes,
                      fixIt: error.fixIt)
    }
}
