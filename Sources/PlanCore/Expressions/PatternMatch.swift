/// Regular-expression tests for `matches(s, regex)`: one place, so the engine's bounded matcher serves them.
public enum PatternMatch {
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Texts longer than this (in UTF-8 bytes) are refused rather than searched: a backtracking pattern's
    /// time grows with the text, and command output is capped at a megabyte anyway.
    public static let maxText = 1 << 20

    /// Whether `pattern` (Swift `Regex` syntax) matches somewhere in `text`.
    public static func matches(_ pattern: String, in text: String) throws(Failure) -> Bool {
        guard text.utf8.count <= maxText else {
            throw Failure(message: "the text is \(text.utf8.count) bytes, above the \(maxText)-byte limit for a match")
        }
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch {
            throw Failure(message: "invalid regular expression '\(pattern)': \(error)")
        }
        return text.contains(regex)
    }

    /// What is wrong with `pattern`, or nil when it compiles.
    public static func problem(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
