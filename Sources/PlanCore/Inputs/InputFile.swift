import PlanYAML

/// An inputs file (`--inputs FILE`, or `-` for stdin): a JSON object or a YAML mapping of input names.
///
/// JSON is read by the same composer as YAML so that every value keeps its place for diagnostics; the seed's
/// Input JSON (`{"operation": "status", "timeout": 60, "force": false}`) works as it is.
public enum InputFile {
    public static func read(bytes: [UInt8], file: String) -> ([(key: String, value: RawInput)], [Diagnostic]) {
        let (root, problems) = YAMLComposer.compose(joiningSurrogates(bytes), file: file)
        var diagnostics = problems
        guard let root, !root.isNull else { return ([], diagnostics) }
        guard let pairs = root.mapping else {
            diagnostics.append(
                Diagnostic(
                    .inputType, "expected an object of input names, found \(root.kindDescription)", file: file,
                    at: root.range))
            return ([], diagnostics)
        }
        var out: [(key: String, value: RawInput)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                diagnostics.append(Diagnostic(.inputType, "expected an input name", file: file, at: pair.key.range))
                continue
            }
            out.append((key, RawInput(.value(ScalarTyping.value(pair.value)), file: file, range: pair.value.range, keyRange: pair.key.range)))
        }
        return (out, diagnostics)
    }

    /// JSON writes a character beyond the BMP as a surrogate pair (`"\ud83d\ude42"`, Python's `json.dumps`
    /// default); YAML has no surrogates and rejects them. Each escaped pair becomes YAML's `\U0001f642`, which
    /// is also what JSON means, so JSON reads as JSON. (A value later on that line reads two columns early.)
    static func joiningSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{"),
            bytes.count >= 12
        else { return bytes }
        func hex(_ at: Int) -> UInt32? {
            var value: UInt32 = 0
            for i in at..<(at + 4) {
                guard let digit = Character(Unicode.Scalar(bytes[i])).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var escaped = false
        while i < bytes.count {
            let byte = bytes[i]
            if escaped {
                escaped = false
                if byte == UInt8(ascii: "u"), i + 10 < bytes.count, bytes[i + 5] == UInt8(ascii: "\\"), bytes[i + 6] == UInt8(ascii: "u"),
                    let high = hex(i + 1), (0xD800...0xDBFF).contains(high), let low = hex(i + 7), (0xDC00...0xDFFF).contains(low)
                {
                    let scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    out += Array(("U" + String(repeating: "0", count: 8 - String(scalar, radix: 16).count) + String(scalar, radix: 16)).utf8)
                    i += 11
                    continue
                }
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            }
            out.append(byte)
            i += 1
        }
        return out
    }
}
