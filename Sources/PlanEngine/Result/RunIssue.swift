/// One thing that went wrong in a run, as the result JSON's `issues` lists it.
public struct RunIssue: Sendable, Hashable {
    public var kind: ErrorKind
    public var node: String?
    public var step: String?
    public var phase: Phase?
    public var message: String
    public var exitCode: Int32?
    /// The last lines of stderr (at most `RunIssue.tailLines`), for the operator to read without a log.
    public var stderrTail: String?
    /// The last lines of stdout of a failed command: many tools report their error there.
    public var stdoutTail: String?
    public var hint: String?
    /// The failure was rescued by a fallback step or a fallback node.
    public var recovered: Bool
    /// Keys of a shard's issue this version does not model, passed through by `planrun merge` unchanged.
    public var carried = Value.Object()

    public static let tailLines = 10

    public init(
        kind: ErrorKind, node: String? = nil, step: String? = nil, phase: Phase? = nil, message: String,
        exitCode: Int32? = nil, stderrTail: String? = nil, stdoutTail: String? = nil, hint: String? = nil,
        recovered: Bool = false
    ) {
        self.kind = kind
        self.node = node
        self.step = step
        self.phase = phase
        self.message = message
        self.exitCode = exitCode
        self.stderrTail = stderrTail
        self.stdoutTail = stdoutTail
        self.hint = hint
        self.recovered = recovered
    }

    /// The last `tailLines` non-empty lines of `text`, or nil when there are none.
    public static func tail(of text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else { return nil }
        return lines.suffix(tailLines).joined(separator: "\n")
    }

    var json: Value {
        var o = Value.Object()
        o["kind"] = .string(kind.rawValue)
        o["node"] = node.map(Value.string) ?? .null
        o["step"] = step.map(Value.string) ?? .null
        o["phase"] = phase.map { .string($0.rawValue) } ?? .null
        o["message"] = .string(message)
        o["exit_code"] = exitCode.map { .int(Int($0)) } ?? .null
        o["stderr_tail"] = stderrTail.map(Value.string) ?? .null
        if let stdoutTail { o["stdout_tail"] = .string(stdoutTail) }
        o["hint"] = hint.map(Value.string) ?? .null
        o["recovered"] = .bool(recovered)
        for (key, value) in carried where o[key] == nil { o[key] = value }
        return .object(o)
    }
}
