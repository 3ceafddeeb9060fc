import PlanYAML

/// The string functions: splitting and rewriting command output, and testing it against a pattern.
extension ExpressionEvaluator {
    static func applyText(_ function: ExpressionFunction, _ args: [Value], at range: SourceRange)
        throws(EvaluationError) -> Value
    {
        let name = function.rawValue
        func fail(_ message: String) -> EvaluationError { EvaluationError(message, at: range) }
        var strings: [String] = []
        for (i, arg) in args.enumerated() {
            guard case .string(let s) = arg else {
                let position = args.count == 1 ? "" : " as argument \(i + 1)"
                throw fail("'\(name)' takes a string\(position), got \(describe(arg))")
            }
            strings.append(s)
        }
        switch function {
        case .split:
            guard !strings[1].isEmpty else { throw fail("'split' takes a separator that is not empty") }
            return .array(strings[0].split(separator: strings[1], omittingEmptySubsequences: false).map {
                .string(String($0))
            })
        case .replace:
            guard !strings[1].isEmpty else { throw fail("'replace' takes a text to replace that is not empty") }
            return .string(strings[0].replacing(strings[1], with: strings[2]))
        case .lower: return .string(strings[0].lowercased())
        case .upper: return .string(strings[0].uppercased())
        case .matches:
            do { return .bool(try PatternMatch.matches(strings[1], in: strings[0])) } catch {
                throw fail("'matches': \(error.message)")
            }
        default:
            throw fail("'\(name)' is not a string function")
        }
    }
}
