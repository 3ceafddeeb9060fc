/// One of N deterministic slices of a run's nodes: `planrun run --shard I/N`.
///
/// The slice is taken from the inventory's nodes in inventory order, contiguous, the sizes differing by at
/// most one: the same inventory gives every run the same slicing, and the shards' nodes read in shard order
/// are the inventory's order, so `planrun merge` lists steps as an unsharded run does.
public struct Shard: Sendable, Hashable {
    /// From 0.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Reads `I/N`; with `N` or `/N` alone, I comes from `$JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job's
    /// own index). The message of a failure says what was wrong.
    public static func parse(_ text: String, environment: [String: String]) -> Result<Shard, ShardError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let count = Int(parts.last ?? ""), count >= 1 else {
            return .failure(ShardError("--shard expects I/N with N at least 1, got '\(text)'"))
        }
        let index: Int
        if parts.count == 2, !parts[0].isEmpty {
            guard let i = Int(parts[0]) else { return .failure(ShardError("--shard expects I/N, got '\(text)'")) }
            index = i
        } else {
            guard let fromJob = environment["JOB_COMPLETION_INDEX"] else {
                return .failure(ShardError("--shard \(text) names no index and $JOB_COMPLETION_INDEX is not set"))
            }
            guard let i = Int(fromJob) else {
                return .failure(ShardError("$JOB_COMPLETION_INDEX is not a number: '\(fromJob)'"))
            }
            index = i
        }
        guard index >= 0, index < count else {
            return .failure(ShardError("shard index \(index) is not in 0..<\(count)"))
        }
        return .success(Shard(index: index, count: count))
    }

    /// This shard's part of `nodes`.
    public func slice<T>(_ nodes: [T]) -> ArraySlice<T> {
        let n = nodes.count
        return nodes[(index * n / count)..<((index + 1) * n / count)]
    }

    /// `I/N`, as the command line writes it.
    public var text: String { "\(index)/\(count)" }
}

public struct ShardError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension Step {
    /// A `set:` or `assert:` without a target: it runs once, on no node. A sharded run runs those of the
    /// first three phases in shard 0 only, and leaves those of the validate phase to `planrun merge`,
    /// which evaluates them over every shard's data.
    var isNodeless: Bool { target == nil && !action.isCommand && !isGroup }

    /// Whether `planrun merge` walks the step: a node-less one, or a group without a target that holds one
    /// (its steps run each on its own target, so one without a target runs on no node, as at top level).
    var isEvaluatedInMerge: Bool {
        isNodeless || (isGroup && target == nil && children.contains(where: \.isEvaluatedInMerge))
    }
}

extension Operation {
    /// The ids of the steps that run on no node: node-less top-level steps, and node-less steps of groups
    /// without a target, at any depth (a group with a target runs its steps on each of its nodes).
    var nodelessStepIDs: Set<String> {
        var out = Set<String>()
        func visit(_ step: Step) {
            if step.isNodeless { out.insert(step.id) }
            if step.isGroup, step.target == nil { step.children.forEach(visit) }
        }
        steps.forEach(visit)
        return out
    }
}
