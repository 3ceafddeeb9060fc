import PlanYAML

/// `plan.unknown-capture`: `nodes.NODE.NAME` (or `nodes.*.NAME`) where no step that runs before this one
/// captures NAME.
///
/// Before means: any step of an earlier phase, or a step this one waits for, directly or not (`needs:` or the
/// file-order default). A step's own captures are visible to its `until:`, `message:` and `recommend:`; a
/// fallback sees what its owner sees plus the captures of its owner and sibling fallbacks. `output:` may read
/// any capture some step of the plan makes. Computed in topological order with one set per step, so linear
/// in steps times capture names.
public struct UnknownCaptureRule: PlanRule {
    public let id = "plan.unknown-capture"
    public init() {}
    static let ownCaptureKeys: Set<String> = ["until", "message", "recommend"]
    /// What the engine itself keeps on every node it contacted.
    static let engineKeys: Set<String> = ["name", "status"]

    /// The names a step stores under `nodes.NODE`: its captures, and the values of a `set:` with a target.
    static func madeNames(_ step: Step) -> [String] {
        var names = step.captures.map(\.name)
        if case .set(let entries) = step.action, step.target != nil { names += entries.map(\.key) }
        return names
    }

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var everywhere = Set<String>()
        for operation in context.operations {
            let graph = operation.graph
            // What each top-level step and its fallbacks capture.
            var made = [Set<String>](repeating: [], count: graph.steps.count)
            for facts in operation.steps {
                made[facts.owner].formUnion(Self.madeNames(facts.step))
            }
            everywhere.formUnion(made.joined())
            var before = [Set<String>](repeating: [], count: graph.steps.count)
            var earlierPhases = Set<String>()
            var phaseMade = Set<String>()
            var currentPhase: Phase?
            for wave in graph.waveIndices {
                let phase = graph.steps[wave[0]].phase
                if phase != currentPhase {
                    earlierPhases.formUnion(phaseMade)
                    phaseMade = []
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
                for (key, reference) in facts.references {
                    guard let name = Self.captureName(reference), !Self.engineKeys.contains(name) else { continue }
                    if before[facts.owner].contains(name) { continue }
                    let own = facts.isFallback || Self.ownCaptureKeys.contains(key)
                    if own, made[facts.owner].contains(name) { continue }
                    let makers = operation.steps.filter { Self.madeNames($0.step).contains(name) }.map(\.step.id)
                    var notes: [Diagnostic.Note] = []
                    if let maker = makers.first {
                        notes.append(Diagnostic.Note("'\(name)' is captured by step '\(maker)', which does not run before step '\(facts.step.id)'"))
                    }
                    let guess = makers.isEmpty ? Suggest.closest(to: name, among: before[facts.owner].sorted()) : nil
                    out.append(
                        .error(
                            id, "no earlier step captures '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""),
                            at: reference.range, notes: notes, fixIt: guess))
                }
            }
        }
        for reference in context.planReferences {
            guard let name = Self.captureName(reference), !everywhere.contains(name), !Self.engineKeys.contains(name)
            else { continue }
            let guess = Suggest.closest(to: name, among: everywhere.sorted())
            out.append(
                .error(
                    id, "no step captures '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""), at: reference.range,
                    fixIt: guess))
        }
        return out
    }

    /// NAME of `nodes.NODE.NAME…`, or nil for other paths.
    static func captureName(_ reference: Reference) -> String? {
        let path = reference.path
        guard path.count >= 3, path[0] == "nodes", path[2] != "*" else { return nil }
        return path[2]
    }
}
