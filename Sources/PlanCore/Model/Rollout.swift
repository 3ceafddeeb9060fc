import PlanYAML

/// How a group rolls over its nodes: in batches, with a pause between them and a failure budget for the whole
/// rollout (`batch: 2`, `pause: 5s`, `max_failures: "10%"`).
public struct Rollout: Sendable, Equatable {
    /// Nodes per batch; nil means one batch of every node.
    public var batch: Share?
    /// Seconds between batches.
    public var pause: Double
    /// Nodes that may fail before the rollout stops; nil means none may.
    public var maxFailures: Share?
    public var range: SourceRange

    public init(batch: Share? = nil, pause: Double = 0, maxFailures: Share? = nil, range: SourceRange = .unknown) {
        self.batch = batch
        self.pause = pause
        self.maxFailures = maxFailures
        self.range = range
    }

    /// Splits `nodes` (already in inventory order) into batches; the same nodes give the same batches.
    public func batches<T>(of nodes: [T]) -> [[T]] {
        guard let batch, !nodes.isEmpty else { return nodes.isEmpty ? [] : [nodes] }
        let size = max(1, batch.of(nodes.count))
        return stride(from: 0, to: nodes.count, by: size).map { Array(nodes[$0..<min($0 + size, nodes.count)]) }
    }

    /// How many of `total` nodes may fail before the rollout stops.
    public func budget(of total: Int) -> Int { maxFailures?.of(total) ?? 0 }
}

/// A number of nodes, or a percentage of them (`2`, `"25%"`).
public enum Share: Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// The share of `total`: a percentage rounds down (25% of 6 nodes is 1), as Ansible's `serial:` does.
    public func of(_ total: Int) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p): return Int((Double(total) * p / 100).rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p): return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        }
    }
}

/// Where a step of a used step file comes from: the file, and the `uses:` that brought it in.
public struct StepOrigin: Sendable, Hashable {
    /// The step file, as its diagnostics name it.
    public var file: String
    /// `used from FILE:LINE:COLUMN`, the innermost use first (a step file may use another).
    public var usedFrom: [String]

    public init(file: String, usedFrom: [String]) {
        self.file = file
        self.usedFrom = usedFrom
    }
}

extension Diagnostic {
    /// The diagnostic located in the step file `step` comes from, with notes saying where that file is used;
    /// unchanged for the plan's own steps.
    public func about(_ step: Step) -> Diagnostic {
        guard let origin = step.origin else { return self }
        var diagnostic = self
        diagnostic.file = origin.file
        diagnostic.notes += origin.usedFrom.map { Diagnostic.Note($0) }
        return diagnostic
    }
}

/// `uses: FILE` with `with: { … }`: a step file included as a group, with the inputs it was given.
public struct StepUse: Sendable, Equatable {
    /// As written in the plan.
    public var path: String
    /// The path the file was read from (relative to the using file's directory).
    public var file: String
    /// The `with:` values, in file order; rendered in the using step's scope, then typed by `inputs`.
    public var with: [ValueTemplate.Entry]
    /// The step file's declared inputs.
    public var inputs: [InputDeclaration]
    public var range: SourceRange

    public init(
        path: String, file: String, with: [ValueTemplate.Entry] = [], inputs: [InputDeclaration] = [],
        range: SourceRange = .unknown
    ) {
        self.path = path
        self.file = file
        self.with = with
        self.inputs = inputs
        self.range = range
    }
}
