/// JSON text for values: deterministic (key order kept, no locale), so equal values print equal bytes.
extension Value {
    /// Compact when `indent` is nil; otherwise pretty with that many spaces per level.
    public func jsonText(indent: Int? = nil) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    private func write(to out: inout String, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if !d.isFinite { out += "null" }
            else if d == d.rounded(), abs(d) < 1e15 { out += String(Int(d)) + ".0" }
            else { out += "\(d)" }
        case .string(let s): Value.writeJSONString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                Value.newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            Value.newline(&out, indent, level)
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{"
            for (i, entry) in object.enumerated() {
                if i > 0 { out += "," }
                Value.newline(&out, indent, level + 1)
                Value.writeJSONString(entry.key, to: &out)
                out += indent == nil ? ":" : ": "
                entry.value.write(to: &out, indent: indent, level: level + 1)
            }
            Value.newline(&out, indent, level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    /// Appends `s` as a JSON string literal. Runs of bytes that need no escape are appended whole (a step
    /// record is mostly such runs); the bytes escaped are all ASCII, so a run never splits a character.
    static func writeJSONString(_ s: String, to out: inout String) {
        out += "\""
        let utf8 = s.utf8
        var runStart = utf8.startIndex
        var i = runStart
        while i != utf8.endIndex {
            let byte = utf8[i]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else {
                utf8.formIndex(after: &i)
                continue
            }
            out += s[runStart..<i]
            switch byte {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = String(byte, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            utf8.formIndex(after: &i)
            runStart = i
        }
        out += s[runStart..<i]
        out += "\""
    }
}
