import CBoundedRegex

/// A regular expression from a plan (`capture: {regex:}`, `errors: [{match:}]`, `matches()`), matched in
/// time linear in the text.
///
/// Why RE2 (through the small C shim `CBoundedRegex`): Swift's `Regex` backtracks, so `^(a+)+$` against 22
/// `a`s and a `b` ran for minutes and could be stopped neither by the step's timeout, the deadline nor
/// Ctrl-C (a match cannot be cancelled). The other ways out were worse: POSIX ERE lacks `\d`, `\w`, `\s`
/// and lazy quantifiers that plans use, and glibc's engine still backtracks on some patterns; matching on
/// another thread with cancellation leaves a thread spinning after the step ends; a bounded input only
/// makes the exponent smaller. RE2 has no backtracking at all: its time is linear in the text (at most
/// the output limit) times the pattern, and its memory is capped, so a match is over in milliseconds and
/// nothing needs to interrupt it. The price is RE2's syntax: no backreferences and no lookaround —
/// `validate` reports those as `plan.invalid-regex` with RE2's reason.
///
/// Semantics are RE2's defaults: UTF-8, `^`/`$` at the text's ends (`(?m)` for lines), `.` not matching a
/// newline (`(?s)` for that), leftmost-first alternation as in Perl.
public final class BoundedRegex: @unchecked Sendable {
    // @unchecked: the compiled RE2 object is immutable after compilation and RE2 documents `Match` as safe
    // to call from several threads at once.
    private let compiled: OpaquePointer
    /// The pattern as written.
    public let pattern: String
    /// The number of capturing groups.
    public let groupCount: Int

    /// Why a pattern cannot be compiled, in RE2's words ("missing ): ^(a").
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// One match: byte ranges into the UTF-8 of the text searched.
    public struct Match: Sendable, Equatable {
        /// Slot 0 is the whole match, slot i the i-th group; nil for a group that did not take part.
        public var ranges: [Range<Int>?]
    }

    public init(_ pattern: String) throws(SyntaxError) {
        var reason = [CChar](repeating: 0, count: 256)
        var source = pattern
        let made = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                planrun_regex_compile(chars.baseAddress, chars.count, &reason, reason.count)
            }
        }
        guard let made else {
            throw SyntaxError(reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        compiled = made
        self.pattern = pattern
        groupCount = Int(planrun_regex_group_count(made))
    }

    deinit { planrun_regex_free(compiled) }

    /// The leftmost match in `text`, with every group's range.
    public func firstMatch(in text: String) -> Match? {
        let slots = groupCount + 1
        var starts = [Int](repeating: -1, count: slots)
        var ends = [Int](repeating: -1, count: slots)
        var text = text
        let found = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                planrun_regex_search(compiled, chars.baseAddress, chars.count, &starts, &ends, Int32(slots))
            }
        }
        guard found == 1 else { return nil }
        return Match(ranges: (0..<slots).map { starts[$0] >= 0 ? starts[$0]..<ends[$0] : nil })
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                planrun_regex_search(compiled, chars.baseAddress, chars.count, nil, nil, 0) == 1
            }
        }
    }

    /// The text of a capture's value: the first group when the pattern has one, else the whole match.
    /// Nil when there is no match; `.some(nil)` when the group did not take part.
    public func firstGroupText(in text: String) -> String?? {
        guard let match = firstMatch(in: text) else { return nil }
        guard let range = match.ranges[groupCount > 0 ? 1 : 0] else { return .some(nil) }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return .some(String(decoding: utf8[lower..<utf8.index(lower, offsetBy: range.count)], as: UTF8.self))
    }
}
