/// One token of an expression, located by UTF-8 byte offsets into the scalar's text.
///
/// A plain value (no references), so that token buffers cost nothing to copy or free: a name's text is
/// its bytes, a literal's value sits in the lexer's `literals` at `payload`.
struct ExpressionToken: Sendable {
    enum Kind: UInt8, Sendable {
        /// A literal (`literals[payload]`): integer, float, string, `true`, `false` or `null`.
        case literal
        /// A name at the start of a path or a function call.
        case name
        /// A path component written right after a `.`: a name (dashes allowed inside), digits, or `*`.
        case component
        case dot, comma, openParen, closeParen, openBracket, closeBracket
        case not, minus, plus, less, lessOrEqual, greater, greaterOrEqual, equal, notEqual, and, or, `in`
        /// The `}}` that closes the expression.
        case close
    }

    var kind: Kind
    var start: Int
    var end: Int
    var payload: Int = 0

    /// How an operator or punctuation token reads in messages; names and literals need their text.
    var symbol: String {
        switch kind {
        case .literal, .name, .component: return ""
        case .dot: return "."
        case .comma: return ","
        case .openParen: return "("
        case .closeParen: return ")"
        case .openBracket: return "["
        case .closeBracket: return "]"
        case .not: return "!"
        case .minus: return "-"
        case .plus: return "+"
        case .less: return "<"
        case .lessOrEqual: return "<="
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        case .equal: return "=="
        case .notEqual: return "!="
        case .and: return "&&"
        case .or: return "||"
        case .in: return "in"
        case .close: return "}}"
        }
    }
}

/// A problem found while reading the text of an expression, located by byte offsets.
struct ExpressionSyntaxError: Error, Sendable {
    var id: DiagnosticID = .exprSyntax
    var message: String
    var start: Int
    var end: Int
    var fixIt: String?
    /// A second place, as byte offsets, that explains the first (the `(` an unmatched `)` is missing).
    var note: (message: String, start: Int, end: Int)?
}

/// Splits the text after a `${{` into tokens up to and including the closing `}}`.
///
/// Works on the UTF-8 bytes of the scalar without Foundation: this runs for every interpolated string of a
/// plan when it is validated. After a bad character the lexer keeps going so that it still finds the `}}`
/// and the rest of the scalar can be checked; only the first problem of an expression is kept.
struct ExpressionLexer {
    enum Outcome {
        /// The `}}` was found; `end` is the offset just after it.
        case closed(end: Int)
        /// The text ended before `}}`.
        case unterminated
        /// A string literal ran to the end of the text, swallowing any `}}`.
        case unterminatedString
    }

    let bytes: [UInt8]
    private(set) var position: Int
    private(set) var tokens: [ExpressionToken] = []
    /// The values of literal tokens, in order.
    private(set) var literals: [Value] = []
    private(set) var error: ExpressionSyntaxError?

    init(bytes: [UInt8], start: Int) {
        self.bytes = bytes
        self.position = start
        // Room for a path of a few components and its `}}` (`inputs.message }}` is four tokens): grown from
        // empty, the list was reallocated three times for most expressions.
        tokens.reserveCapacity(8)
    }

    mutating func run() -> Outcome {
        while true {
            skipWhitespace()
            guard position < bytes.count else { return .unterminated }
            let start = position
            let byte = bytes[position]
            let afterDot = !tokens.isEmpty && tokens[tokens.count - 1].kind == .dot && tokens[tokens.count - 1].end == start
            if afterDot, lexComponent() {
                tokens.append(ExpressionToken(kind: .component, start: start, end: position))
                continue
            }
            switch byte {
            case UInt8(ascii: "}"):
                if peek(1) == UInt8(ascii: "}") {
                    position += 2
                    tokens.append(ExpressionToken(kind: .close, start: start, end: position))
                    return .closed(end: position)
                }
                position += 1
                record("unexpected '}'", start, position)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard let text = lexString(quote: byte) else { return .unterminatedString }
                appendLiteral(.string(text), start)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if let value = lexNumber() { appendLiteral(value, start) }
            case _ where Self.isNameStart(byte):
                while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
                switch String(decoding: bytes[start..<position], as: UTF8.self) {
                case "true": appendLiteral(.bool(true), start)
                case "false": appendLiteral(.bool(false), start)
                case "null": appendLiteral(.null, start)
                case "in": tokens.append(ExpressionToken(kind: .in, start: start, end: position))
                default: tokens.append(ExpressionToken(kind: .name, start: start, end: position))
                }
            default:
                lexOperator(byte, start)
            }
        }
    }

    // MARK: - Pieces

    private mutating func appendLiteral(_ value: Value, _ start: Int) {
        tokens.append(ExpressionToken(kind: .literal, start: start, end: position, payload: literals.count))
        literals.append(value)
    }

    private mutating func lexOperator(_ byte: UInt8, _ start: Int) {
        func emit(_ kind: ExpressionToken.Kind, _ length: Int) {
            position += length
            tokens.append(ExpressionToken(kind: kind, start: start, end: position))
        }
        let next = peek(1)
        let eq = UInt8(ascii: "=")
        switch byte {
        case UInt8(ascii: "."): emit(.dot, 1)
        case UInt8(ascii: ","): emit(.comma, 1)
        case UInt8(ascii: "("): emit(.openParen, 1)
        case UInt8(ascii: ")"): emit(.closeParen, 1)
        case UInt8(ascii: "["): emit(.openBracket, 1)
        case UInt8(ascii: "]"): emit(.closeBracket, 1)
        case UInt8(ascii: "+"): emit(.plus, 1)
        case UInt8(ascii: "-"): emit(.minus, 1)
        case UInt8(ascii: "<"): next == eq ? emit(.lessOrEqual, 2) : emit(.less, 1)
        case UInt8(ascii: ">"): next == eq ? emit(.greaterOrEqual, 2) : emit(.greater, 1)
        case UInt8(ascii: "!"):
            if next == eq, peek(2) == eq { unknownOperator("!==", suggest: "!=") }
            else if next == eq { emit(.notEqual, 2) }
            else { emit(.not, 1) }
        case eq:
            if next == eq, peek(2) == eq { unknownOperator("===", suggest: "==") }
            else if next == eq { emit(.equal, 2) }
            else { unknownOperator("=", suggest: "==") }
        case UInt8(ascii: "&"):
            next == byte ? emit(.and, 2) : unknownOperator("&", suggest: "&&")
        case UInt8(ascii: "|"):
            next == byte ? emit(.or, 2) : unknownOperator("|", suggest: "||")
        case UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "^"), UInt8(ascii: "~"),
            UInt8(ascii: "?"), UInt8(ascii: ":"):
            unknownOperator(String(UnicodeScalar(byte)), suggest: nil)
        default:
            // Skip a whole UTF-8 sequence so the message shows the character, not a byte.
            position += 1
            while position < bytes.count, bytes[position] & 0xC0 == 0x80 { position += 1 }
            let character = String(decoding: bytes[start..<position], as: UTF8.self)
            record("unexpected character '\(character)'", start, position)
        }
    }

    private mutating func unknownOperator(_ op: String, suggest: String?) {
        let start = position
        position += op.utf8.count
        var message = "unknown operator '\(op)'"
        if let suggest { message += "; did you mean '\(suggest)'?" }
        record(message, start, position, fixIt: suggest)
    }

    /// Consumes a path component right after a dot; false (nothing consumed) when none starts here.
    private mutating func lexComponent() -> Bool {
        if bytes[position] == UInt8(ascii: "*") {
            position += 1
            return true
        }
        guard Self.isNameByte(bytes[position]) else { return false }
        while position < bytes.count {
            let b = bytes[position]
            if Self.isNameByte(b) {
                position += 1
            } else if b == UInt8(ascii: "-"), position + 1 < bytes.count, Self.isNameByte(bytes[position + 1]) {
                // `nodes.web-1.x`: a dash between name characters belongs to the name; `a.b - 1` subtracts.
                position += 1
            } else {
                break
            }
        }
        return true
    }

    /// A quoted string; nil when it runs to the end of the text (recorded as an error).
    ///
    /// Single quotes take no escapes except `''` for a quote; double quotes take `\\ \" \' \n \t \r \0 \uXXXX`.
    private mutating func lexString(quote: UInt8) -> String? {
        let start = position
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            if b == quote {
                if quote == UInt8(ascii: "'"), peek(1) == quote {
                    out.append(quote)
                    position += 2
                    continue
                }
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") {
                lexEscape(into: &out)
                continue
            }
            out.append(b)
            position += 1
        }
        record("unterminated string; expected a closing \(quote == UInt8(ascii: "'") ? "'" : "\"")", start, start + 1)
        return nil
    }

    private mutating func lexEscape(into out: inout [UInt8]) {
        let start = position
        position += 1
        guard position < bytes.count else { return }
        let e = bytes[position]
        position += 1
        switch e {
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "0"): out.append(0x00)
        case UInt8(ascii: "u"):
            var code: UInt32 = 0
            var digits = 0
            while digits < 4, position < bytes.count, let h = Self.hexValue(bytes[position]) {
                code = code << 4 | h
                digits += 1
                position += 1
            }
            guard digits == 4, let scalar = Unicode.Scalar(code) else {
                record("invalid unicode escape; expected '\\u' and 4 hex digits of a scalar", start, position)
                return
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            while position < bytes.count, bytes[position] & 0xC0 == 0x80 { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            record("unknown escape '\(text)' in string", start, position)
        }
    }

    /// An integer or float literal; nil after recording an error.
    private mutating func lexNumber() -> Value? {
        let start = position
        var isFloat = false
        skipDigits()
        if peek(0) == UInt8(ascii: "."), let d = peek(1), Self.isDigit(d) {
            isFloat = true
            position += 1
            skipDigits()
        }
        if let e = peek(0), e | 0x20 == UInt8(ascii: "e") {
            var p = position + 1
            if let sign = byte(at: p), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { p += 1 }
            if let d = byte(at: p), Self.isDigit(d) {
                isFloat = true
                position = p
                skipDigits()
            }
        }
        if position < bytes.count, Self.isNameByte(bytes[position]) {
            while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            record("invalid number '\(text)'", start, position)
            return nil
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isFloat {
            if let d = Double(text), d.isFinite { return .double(d) }
            record("number '\(text)' is out of range", start, position)
            return nil
        }
        var value = 0
        for b in bytes[start..<position] {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            if o1 || o2 {
                record("integer '\(text)' is too large", start, position)
                return nil
            }
            value = plus
        }
        return .int(value)
    }

    private mutating func skipDigits() {
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func record(_ message: String, _ start: Int, _ end: Int, fixIt: String? = nil) {
        if error == nil { error = ExpressionSyntaxError(message: message, start: start, end: end, fixIt: fixIt) }
    }

    private func peek(_ offset: Int) -> UInt8? { byte(at: position + offset) }
    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
    static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) &- UInt8(ascii: "a") < 26 || b == UInt8(ascii: "_")
    }
    static func isNameByte(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) }
    private static func hexValue(_ b: UInt8) -> UInt32? {
        if isDigit(b) { return UInt32(b - UInt8(ascii: "0")) }
        let lower = b | 0x20
        if lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "f") { return UInt32(lower - UInt8(ascii: "a") + 10) }
        return nil
    }
}
