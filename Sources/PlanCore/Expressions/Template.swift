import PlanYAML

/// A string from a plan that may hold `${{ … }}` interpolations.
///
/// A template that is one whole expression evaluates to that expression's value and keeps its type;
/// any other template evaluates to a string.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case expression(Expression)
    }

    public var parts: [Part]
    /// The text as written in the plan (after YAML unquoting).
    public var source: String
    /// Where the scalar stands in the plan.
    public var range: SourceRange

    public init(parts: [Part], source: String, range: SourceRange) {
        self.parts = parts
        self.source = source
        self.range = range
    }

    /// A template with no interpolation.
    public init(literal text: String, range: SourceRange = .unknown) {
        self.init(parts: text.isEmpty ? [] : [.literal(text)], source: text, range: range)
    }

    /// The text when the template has no interpolation, else nil.
    public var literalText: String? {
        if parts.isEmpty { return "" }
        if parts.count == 1, case .literal(let text) = parts[0] { return text }
        return nil
    }

    /// The expression when the template is exactly one `${{ … }}` and nothing else.
    public var wholeExpression: Expression? {
        if parts.count == 1, case .expression(let e) = parts[0] { return e }
        return nil
    }

    public var expressions: [Expression] {
        parts.compactMap { if case .expression(let e) = $0 { return e } else { return nil } }
    }
}
