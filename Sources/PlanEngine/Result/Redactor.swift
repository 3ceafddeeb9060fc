/// Replaces the values of `secret: true` inputs by `***` in everything planrun prints.
public struct Redactor: Sendable {
    public static let mask = "***"
    /// Longest first, so a secret that contains another is masked whole.
    private let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// The secrets among a plan's inputs, taken from the resolved input values.
    public init(plan: Plan, inputs: Value.Object) {
        let values = plan.inputs.filter(\.secret).compactMap { inputs[$0.name] }.map(\.interpolationText)
        self.init(secrets: values)
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.split(separator: secret, omittingEmptySubsequences: false).joined(separator: Self.mask)
        }
        return out
    }

    public func redact(_ value: Value) -> Value {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let items): return .array(items.map(redact))
        case .object(let object):
            var out = Value.Object()
            for (key, item) in object { out[redact(key)] = redact(item) }
            return .object(out)
        default: return value
        }
    }
}
