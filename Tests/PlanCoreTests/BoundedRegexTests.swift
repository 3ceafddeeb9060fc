import PlanCore
import Testing

/// The matcher behind `capture: {regex:}`, `errors: [{match:}]` and `matches()`: RE2, linear in the text.
struct BoundedRegexTests {
    @Test func theFirstGroupOrTheWholeMatch() throws {
        #expect(try BoundedRegex(#"height (\d+)"#).firstGroupText(in: "block height 15234 ok") == "15234")
        #expect(try BoundedRegex(#"\d+"#).firstGroupText(in: "a 42 b 7") == "42")
        #expect(try BoundedRegex("x").firstGroupText(in: "abc") == nil)
        #expect(try BoundedRegex("(x)|y").firstGroupText(in: "y") == .some(nil))
        #expect(try BoundedRegex("").firstGroupText(in: "") == "")
        #expect(try BoundedRegex("é(.)").firstGroupText(in: "café→x") == "→")
    }

    @Test func rangesAreUTF8Offsets() throws {
        let match = try #require(try BoundedRegex("(b+)(z)?").firstMatch(in: "aébbc"))
        #expect(match.ranges == [3..<5, 3..<5, nil])
    }

    @Test func anchorsAreTheTextsEndsUnlessMultiline() throws {
        #expect(try !BoundedRegex("^b$").matches("a\nb\nc"))
        #expect(try BoundedRegex("(?m)^b$").matches("a\nb\nc"))
        #expect(try !BoundedRegex("a.c").matches("a\nc"))
        #expect(try BoundedRegex("(?s)a.c").matches("a\nc"))
    }

    @Test func aCatastrophicPatternIsLinear() throws {
        // 10,000 `a`s then `b`: a backtracking engine would never finish.
        let regex = try BoundedRegex("^(a+)+$")
        #expect(!regex.matches(String(repeating: "a", count: 10_000) + "b"))
        #expect(regex.matches(String(repeating: "a", count: 10_000)))
    }

    @Test func whatRE2RejectsComesBackWithItsReason() {
        #expect(throws: BoundedRegex.SyntaxError.self) { try BoundedRegex("(a") }
        #expect(throws: BoundedRegex.SyntaxError.self) { try BoundedRegex(#"(a)\1"#) }
        do {
            _ = try BoundedRegex("(?=x)")
            Issue.record("lookahead compiled")
        } catch {
            #expect(error.reason.contains("invalid perl operator"), "\(error.reason)")
        }
    }

    @Test func textWithNULsIsSearchedWhole() throws {
        #expect(try BoundedRegex("b").matches("a\u{0}b"))
    }
}

/// Durations from outside stop at `DurationText.longest`, so converting them can never trap.
struct DurationBoundTests {
    @Test func longerThanTheLongestIsNotADuration() {
        #expect(DurationText.seconds("1e9") == 1e9)
        #expect(DurationText.seconds("1e19") == nil)
        #expect(DurationText.isTooLong("1e19"))
        #expect(DurationText.seconds("300000h") == nil)
        #expect(DurationText.isTooLong("300000h"))
        #expect(!DurationText.isTooLong("10s"))
        #expect(!DurationText.isTooLong("ten"))
        #expect(DurationText.bounded(.infinity) == nil)
        #expect(DurationText.bounded(.nan) == nil)
        #expect(DurationText.bounded(-1) == nil)
    }

    @Test func formatIsTotal() {
        #expect(DurationText.format(1e19) == "1e+19s")
        #expect(DurationText.format(.infinity) == "infs")
        #expect(DurationText.format(90) == "1m30s")
    }
}
