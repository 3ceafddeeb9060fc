/// Replaces the values of `secret: true` inputs by `***` in everything planrun prints.
///
/// A secret is masked in every form a command or planrun itself may write it in: as given; shell-quoted
/// (`it'\''s`, as a rendered command shows it); JSON-escaped (a `"` or `\` in it, as a node's JSON output or a
/// captured document writes it); and line by line (`-v` streams output a line at a time, `lines:` captures
/// split it), each line of a multi-line secret on its own. A list input's elements are secrets each.
///
/// A form shorter than `shortest` characters is masked only where it stands alone (no letter, digit or `_`
/// right before or after it): a secret `a` masked inside every word made output unreadable
/// (`f***iled … 1 ***ttempt`) and told anyone reading it the secret anyway.
public struct Redactor: Sendable {
    public static let mask = "***"
    /// Forms shorter than this many characters are masked only where they stand alone.
    public static let shortest = 4
    /// Every form of every secret, longest first, so a secret that contains another is masked whole.
    private let secrets: [String]
    /// The secret values as given (what `SecretWords` keeps off command lines).
    public let values: [String]

    public init(secrets: [String]) {
        values = secrets.filter { !$0.isEmpty }
        var forms = Set<String>()
        for secret in secrets where !secret.isEmpty {
            forms.insert(secret)
            if secret.contains("'") { forms.insert(secret.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''")) }
            let json = Value.string(secret).jsonText()
            forms.insert(String(json.dropFirst().dropLast()))
            for line in secret.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingWhitespace
                if !trimmed.isEmpty { forms.insert(trimmed) }
            }
        }
        self.secrets = forms.sorted { $0.count > $1.count }
    }

    /// The secrets among a plan's inputs, taken from the resolved input values (a list's elements each too).
    public init(plan: Plan, inputs: Value.Object) {
        var values: [String] = []
        func add(_ value: Value) {
            values.append(value.interpolationText)
            if case .array(let items) = value { items.forEach(add) }
        }
        plan.inputs.filter(\.secret).compactMap { inputs[$0.name] }.forEach(add)
        self.init(secrets: values)
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            if secret.count < Self.shortest {
                out = Self.maskingWhereAlone(secret, in: out)
            } else {
                out = out.split(separator: secret, omittingEmptySubsequences: false).joined(separator: Self.mask)
            }
        }
        return out
    }

    /// The names of the secret inputs whose value (or a list element) is shorter than `shortest`: the run
    /// says so, since such a secret is masked only where it stands alone.
    public static func shortSecrets(plan: Plan, inputs: Value.Object) -> [String] {
        func short(_ value: Value) -> Bool {
            if case .array(let items) = value { return items.contains(where: short) }
            let text = value.interpolationText
            return !text.isEmpty && text.count < shortest
        }
        return plan.inputs.filter { $0.secret && inputs[$0.name].map(short) == true }.map(\.name)
    }

    private static func maskingWhereAlone(_ secret: String, in text: String) -> String {
        func isWordCharacter(_ c: Character?) -> Bool {
            guard let c else { return false }
            return c.isLetter || c.isNumber || c == "_"
        }
        var out = ""
        var rest = text[...]
        while let found = rest.firstRange(of: secret) {
            let before = found.lowerBound > rest.startIndex ? rest[rest.index(before: found.lowerBound)] : out.last
            let after = found.upperBound < rest.endIndex ? rest[found.upperBound] : nil
            out += rest[..<found.lowerBound]
            out += isWordCharacter(before) || isWordCharacter(after) ? String(rest[found]) : mask
            rest = rest[found.upperBound...]
        }
        return out + rest
    }

    /// Masks the strings of `value`; an object's keys too unless `keys` is false. Data from outside (a
    /// capture, a command's JSON) is masked whole when it comes in; a document planrun writes passes
    /// `keys: false`, since its keys are its structure (`validation_status` must survive a secret `s`).
    public func redact(_ value: Value, keys: Bool = true) -> Value {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let items): return .array(items.map { redact($0, keys: keys) })
        case .object(let object):
            var out = Value.Object()
            for (key, item) in object { out[keys ? redact(key) : key] = redact(item, keys: keys) }
            return .object(out)
        default: return value
        }
    }
}
