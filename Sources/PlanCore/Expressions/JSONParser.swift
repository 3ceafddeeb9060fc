extension Value {
    /// Parses JSON text (for `capture: { json: … }` and `--inputs`), keeping object key order.
    ///
    /// Strict RFC 8259: one value (of any kind) with optional whitespace around it; no comments, trailing
    /// commas, single quotes, `NaN` or leading zeros. Integers that fit `Int` become `.int`, other numbers
    /// `.double`; a number too large for a double is an error. A repeated object key keeps its first
    /// position and its last value. Errors name the byte offset (from 0) where the text went wrong;
    /// nesting deeper than `JSONParser.maxDepth` is an error, never a stack overflow. The error range is
    /// `.unknown`: the caller knows which step or file the text came from.
    public static func parseJSON(_ text: String) throws(EvaluationError) -> Value {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }
}

/// A recursive-descent JSON reader over UTF-8 bytes.
struct JSONParser {
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(EvaluationError) -> Value {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count { throw error("unexpected \(describeCurrent()) after the value") }
        return value
    }

    private mutating func parseValue() throws(EvaluationError) -> Value {
        guard position < bytes.count else { throw error("unexpected end of text; expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseWord("true", .bool(true))
        case UInt8(ascii: "f"): return try parseWord("false", .bool(false))
        case UInt8(ascii: "n"): return try parseWord("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func parseObject() throws(EvaluationError) -> Value {
        try enter()
        position += 1
        var object = Value.Object()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) {
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()); expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw error("unexpected \(describeCurrent()); expected ':'") }
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { break }
            throw error("unexpected \(describeCurrent()); expected ',' or '}'")
        }
        depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(EvaluationError) -> Value {
        try enter()
        position += 1
        var items: [Value] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) {
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { break }
            throw error("unexpected \(describeCurrent()); expected ',' or ']'")
        }
        depth -= 1
        return .array(items)
    }

    private mutating func parseString() throws(EvaluationError) -> String {
        let open = position
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw error("control character 0x\(hex(b)) in a string; it must be escaped")
            default:
                out.append(b)
                position += 1
            }
        }
        position = open
        throw error("unterminated string")
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(EvaluationError) {
        let start = position
        position += 1
        guard position < bytes.count else { throw error("unterminated string") }
        let e = bytes[position]
        position += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try parseHex4()
            if (0xD800...0xDBFF).contains(code) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    position = start
                    throw error("high surrogate \\u\(hex(code)) without a low surrogate after it")
                }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    position = start
                    throw error("high surrogate \\u\(hex(code)) followed by \\u\(hex(low)), not a low surrogate")
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                position = start
                throw error("low surrogate \\u\(hex(code)) without a high surrogate before it")
            }
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
        default:
            position = start
            throw error("invalid escape '\\\(String(decoding: [e], as: UTF8.self))' in a string")
        }
    }

    private mutating func parseHex4() throws(EvaluationError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error("unterminated \\u escape") }
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("expected 4 hex digits after '\\u'")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    private mutating func parseNumber() throws(EvaluationError) -> Value {
        let start = position
        _ = consume(UInt8(ascii: "-"))
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error("expected a digit after '-'")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error("leading zeros are not allowed") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit after '.'") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit in the exponent") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text), d.isFinite else {
            position = start
            throw error("number \(text) is too large")
        }
        return .double(d)
    }

    private mutating func parseWord(_ word: String, _ value: Value) throws(EvaluationError) -> Value {
        guard bytes[position...].starts(with: word.utf8) else { throw error("unexpected \(describeCurrent()); expected a value") }
        position += word.utf8.count
        return value
    }

    // MARK: - Helpers

    private mutating func enter() throws(EvaluationError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nested more than \(Self.maxDepth) levels deep") }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of text" }
        let b = bytes[position]
        if b >= 0x20, b < 0x7F { return "'\(String(decoding: [b], as: UTF8.self))'" }
        return "byte 0x\(hex(b))"
    }

    private func hex(_ value: some BinaryInteger) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, (value is UInt8 ? 2 : 4) - digits.count)) + digits
    }

    private func error(_ message: String) -> EvaluationError {
        EvaluationError("invalid json at byte \(position): \(message)", at: .unknown)
    }
}
