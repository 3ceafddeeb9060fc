/// Keeps secrets off command lines: while a command is rendered, each interpolated value that holds a secret
/// becomes a reference to an environment variable (`"$PLANRUN_SECRET_1"`), and the value goes into
/// `environment`, which the transport hands to the command without a command line: locally in the process
/// environment, over SSH on the remote wrapper's stdin. `ps` and `/proc/*/cmdline` then show the name only.
///
/// The shell expands `"$NAME"` to exactly the value, as one word, like the quoted value it replaces.
public struct SecretWords: Sendable {
    /// The secret values (a list input's elements each, too).
    private let secrets: [String]
    /// Variables for the command, in the order they were first needed.
    public private(set) var environment: [(name: String, value: String)] = []

    public init(secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    /// Whether there is no secret to keep off (the common case: rendering is then plain quoting).
    public var isEmpty: Bool { secrets.isEmpty }

    /// Whether `text` holds any secret.
    public func holdsSecret(_ text: String) -> Bool {
        secrets.contains { text.contains($0) }
    }

    /// The shell text for `text` standing where the literal text leaves `quote` open: `ShellQuote.quote(text)`,
    /// or when it holds a secret a reference that expands to exactly `text` there: `"$PLANRUN_SECRET_n"` outside
    /// quotes, `${PLANRUN_SECRET_n}` inside `"…"`, `'"$PLANRUN_SECRET_n"'` inside `'…'`.
    public mutating func word(_ text: String, inside quote: UInt8? = nil) -> String {
        guard holdsSecret(text) else { return ShellQuote.quote(text) }
        let name: String
        if let known = environment.first(where: { $0.value == text }) {
            name = known.name
        } else {
            name = "PLANRUN_SECRET_\(environment.count + 1)"
            environment.append((name, text))
        }
        switch quote {
        case UInt8(ascii: "\""): return "${\(name)}"
        case UInt8(ascii: "'"): return "'\"$\(name)\"'"
        default: return "\"$\(name)\""
        }
    }
}

extension Template {
    /// `renderShell`, with every value that holds a secret named by a variable of `secrets.environment`.
    public func renderShell(in scope: Value.Object, secrets: inout SecretWords) throws(EvaluationError) -> String {
        var out = ""
        let contexts = secrets.isEmpty ? [] : ShellQuote.quoteContexts(in: self)
        var index = 0
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .expression(let expression):
                let text = try expression.evaluate(in: scope).interpolationText
                out += secrets.isEmpty ? ShellQuote.quote(text) : secrets.word(text, inside: contexts[index])
                index += 1
            }
        }
        return out
    }
}
