/// POSIX shell quoting, so a value interpolated into `run:` reaches the command as one argument and
/// nothing in it (`$(…)`, backticks, `;`, globs, newlines) is interpreted by the shell.
public enum ShellQuote {
    /// `text` as exactly one shell word.
    ///
    /// Words made only of `A-Z a-z 0-9 _ . / : = @ % + , -` stay bare so dry-runs read naturally, unless
    /// they read as an assignment (`NAME=…`), which the shell would apply instead of passing in command
    /// position. Any other text (including the empty string) is wrapped in single quotes, inside which
    /// the shell interprets nothing, with each `'` written as `'\''`.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty, text.utf8.allSatisfy(isSafe), !looksLikeAssignment(text) { return text }
        var out = "'"
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            if scalar == "'" { out += "'\\''" } else { out.unicodeScalars.append(scalar) }
        }
        out += "'"
        return out
    }

    /// An argument vector as one shell command line: each argument quoted, joined by spaces.
    public static func join(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// The expressions of a `run:` template that stand inside single or double quotes of its literal
    /// shell text (e.g. `echo "${{ inputs.message }}"`), for the lint that warns about them: planrun
    /// already quotes every value, and inside `"…"` the shell would still expand `$(…)` in it.
    ///
    /// Follows the quoting of the literal parts: `'…'`, `"…"` and backslash escapes outside single quotes.
    public static func quotedExpressions(in template: Template) -> [Expression] {
        var out: [Expression] = []
        var index = 0
        let contexts = quoteContexts(in: template)
        for part in template.parts {
            guard case .expression(let expression) = part else { continue }
            if contexts[index] != nil { out.append(expression) }
            index += 1
        }
        return out
    }

    /// For each expression of the template in order, the quote its literal shell text leaves open there:
    /// nil, `'` or `"`. A command substitution `$(…)` opens a fresh unquoted context, inside quotes too.
    public static func quoteContexts(in template: Template) -> [UInt8?] {
        var out: [UInt8?] = []
        var quote: UInt8? = nil
        // The quotes open around each enclosing `$(`, innermost last.
        var outer: [UInt8?] = []
        var escaped = false
        var dollar = false
        for part in template.parts {
            switch part {
            case .expression:
                out.append(quote)
                escaped = false
                dollar = false
            case .literal(let text):
                for byte in text.utf8 {
                    if escaped {
                        escaped = false
                        continue
                    }
                    let afterDollar = dollar
                    dollar = false
                    switch (quote, byte) {
                    case (UInt8(ascii: "'"), UInt8(ascii: "'")), (UInt8(ascii: "\""), UInt8(ascii: "\"")): quote = nil
                    case (UInt8(ascii: "'"), _): break
                    case (_, UInt8(ascii: "\\")): escaped = true
                    case (_, UInt8(ascii: "$")): dollar = true
                    case (_, UInt8(ascii: "(")) where afterDollar:
                        outer.append(quote)
                        quote = nil
                    case (nil, UInt8(ascii: ")")) where !outer.isEmpty: quote = outer.removeLast()
                    case (nil, UInt8(ascii: "'")), (nil, UInt8(ascii: "\"")): quote = byte
                    default: break
                    }
                }
            }
        }
        return out
    }

    /// `NAME=…` with NAME a shell variable name.
    private static func looksLikeAssignment(_ text: String) -> Bool {
        guard let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) else { return false }
        let name = text.utf8[..<equals]
        guard let first = name.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.allSatisfy { b in
            b == UInt8(ascii: "_") || ExpressionLexer.isDigit(b) || (b | 0x20) &- UInt8(ascii: "a") < 26
        }
    }

    static func isSafe(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="),
            UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
