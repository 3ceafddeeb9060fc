import PlanYAML

/// `plan.unknown-capture`: `nodes.NODE.NAME` (or `nodes.*.NAME`) where no step that runs before this one
/// captures NAME.
///
/// Before means: any step of an earlier phase, or a step this one waits for, directly or not (`needs:` or the
/// file-order default). A step's own captures are visible to its `until:`, `message:` and `recommend:`; a
/// fallback sees what its owner sees plus the captures of its owner and sibling fallbacks. Inside a group, as
/// strictly: a step sees what its group sees plus what the group's steps before it make (`GroupScopes`).
/// `output:` may read any capture some step of the plan makes. Computed in topological order with one set per step, so linear
/// in steps times the capture names that some step reads (kept as bits).
public struct UnknownCaptureRule: PlanRule {
    public let id = DiagnosticID.planUnknownCapture
    public init() {}
    static let ownCaptureKeys: Set<String> = ["until", "message", "recommend"]
    /// What the engine itself keeps on every node it contacted.
    static let engineKeys: Set<String> = ["name", "status"]

    /// The names a step stores under `nodes.NODE`: its captures, and the values of a `set:` with a target (or
    /// on the node a group walks).
    static func madeNames(_ step: Step, walked: Bool = false) -> [String] {
        var names = step.captures.map(\.name)
        if case .set(let entries) = step.action, step.target != nil || walked { names += entries.map(\.key) }
        return names
    }

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var everywhere = Set<String>()
        for operation in context.operations {
            let graph = operation.graph
            let scopes = GroupScopes(operation.operation.steps)
            // Field by field: passing `operation.step(facts)` copied the whole step, for every step.
            func names(madeBy facts: LintContext.StepFacts) -> [String] {
                var names = operation.step(facts).captures.map(\.name)
                if case .set(let entries) = operation.step(facts).action,
                    operation.step(facts).target != nil || scopes.walkedSets.contains(operation.step(facts).id)
                {
                    names += entries.map(\.key)
                }
                return names
            }
            var madeNames = [[String]](repeating: [], count: graph.steps.count)
            for facts in operation.steps { madeNames[facts.owner] += names(madeBy: facts) }
            for names in madeNames { everywhere.formUnion(names) }

            // Only names some step reads are tracked, as bits: a chain of 5,000 steps that each capture
            // a name of their own must not carry 5,000-name sets from step to step.
            var index: [String: Int] = [:]
            for (_, reference) in operation.references {
                if let name = Self.captureName(reference), !Self.engineKeys.contains(name), index[name] == nil {
                    index[name] = index.count
                }
            }
            if index.isEmpty { continue }
            let width = (index.count + 63) / 64
            var made = [BitSet](repeating: BitSet(width: width), count: graph.steps.count)
            for (i, names) in madeNames.enumerated() {
                for name in names { if let bit = index[name] { made[i].insert(bit) } }
            }
            var before = [BitSet](repeating: BitSet(width: width), count: graph.steps.count)
            var earlierPhases = BitSet(width: width)
            var phaseMade = BitSet(width: width)
            var currentPhase: Phase?
            for wave in graph.waveIndices {
                let phase = graph.steps[wave[0]].phase
                if phase != currentPhase {
                    earlierPhases.formUnion(phaseMade)
                    phaseMade = BitSet(width: width)
                    currentPhase = phase
                }
                for i in wave {
                    var visible = earlierPhases
                    for dep in graph.dependencyLists[i] {
                        visible.formUnion(before[dep.index])
                        visible.formUnion(made[dep.index])
                    }
                    before[i] = visible
                    phaseMade.formUnion(made[i])
                }
            }
            for facts in operation.steps {
                for (key, reference) in operation.references(of: facts) {
                    guard let name = Self.captureName(reference), let bit = index[name] else { continue }
                    if before[facts.owner].contains(bit) { continue }
                    let local = scopes.visible[operation.step(facts).id]
                    if let local {
                        if local.contains(name) { continue }
                        if Self.ownCaptureKeys.contains(key), names(madeBy: facts).contains(name) { continue }
                    } else {
                        let own = facts.isFallback || Self.ownCaptureKeys.contains(key)
                        if own, made[facts.owner].contains(bit) { continue }
                    }
                    let makers = operation.steps.filter { names(madeBy: $0).contains(name) }.map { operation.step($0).id }
                    var notes: [Diagnostic.Note] = []
                    if let maker = makers.first {
                        notes.append(Diagnostic.Note("'\(name)' is captured by step '\(maker)', which does not run before step '\(operation.step(facts).id)'"))
                    }
                    let visible = Self.visibleNames(facts.owner, graph: graph, made: madeNames) + (local ?? []).sorted()
                    let guess = makers.isEmpty ? Suggest.closest(to: name, among: visible) : nil
                    out.append(
                        Diagnostic(
                            id, "no earlier step captures '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""),
                            at: reference.range, notes: notes, fixIt: guess
                        ).about(operation.step(facts)))
                }
            }
        }
        for reference in context.planReferences {
            guard let name = Self.captureName(reference), !everywhere.contains(name), !Self.engineKeys.contains(name)
            else { continue }
            let guess = Suggest.closest(to: name, among: everywhere.sorted())
            out.append(
                Diagnostic(
                    id, "no step captures '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""), at: reference.range,
                    fixIt: guess))
        }
        return out
    }

    /// Every name made before step `i` (earlier phases and its ancestors), for a did-you-mean; only on errors.
    static func visibleNames(_ i: Int, graph: StepGraph, made: [[String]]) -> [String] {
        var names: [String] = []
        for j in graph.steps.indices where graph.steps[j].phase < graph.steps[i].phase { names += made[j] }
        var seen = Set<Int>()
        var pending = graph.dependencyLists[i].map(\.index)
        while let j = pending.popLast() {
            guard seen.insert(j).inserted else { continue }
            names += made[j]
            pending += graph.dependencyLists[j].map(\.index)
        }
        return Array(Set(names)).sorted()
    }

    /// NAME of `nodes.NODE.NAME…`, or nil for other paths.
    static func captureName(_ reference: Reference) -> String? {
        let path = reference.path
        guard path.count >= 3, path[0] == "nodes", path[2] != "*" else { return nil }
        return path[2]
    }
}

/// What the steps inside groups see beyond their top-level step's view: the names made by the steps before
/// them in their groups (earlier siblings, with whatever those contain), the way a node walks a group.
///
/// A step's fallbacks and `on_failure` steps see what it made and each other's; a group's own fallbacks and
/// `on_failure` steps run after its steps, as a top-level step's do. The rule reads the plan with its used step
/// files opened (`UsedFileLint`), so their steps are walked like any group's.
struct GroupScopes {
    /// Nested step id → the names made before it inside its groups.
    var visible: [String: Set<String>] = [:]
    /// `set:` steps inside a group with a target: their values land on the node it walks.
    var walkedSets = Set<String>()

    init(_ steps: [Step]) {
        // By index, and a step copied out only when it has a group to walk: most steps are no group and have
        // none among their rescues, and `for step in steps` copied every one of them.
        for i in steps.indices {
            if steps[i].isGroup { _ = walk(steps[i], seen: [], walked: steps[i].target != nil) }
            // A group among a step's fallbacks or `on_failure:` is as strict inside as any other: its steps see
            // what the rescue sees (the owner's captures and its sibling rescues'), plus what its earlier steps
            // make. Other rescues keep the owner's view (checked through the step graph).
            guard steps[i].fallback.contains(where: \.isGroup) || steps[i].onFailure.contains(where: \.isGroup) else {
                continue
            }
            let step = steps[i]
            let rescue = step.fallback + step.onFailure
            var seen = Set(names(step, walked: false))
            for nested in rescue { seen.formUnion(names(nested, walked: false)) }
            for nested in rescue where nested.isGroup { mark(nested, seen: seen, walked: nested.target != nil) }
        }
    }

    /// Records what each step of `group` sees, given `seen` before the group; returns what its steps make.
    private mutating func walk(_ group: Step, seen before: Set<String>, walked: Bool) -> Set<String> {
        var seen = before
        var made = Set<String>()
        for child in group.children {
            visible[child.id] = seen
            var childMade = Set(names(child, walked: walked))
            if child.isGroup { childMade.formUnion(walk(child, seen: seen, walked: walked || child.target != nil)) }
            let rescue = child.fallback + child.onFailure
            for nested in rescue { childMade.formUnion(names(nested, walked: walked)) }
            for nested in rescue { mark(nested, seen: seen.union(childMade), walked: walked) }
            seen.formUnion(childMade)
            made.formUnion(childMade)
        }
        return made
    }

    /// A fallback (and its own fallbacks) sees `seen`; a fallback that is a group walks its steps in order.
    private mutating func mark(_ step: Step, seen: Set<String>, walked: Bool) {
        visible[step.id] = seen
        if step.isGroup { _ = walk(step, seen: seen, walked: walked || step.target != nil) }
        if walked, case .set = step.action { walkedSets.insert(step.id) }
        for nested in step.fallback + step.onFailure { mark(nested, seen: seen.union(names(step, walked: walked)), walked: walked) }
    }

    private mutating func names(_ step: Step, walked: Bool) -> [String] {
        if walked, case .set = step.action { walkedSets.insert(step.id) }
        return UnknownCaptureRule.madeNames(step, walked: walked)
    }
}

/// A fixed-width set of small integers, one bit each: unions cost a few word operations.
struct BitSet: Sendable {
    private var words: [UInt64]

    init(width: Int) { words = [UInt64](repeating: 0, count: width) }

    mutating func insert(_ bit: Int) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
    func contains(_ bit: Int) -> Bool { words[bit >> 6] & (1 << UInt64(bit & 63)) != 0 }

    mutating func formUnion(_ other: BitSet) {
        for k in words.indices { words[k] |= other.words[k] }
    }
}
