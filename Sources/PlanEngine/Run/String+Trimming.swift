extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs and line breaks), as the shell's `$(…)`
    /// and most readers of command output treat it; Foundation's `trimmingCharacters` without Foundation.
    var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
