import PlanYAML

/// How plain YAML scalars read when the field takes any value (`vars:`, defaults, `enum:`, `set:`):
/// `null`/`~`/empty, `true`/`false`, decimal integers and floats; everything else, and every quoted
/// scalar, is a string. YAML 1.1's `yes`/`on`/`0x1F`/`1_000` are strings, never surprises.
public enum ScalarTyping {
    /// The typed value of a node; mappings keep their key order.
    public static func value(_ node: YAMLNode) -> Value {
        switch node.content {
        case .scalar(let text, _):
            if node.isQuoted || node.tag == "tag:yaml.org,2002:str" { return .string(text) }
            return plain(text)
        case .sequence(let items):
            return .array(items.map(value))
        case .mapping(let pairs):
            var object = Value.Object()
            for pair in pairs { object[pair.key.scalar ?? ""] = value(pair.value) }
            return .object(object)
        }
    }

    /// A plain scalar's value.
    public static func plain(_ text: String) -> Value {
        switch text {
        case "", "~", "null": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if let i = int(text) { return .int(i) }
        if isFloat(text), let d = Double(text) { return .double(d) }
        return .string(text)
    }

    /// A plain scalar's typed value when it is not a string (for `ValueTemplate.scalar`'s `typedLiteral`).
    static func typedLiteral(_ node: YAMLNode) -> Value? {
        guard case .scalar(let text, .plain) = node.content, node.tag == nil else { return nil }
        let value = plain(text)
        if case .string = value { return nil }
        return value
    }

    /// A decimal integer with an optional sign; nil when it does not fit an `Int`.
    public static func int(_ text: String) -> Int? {
        Int(text)
    }

    /// An integer or a decimal float (`1.5`, `.5`, `1e3`, `-2.0`); no `inf`, `nan` or hex.
    public static func number(_ text: String) -> Double? {
        if let i = int(text) { return Double(i) }
        return isFloat(text) ? Double(text) : nil
    }

    private static func isFloat(_ text: String) -> Bool {
        var bytes = Substring(text).utf8
        if bytes.first == 0x2D || bytes.first == 0x2B { bytes = bytes.dropFirst() }
        var digits = 0
        var sawDot = false
        var sawExponent = false
        var previous: UInt8 = 0
        for b in bytes {
            switch b {
            case 0x30...0x39: digits += 1
            case 0x2E where !sawDot && !sawExponent: sawDot = true
            // A `where` guards only the pattern just before it, so each pattern carries its own.
            case 0x65 where digits > 0 && !sawExponent, 0x45 where digits > 0 && !sawExponent: sawExponent = true
            case 0x2D where previous == 0x65 || previous == 0x45, 0x2B where previous == 0x65 || previous == 0x45: break
            default: return false
            }
            previous = b
        }
        return digits > 0 && (sawDot || sawExponent) && previous != 0x65 && previous != 0x45
            && previous != 0x2D && previous != 0x2B
    }

    /// The boolean a YAML 1.1 spelling (`yes`, `On`, `TRUE`, `n`) meant, for a did-you-mean.
    static func booleanGuess(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "y", "on": return true
        case "false", "no", "n", "off": return false
        default: return nil
        }
    }
}
