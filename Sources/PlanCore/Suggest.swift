// TODO(expr): placeholder; the expression branch owns this file.
public enum Suggest {
    public static func closest(to word: String, among candidates: [String]) -> String? { nil }
}
