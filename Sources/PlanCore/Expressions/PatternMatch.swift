/// Regular-expression tests for `matches(s, regex)`, and the one syntax check for every pattern in a plan:
/// all go through `BoundedRegex` (RE2, linear in the text), so none can hang a run.
public enum PatternMatch {
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Whether `pattern` (RE2 syntax) matches somewhere in `text`.
    public static func matches(_ pattern: String, in text: String) throws(Failure) -> Bool {
        let regex: BoundedRegex
        do { regex = try BoundedRegex(pattern) } catch {
            throw Failure(message: "invalid regular expression '\(pattern)': \(error.reason)")
        }
        return regex.matches(text)
    }

    /// What is wrong with `pattern`, or nil when it compiles with the engine that will match it.
    public static func problem(_ pattern: String) -> String? {
        do {
            _ = try BoundedRegex(pattern)
            return nil
        } catch {
            return error.reason
        }
    }
}
