import PlanCore
import Testing

/// JSON text of strings, byte for byte: results, events and the run store all print through it, and the
/// store's records are compared and re-read, so an unescaped run appended whole must print as before.
@Suite struct JSONStringEscapeTests {
    static let cases: [(label: String, string: String, json: String)] = [
        ("empty", "", #""""#),
        ("plain ascii", "s1 ok", #""s1 ok""#),
        ("quote", #"say "hi""#, #""say \"hi\"""#),
        ("backslash", #"C:\dir\"#, #""C:\\dir\\""#),
        ("newline, return, tab", "a\nb\rc\td", #""a\nb\rc\td""#),
        ("other control characters", "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}", #""\u0000\u0001\u0008\u000b\u000c\u001f""#),
        ("delete", "x\u{7f}y", #""x\u007fy""#),
        ("space and tilde stay", " ~", #"" ~""#),
        ("slash stays", "a/b", #""a/b""#),
        ("non-ascii stays", "café ✓ 🙂", "\"café ✓ 🙂\""),
        ("escape between non-ascii", "é\"🙂\n✓", #""é\"🙂\n✓""#),
        ("escape at both ends", "\"middle\"", #""\"middle\"""#),
        ("only escapes", "\\\\\n", #""\\\\\n""#),
        ("combining mark after an escape", "\"\u{301}", "\"\\\"\u{301}\""),
        ("C1 control stays", "\u{85}", "\"\u{85}\""),
        ("line separator stays", "\u{2028}", "\"\u{2028}\""),
        // Longer strings, copied in runs between their escapes.
        ("long, escapes at both ends", "\"0123456789abcdefé\u{1}", #""\"0123456789abcdefé\u0001""#),
        ("long, nothing to escape", "0123456789abcdef-🙂", "\"0123456789abcdef-🙂\""),
    ]

    @Test(arguments: cases.indices)
    func escapesOnlyWhatJSONNeeds(_ index: Int) {
        let (label, string, json) = Self.cases[index]
        #expect(Value.string(string).jsonText() == json, "\(label)")
        #expect(Array(Value.string(string).jsonText().utf8) == Array(json.utf8), "\(label)")
    }

    @Test func keysAreEscapedLikeValues() {
        let object = Value.object(Value.Object([("a\"b", .string("c\u{1}")), ("é", .array([.string("\\")]))]))
        #expect(object.jsonText() == #"{"a\"b":"c\u0001","é":["\\"]}"#)
        #expect(object.jsonText(indent: 2) == "{\n  \"a\\\"b\": \"c\\u0001\",\n  \"é\": [\n    \"\\\\\"\n  ]\n}")
    }

    @Test func aLongStringWithEscapesRoundTrips() throws {
        var text = ""
        for i in 0..<2000 { text += "line \(i) \"é\"\t\u{1}🙂\\\n" }
        let json = Value.string(text).jsonText()
        #expect(try Value.parseJSON(json) == .string(text))
        #expect(json.utf8.count == text.utf8.count + 2 + 2000 * (2 + 1 + 5 + 1 + 1))
    }

    /// Numbers are written digit by digit into the text: every sign, length and the extremes.
    @Test(arguments: [0, 7, 10, 99, 100, -1, -10, 1_234_567_890, Int.max, Int.min])
    func integersPrintAsTheirDecimalText(_ i: Int) {
        #expect(Value.int(i).jsonText() == String(i))
        #expect(Value.double(Double(i)).jsonText() == (abs(Double(i)) < 1e15 ? "\(i).0" : "\(Double(i))"))
    }
}
