import PlanYAML

/// One step of an operation: a command on nodes, computed variables, or a post-condition.
public struct Step: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// A shell command (`sh -c`); interpolated values are shell-quoted.
        case run(Template)
        /// Exec without a shell; each element is one argument.
        case argv([Template])
        /// Computed variables, no node: readable as `steps.ID.NAME` and `vars.NAME`.
        case set([ValueTemplate.Entry])
        /// A post-condition; counts towards `validation_status` and `confidence`.
        case assert(Template)
        /// Puts a file on nodes (`copy:`). Boxed (`indirect`), as `fetch`: inline, the largest case set the size
        /// of every step's action, five times that of a `run:`.
        indirect case copy(CopyAction)
        /// Pulls a file from nodes (`fetch:`).
        indirect case fetch(FetchAction)
        /// A group (`steps:`, or the steps of a file named by `uses:`): each target node walks them in order.
        case group([Step])

        /// `copy` or `fetch`: the step moves a file rather than running a command of the plan's.
        public var movesFiles: Bool {
            switch self {
            case .copy, .fetch: return true
            default: return false
            }
        }

        /// Whether the step runs on nodes.
        public var isCommand: Bool {
            switch self {
            case .run, .argv, .copy, .fetch: return true
            case .set, .assert, .group: return false
            }
        }
    }

    public enum OnError: String, Sendable, Equatable, CaseIterable {
        /// The run fails: later steps are not run.
        case fail
        /// Reported, and the run goes on.
        case `continue`
        /// The node is reported offline and later steps skip it.
        case markOffline = "mark_offline"
    }

    public var id: String
    public var idRange: SourceRange
    public var name: String?
    public var phase: Phase
    public var action: Action
    /// Nodes to run on: nil means the inventory's only node.
    public var target: Target?
    public var needs: [Need]
    /// Where the `needs:` key stands; nil when the step has none and so follows the step before it.
    /// `needs: []` has a range and no entries: the step starts with its phase.
    public var needsRange: SourceRange? = nil
    public var when: Template?
    public var timeout: Setting<Double>?
    public var retries: Int
    /// Seconds between attempts (retries and `until:` polling).
    public var delay: Double
    public var captures: [Capture]
    public var onError: OnError
    public var fallback: [Step]
    public var errors: [ErrorRule]
    public var destructive: Bool
    /// For asserts: what failed; for other steps, shown when the step fails.
    public var message: Template?
    /// The whole step mapping.
    public var range: SourceRange
    /// The fields few steps set (`until`, `changed_when`, `fallback_node`, `recommend`, `cache`, `for_each`,
    /// `parallel`, a rollout, `on_failure`, `uses`, and a used file's origin), out of line: nil when none is
    /// set. See `Step+Rare.swift`.
    var rare: Rare?

    /// The group's steps; empty for a step that is not a group.
    public var children: [Step] {
        if case .group(let steps) = action { return steps }
        return []
    }

    public var isGroup: Bool {
        if case .group = action { return true }
        return false
    }

    public init(
        id: String, idRange: SourceRange = .unknown, name: String? = nil, phase: Phase = .execute,
        action: Action, target: Target? = nil, needs: [Need] = [],
        when: Template? = nil, timeout: Setting<Double>? = nil, retries: Int = 0, delay: Double = 1,
        until: Template? = nil, captures: [Capture] = [], onError: OnError = .fail, fallback: [Step] = [],
        fallbackNode: Template? = nil, errors: [ErrorRule] = [], destructive: Bool = false,
        message: Template? = nil, recommend: Template? = nil, range: SourceRange = .unknown
    ) {
        self.id = id
        self.idRange = idRange
        self.name = name
        self.phase = phase
        self.action = action
        self.target = target
        self.needs = needs
        self.when = when
        self.timeout = timeout
        self.retries = retries
        self.delay = delay
        self.captures = captures
        self.onError = onError
        self.fallback = fallback
        self.errors = errors
        self.destructive = destructive
        self.message = message
        self.range = range
        if until != nil || fallbackNode != nil || recommend != nil {
            rare = Rare(Rare.Fields(until: until, fallbackNode: fallbackNode, recommend: recommend))
        }
    }
}

extension Step {
    /// One entry of `needs:`: the id of a step to wait for, and where it is written.
    public struct Need: Sendable, Equatable {
        public var id: String
        public var range: SourceRange

        public init(id: String, range: SourceRange = .unknown) {
            self.id = id
            self.range = range
        }
    }
}

/// Where a step runs: node or group names, or an expression that yields them.
public enum Target: Sendable, Equatable {
    /// One name or a list of names, each a template (`genesis`, `${{ inputs.target_node }}`).
    case names([Template])

    public var range: SourceRange {
        switch self {
        case .names(let names): return names.first?.range ?? .unknown
        }
    }
}

/// A value taken from a step's output, stored as `nodes.NODE.NAME` and `steps.ID.NODE.captures.NAME`.
public struct Capture: Sendable, Equatable {
    public enum Source: Sendable, Hashable {
        /// The whole stdout, trimmed.
        case stdout
        /// A dotted path into stdout parsed as JSON; numbers index lists (`a.b.0`).
        case json([String])
        /// The first group of the first match of a regular expression.
        case regex(String)
        /// Stdout split into lines, empty lines dropped.
        case lines
    }

    public enum Conversion: String, Sendable, CaseIterable { case int, float, bool, string }

    public var name: String
    public var source: Source
    public var conversion: Conversion?
    /// The capture's name in the plan.
    public var range: SourceRange
    /// The source's value (a regex's pattern), where an error about it points.
    public var sourceRange: SourceRange

    public init(
        name: String, source: Source, conversion: Conversion? = nil, range: SourceRange = .unknown,
        sourceRange: SourceRange? = nil
    ) {
        self.name = name
        self.source = source
        self.conversion = conversion
        self.range = range
        self.sourceRange = sourceRange ?? range
    }
}

/// Maps a failure's output or exit code to an error kind and a hint (`errors:`).
public struct ErrorRule: Sendable, Equatable {
    /// A regular expression matched against stderr then stdout; nil matches any failure with `exitCode`.
    public var match: String?
    public var exitCode: Int?
    public var kind: String
    public var hint: String?
    public var range: SourceRange
    /// The `match` pattern, where an error about it points.
    public var matchRange: SourceRange

    public init(
        match: String? = nil, exitCode: Int? = nil, kind: String, hint: String? = nil, range: SourceRange = .unknown,
        matchRange: SourceRange? = nil
    ) {
        self.match = match
        self.exitCode = exitCode
        self.kind = kind
        self.hint = hint
        self.range = range
        self.matchRange = matchRange ?? range
    }
}
