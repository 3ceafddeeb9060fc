/// Text from outside (a node's output, a value quoted in a message) made safe to print on a terminal.
public enum TerminalText {
    /// Control characters other than tab written as escapes (`\n`, `\r`, `\u{1b}`), so that a line stays one
    /// line and no escape sequence reaches the terminal (one could move the cursor, retitle the window or
    /// clear the screen). With `keepingLineBreaks`, `\n` stays (a multi-line command as written).
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where keepingLineBreaks: out.unicodeScalars.append(scalar)
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where isControl(scalar): out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls but tab, DEL and the C1 controls (0x9B alone starts an escape sequence on some terminals).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}
