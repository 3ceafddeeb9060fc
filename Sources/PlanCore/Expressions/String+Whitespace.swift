extension StringProtocol {
    /// The text without leading and trailing whitespace and line breaks: the expression language's `trim`,
    /// and how the engine reads captured command output.
    public var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
