import PlanYAML

/// Run-wide limits and guards.
public struct Policy: Sendable, Equatable {
    /// Most node-commands in flight at once, across the whole run.
    public var maxParallel: Int = 5
    /// Most SSH connections being set up at once (handshake and probe), apart from `maxParallel`: a fan-out
    /// over hundreds of nodes must not start hundreds of handshakes together, which overloads the
    /// controller's cores and trips sshd's `MaxStartups` (10 by default, so the default stays below it).
    public var maxConnecting: Int = 8
    /// The whole run's budget in seconds; a template when it comes from an input.
    public var deadline: Setting<Double>?
    /// Seconds a step may take when it names no `timeout:`.
    public var defaultTimeout: Double = 30
    /// No step timeout may exceed it (checked by validate for literals, at run time for expressions).
    public var maxTimeout: Double?
    /// Destructive steps run only when this holds; absent means they never run.
    public var destructiveWhen: Template?
    public var range: SourceRange = .unknown

    public init() {}
}

/// A setting written either as a literal or as a template evaluated at run time.
public enum Setting<T: Sendable & Equatable>: Sendable, Equatable {
    case literal(T, SourceRange)
    case template(Template)

    public var range: SourceRange {
        switch self {
        case .literal(_, let r): return r
        case .template(let t): return t.range
        }
    }
}
