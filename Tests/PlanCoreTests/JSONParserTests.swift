import PlanCore
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindKeepingKeyOrder() throws {
        let value = try Value.parseJSON(#" { "z": 1, "a": [true, false, null], "m": {"y": -2.5e1, "x": "s"}, "e": {} , "l": [] } "#)
        guard case .object(let object) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(object.keys == ["z", "a", "m", "e", "l"])
        #expect(object["z"] == .int(1))
        #expect(object["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(object["m"] == .object(Value.Object([("y", .double(-25)), ("x", .string("s"))])))
        #expect(object["e"] == .object(Value.Object()))
        #expect(object["l"] == .array([]))
        // Printing it back gives the same order.
        #expect(value.jsonText() == #"{"z":1,"a":[true,false,null],"m":{"y":-25.0,"x":"s"},"e":{},"l":[]}"#)
    }

    @Test(arguments: [
        ("0", Value.int(0)), ("-0", .int(0)), ("42", .int(42)), ("-17", .int(-17)),
        ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
        ("9223372036854775808", .double(9223372036854775808)), ("1.0", .double(1)), ("1e2", .double(100)),
        ("1E-2", .double(0.01)), ("0.5", .double(0.5)), ("-0.0", .double(-0.0)),
        (#""""#, .string("")), (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u20AC""#, .string("é€")), (#""\ud83d\ude00""#, .string("😀")), (#""héllo 🙂""#, .string("héllo 🙂")),
        (#""\u0000""#, .string("\u{0}")), ("true", .bool(true)), ("null", .null), (" \t\r\n[1] \n", .array([.int(1)])),
        (#"{"a":1,"a":2}"#, .object(Value.Object([("a", .int(2))]))),
    ] as [(String, Value)])
    func parsesValues(_ text: String, _ expected: Value) throws {
        #expect(try Value.parseJSON(text) == expected)
    }

    /// Text that is not strict JSON, with the message of the error.
    @Test(arguments: [
        ("", "invalid json at byte 0: unexpected end of text; expected a value"),
        ("   ", "invalid json at byte 3: unexpected end of text; expected a value"),
        ("[1,]", "invalid json at byte 3: unexpected ']'; expected a value"),
        (#"{"a":1,}"#, "invalid json at byte 7: unexpected '}'; expected a string key"),
        (#"{"a" 1}"#, "invalid json at byte 5: unexpected '1'; expected ':'"),
        (#"{"a":1 "b":2}"#, "invalid json at byte 7: unexpected '\"'; expected ',' or '}'"),
        ("[1 2]", "invalid json at byte 3: unexpected '2'; expected ',' or ']'"),
        ("{'a':1}", "invalid json at byte 1: unexpected '''; expected a string key"),
        ("{a:1}", "invalid json at byte 1: unexpected 'a'; expected a string key"),
        ("01", "invalid json at byte 1: leading zeros are not allowed"),
        ("-", "invalid json at byte 1: expected a digit after '-'"),
        ("1.", "invalid json at byte 2: expected a digit after '.'"),
        (".5", "invalid json at byte 0: unexpected '.'; expected a value"),
        ("1e", "invalid json at byte 2: expected a digit in the exponent"),
        ("+1", "invalid json at byte 0: unexpected '+'; expected a value"),
        ("1e999", "invalid json at byte 0: number 1e999 is too large"),
        ("NaN", "invalid json at byte 0: unexpected 'N'; expected a value"),
        ("tru", "invalid json at byte 0: unexpected 't'; expected a value"),
        ("nul", "invalid json at byte 0: unexpected 'n'; expected a value"),
        ("true false", "invalid json at byte 5: unexpected 'f' after the value"),
        ("[] x", "invalid json at byte 3: unexpected 'x' after the value"),
        ("\"abc", "invalid json at byte 0: unterminated string"),
        ("\"a\nb\"", "invalid json at byte 2: control character 0x0A in a string; it must be escaped"),
        ("\"a\\\tb\"", "invalid json at byte 2: invalid escape '\\\t' in a string"),
        (#""\x41""#, #"invalid json at byte 1: invalid escape '\x' in a string"#),
        (#""\u12""#, #"invalid json at byte 5: expected 4 hex digits after '\u'"#),
        (#""\ud83d""#, #"invalid json at byte 1: high surrogate \uD83D without a low surrogate after it"#),
        (#""\ud83d\u0041""#, #"invalid json at byte 1: high surrogate \uD83D followed by \u0041, not a low surrogate"#),
        (#""\ude00""#, #"invalid json at byte 1: low surrogate \uDE00 without a high surrogate before it"#),
        ("// c\n1", "invalid json at byte 0: unexpected '/'; expected a value"),
        ("\u{FEFF}1", "invalid json at byte 0: unexpected byte 0xEF; expected a value"),
    ] as [(String, String)])
    func rejects(_ text: String, _ message: String) {
        #expect(throws: EvaluationError(message, at: .unknown)) { try Value.parseJSON(text) }
    }

    @Test func nestingIsLimited() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try Value.parseJSON(ok) != .null)
        for deep in [String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
                     String(repeating: "[", count: 1_000_000),
                     String(repeating: #"{"a":"#, count: 100_000)] {
            #expect(throws: EvaluationError.self) { try Value.parseJSON(deep) }
            do { _ = try Value.parseJSON(deep) } catch {
                #expect(error.message == "invalid json at byte 512: nested more than 512 levels deep"
                    || error.message.hasSuffix("nested more than 512 levels deep"))
            }
        }
    }

    @Test func roundTripsThroughJSONText() throws {
        let text = #"{"name":"x","list":[1,2.5,"a\nb",null,{"k":[]}],"ok":true,"emoji":"🙂","ctl":"\u0001"}"#
        let value = try Value.parseJSON(text)
        #expect(try Value.parseJSON(value.jsonText()) == value)
        #expect(try Value.parseJSON(value.jsonText(indent: 2)) == value)
    }
}
