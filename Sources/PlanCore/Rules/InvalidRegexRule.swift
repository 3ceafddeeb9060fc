import PlanYAML

/// `plan.invalid-regex`: an `errors:` `match` or a `capture:` `regex` that is not a valid regular expression.
///
/// Found by `validate`, not at run time: there a bad `match` would silently never match, and a bad capture
/// would fail the step on the first node that ran it.
public struct InvalidRegexRule: PlanRule {
    public let id = DiagnosticID.planInvalidRegex
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // Compiling a pattern costs tens of microseconds; plans repeat the same few on many steps.
        var problems: [String: String?] = [:]
        func cachedProblem(_ pattern: String) -> String? {
            if let known = problems[pattern] { return known }
            let found = Self.problem(pattern)
            problems[pattern] = found
            return found
        }
        for operation in context.operations {
            for facts in operation.steps {
                for rule in operation.step(facts).errors {
                    if let pattern = rule.match, let problem = cachedProblem(pattern) {
                        out.append(Diagnostic(id, "errors: match '\(pattern)' is not a valid regular expression: \(problem)", at: rule.matchRange))
                    }
                }
                for capture in operation.step(facts).captures {
                    if case .regex(let pattern) = capture.source, let problem = cachedProblem(pattern) {
                        out.append(
                            Diagnostic(
                                id, "capture '\(capture.name)': regex '\(pattern)' is not a valid regular expression: \(problem)",
                                at: capture.sourceRange))
                    }
                }
            }
        }
        return out
    }

    static func problem(_ pattern: String) -> String? { PatternMatch.problem(pattern) }
}
