import PlanYAML

/// The decoder's shared state: the file diagnostics point into and every problem found so far.
///
/// Readers never stop at the first problem: each records a located diagnostic and returns nil, so that one
/// pass reports everything. Plain scalars are typed here by the field that reads them.
struct DecodingContext {
    let file: String?
    /// The files that use this one through `uses:`, outermost first: a file found among them is a cycle.
    var usingChain: [String] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String?) {
        self.file = file
    }

    // MARK: Reporting

    /// Records a diagnostic (its severity comes with the id).
    mutating func report(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [Diagnostic.Note] = [], fixIt: String? = nil
    ) {
        diagnostics.append(Diagnostic(id, message, file: file, at: range, notes: notes, fixIt: fixIt))
    }

    mutating func append(_ more: [Diagnostic]) {
        for var d in more {
            if d.file == nil { d.file = file }
            diagnostics.append(d)
        }
    }

    /// `plan.type`: the node is not of the kind the field reads.
    mutating func typeError(expected: String, found node: YAMLNode) {
        report(.planType, "expected \(expected), found \(Self.describe(node))", at: node.aliasRange ?? node.range)
    }

    /// How a node reads in a type error: the scalar's text when it has one, else its kind.
    static func describe(_ node: YAMLNode) -> String {
        if node.isNull { return "null" }
        if let text = node.scalar {
            let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "'\(short)'"
        }
        return node.kindDescription
    }

    // MARK: Mappings

    /// The pairs of a mapping whose keys are scalars, reporting the others; nil (and `plan.type`) for a non-mapping.
    mutating func mapping(_ node: YAMLNode, expected: String) -> MappingFields? {
        guard case .mapping(let pairs) = node.content else {
            typeError(expected: expected, found: node)
            return nil
        }
        func hasScalarKey(_ pair: YAMLNode.Pair) -> Bool {
            if case .scalar = pair.key.content { return true }
            return false
        }
        guard !pairs.allSatisfy(hasScalarKey) else { return MappingFields(pairs) }
        var scalarKeyed: [YAMLNode.Pair] = []
        for pair in pairs {
            guard hasScalarKey(pair) else {
                typeError(expected: "a key name", found: pair.key)
                continue
            }
            scalarKeyed.append(pair)
        }
        return MappingFields(scalarKeyed)
    }

    /// `plan.unknown-key` with the closest of the mapping's keys as did-you-mean.
    mutating func unknownKey<Key: PlanKey>(_ key: String, at node: YAMLNode, among keys: Key.Type, in place: String) {
        unknownKey(key, at: node, allowed: Key.names, in: place)
    }

    /// `plan.unknown-key` with the closest allowed key as did-you-mean.
    mutating func unknownKey(_ key: String, at node: YAMLNode, allowed: [String], in place: String) {
        let range = node.aliasRange ?? node.range
        if let guess = Suggest.closest(to: key, among: allowed) {
            report(.planUnknownKey, "unknown key '\(key)'; did you mean '\(guess)'?", at: range, fixIt: guess)
        } else {
            report(
                .planUnknownKey, "unknown key '\(key)' in \(place)", at: range,
                notes: [Diagnostic.Note("expected one of: " + allowed.joined(separator: ", "))])
        }
    }

    /// `plan.missing-key`: a required key is absent from the mapping at `range`.
    mutating func missingKey(_ key: String, in place: String, at range: SourceRange) {
        report(.planMissingKey, "\(place) needs the key '\(key)'", at: range)
    }

    // MARK: Scalars typed by the field

    /// Any scalar's text; plain `true` or `42` read as text too, since the field wants a string.
    mutating func string(_ node: YAMLNode) -> String? {
        guard let text = node.scalar, !node.isNull else {
            typeError(expected: "a string", found: node)
            return nil
        }
        return text
    }

    /// `true` or `false`, plain; YAML 1.1 spellings (`yes`, `on`, `True`) are errors with a did-you-mean.
    mutating func bool(_ node: YAMLNode) -> Bool? {
        if let text = node.scalar, !node.isQuoted {
            if text == "true" { return true }
            if text == "false" { return false }
            if let guess = ScalarTyping.booleanGuess(text) {
                report(
                    .planType, "expected true or false, found '\(text)'; did you mean '\(guess)'?",
                    at: node.range, fixIt: guess ? "true" : "false")
                return nil
            }
        }
        typeError(expected: "true or false", found: node)
        return nil
    }

    /// A plain decimal integer.
    mutating func int(_ node: YAMLNode, expected: String = "an integer") -> Int? {
        if let text = node.scalar, !node.isQuoted, let value = ScalarTyping.int(text) { return value }
        typeError(expected: expected, found: node)
        return nil
    }

    /// A plain integer or decimal number.
    mutating func number(_ node: YAMLNode) -> Double? {
        if let text = node.scalar, !node.isQuoted, let value = ScalarTyping.number(text) { return value }
        typeError(expected: "a number", found: node)
        return nil
    }

    /// A literal duration in seconds (`500ms`, `10s`, `1m30s`, or a bare number of seconds).
    mutating func duration(_ node: YAMLNode) -> Double? {
        if let text = node.scalar, !node.isNull, let seconds = DurationText.seconds(text) { return seconds }
        if let text = node.scalar, !node.isNull, DurationText.isTooLong(text) {
            report(
                .planOutOfRange, "duration \(Self.describe(node)) is longer than the longest allowed, \(DurationText.longestText)",
                at: node.aliasRange ?? node.range)
            return nil
        }
        typeError(expected: "a duration such as '10s'", found: node)
        return nil
    }

    /// A duration that may also be a `${{ … }}` template evaluated at run time.
    mutating func durationSetting(_ node: YAMLNode) -> Setting<Double>? {
        if let text = node.scalar, TemplateParser.hasOpener(text) {
            return template(node).map { .template($0) }
        }
        return duration(node).map { .literal($0, node.range) }
    }

    /// A scalar parsed as a template (parsed once here; rules read its expressions, never re-parse).
    mutating func template(_ node: YAMLNode) -> Template? {
        guard node.scalar != nil, !node.isNull else {
            typeError(expected: "a string or an expression", found: node)
            return nil
        }
        let (template, problems) = Template.parse(node)
        append(problems)
        return template
    }

    /// One string or a list of strings, with the range of each.
    mutating func stringList(_ node: YAMLNode) -> [(String, SourceRange)]? {
        if let items = node.sequence {
            var out: [(String, SourceRange)] = []
            for item in items {
                if let text = string(item) { out.append((text, item.range)) }
            }
            return out
        }
        if node.scalar != nil, !node.isNull { return [(node.scalar!, node.range)] }
        typeError(expected: "a name or a list of names", found: node)
        return nil
    }

    /// A count of nodes (`2`) or a percentage of them (`"25%"`).
    mutating func share(_ node: YAMLNode, what: String) -> Share? {
        if let text = node.scalar, !node.isNull {
            if text.hasSuffix("%"), let p = Double(text.dropLast()), p >= 0, p <= 100 { return .percent(p) }
            if !node.isQuoted, let n = ScalarTyping.int(text), n >= 0 { return .count(n) }
        }
        typeError(expected: "\(what): a count such as 2 or a percentage such as '25%'", found: node)
        return nil
    }

    /// One of a closed set of words, with a did-you-mean for a near miss.
    mutating func word<T>(_ node: YAMLNode, among choices: [(String, T)], what: String) -> T? {
        guard let text = node.scalar, !node.isNull else {
            typeError(expected: what, found: node)
            return nil
        }
        if let hit = choices.first(where: { $0.0 == text }) { return hit.1 }
        let names = choices.map(\.0)
        if let guess = Suggest.closest(to: text, among: names) {
            report(.planType, "unknown \(what) '\(text)'; did you mean '\(guess)'?", at: node.range, fixIt: guess)
        } else {
            report(.planType, "unknown \(what) '\(text)'; expected one of: \(names.joined(separator: ", "))", at: node.range)
        }
        return nil
    }
}
