/// JSON text for values: deterministic (key order kept, no locale), so equal values print equal bytes.
extension Value {
    /// Compact when `indent` is nil; otherwise pretty with that many spaces per level.
    ///
    /// The text is written as UTF-8 bytes into an array and made a `String` once: every result, event and
    /// stored record prints through here, and appending to a `String` piece by piece cost several hundred
    /// instructions an append (a 500-step run's result and event log were a third of its own work).
    public func jsonText(indent: Int? = nil) -> String {
        var out: [UInt8] = []
        write(to: &out, indent: indent, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON text to `out`: for a writer that puts several values into one text (an event
    /// written field by field, a log of many events) without a `String` for each.
    public func writeJSON(to out: inout [UInt8]) {
        write(to: &out, indent: nil, level: 0)
    }

    private func write(to out: inout [UInt8], indent: Int?, level: Int) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): Value.writeInt(i, to: &out)
        case .double(let d):
            if !d.isFinite { out += "null".utf8 }
            else if d == d.rounded(), abs(d) < 1e15 { Value.writeInt(Int(d), to: &out); out += ".0".utf8 }
            else { out += "\(d)".utf8 }
        case .string(let s): Value.writeJSONString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Value.newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            Value.newline(&out, indent, level)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            for (i, entry) in object.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Value.newline(&out, indent, level + 1)
                Value.writeJSONString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                entry.value.write(to: &out, indent: indent, level: level + 1)
            }
            Value.newline(&out, indent, level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private static func writeEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
        default:
            out += "u00".utf8
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
    }

    /// Appends the decimal digits of `i`, written in place: `String(i)` made a string for every number.
    public static func writeInt(_ i: Int, to out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = i.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var at = out.count + digits
        for _ in 0..<digits { out.append(UInt8(ascii: "0")) }
        repeat {
            at -= 1
            out[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string literal: `"` and `\` escaped, control characters and DEL as `\n`, `\r`,
    /// `\t` or `\u00XX`; everything else (all of non-ASCII) as it is. The escaped bytes are all ASCII, so
    /// copying the others never splits a character. The bytes between two escapes are copied as one run:
    /// appending them one at a time (a capacity check each) was most of a recorded run's JSON text.
    public static func writeJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard needsEscape(byte) else { continue }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                start = i + 1
                writeEscape(byte, to: &out)
            }
            if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
