import PlanYAML

/// The order steps of one operation may run in.
///
/// Phases run in order with a barrier between them. Inside a phase a step without a `needs:` key depends on
/// the step before it in file order (sequential by default); a step with `needs:` depends exactly on the steps
/// it lists, so `needs: []` starts with the phase. `needs:` naming an earlier phase is met by the barrier; one
/// naming an unknown id or a later phase adds no edge (the lint rules report it). Fallback steps are not nodes:
/// they run as part of their owner, and `needs:` naming one depends on its owner.
public struct StepGraph: Sendable {
    /// An edge: the step depended on, and the `needs:` entry that asked for it (nil for the file-order edge).
    public struct Dependency: Sendable {
        public var index: Int
        public var range: SourceRange?
    }

    public let operation: String
    /// The operation's top-level steps, phases in order, file order within each.
    public let steps: [Step]
    /// `dependencyLists[i]`: the steps of the same phase that step `i` waits for.
    public let dependencyLists: [[Dependency]]
    /// Every cycle found, each as step indices `a, b, …` where `a` needs `b` … and the last needs `a`.
    public let cycles: [[Int]]
    /// Groups of step indices that may run together, in order: longest-path layers, phase by phase.
    public let waveIndices: [[Int]]
    private let index: [String: Int]

    public init(operation: Operation) {
        self.operation = operation.name
        steps = operation.steps
        var index: [String: Int] = [:]
        index.reserveCapacity(steps.count * 2)
        for i in steps.indices where index[steps[i].id] == nil {
            index[steps[i].id] = i
            guard !steps[i].fallback.isEmpty || steps[i].isGroup || !steps[i].onFailure.isEmpty else { continue }
            var pending = steps[i].fallback + steps[i].children + steps[i].onFailure
            while let nested = pending.popLast() {
                if index[nested.id] == nil { index[nested.id] = i }
                pending += nested.fallback + nested.children + nested.onFailure
            }
        }
        self.index = index

        var lists: [[Dependency]] = []
        lists.reserveCapacity(steps.count)
        for i in steps.indices {
            let phase = steps[i].phase
            if steps[i].needsRange == nil {
                let previous = i - 1
                lists.append(previous >= 0 && steps[previous].phase == phase ? [Dependency(index: previous, range: nil)] : [])
                continue
            }
            var deps: [Dependency] = []
            for need in steps[i].needs {
                guard let target = index[need.id], steps[target].phase == phase else { continue }
                if !deps.contains(where: { $0.index == target }) { deps.append(Dependency(index: target, range: need.range)) }
            }
            lists.append(deps)
        }
        dependencyLists = lists
        cycles = Self.findCycles(lists)
        waveIndices = Self.layer(steps: steps, lists: lists)
    }

    /// The index of the step with this id (a fallback's id gives its owner).
    public func index(of id: String) -> Int? { index[id] }

    /// Ids of the steps `id` waits for inside its phase.
    public func dependencies(of id: String) -> [String] {
        guard let i = index[id] else { return [] }
        return dependencyLists[i].map { steps[$0.index].id }
    }

    /// Step ids that may run together, wave after wave; every step's dependencies are in earlier waves.
    public var waves: [[String]] { waveIndices.map { $0.map { steps[$0].id } } }

    /// Longest-path layering (Kahn's algorithm by levels) within each phase; steps left in a cycle come last
    /// in their phase, one wave each, so every step appears exactly once.
    private static func layer(steps: [Step], lists: [[Dependency]]) -> [[Int]] {
        var dependents = [[Int]](repeating: [], count: steps.count)
        var remaining = [Int](repeating: 0, count: steps.count)
        for (i, deps) in lists.enumerated() {
            remaining[i] = deps.count
            for dep in deps { dependents[dep.index].append(i) }
        }
        var waves: [[Int]] = []
        var placed = [Bool](repeating: false, count: steps.count)
        var start = 0
        while start < steps.count {
            var end = start
            while end < steps.count, steps[end].phase == steps[start].phase { end += 1 }
            var wave = (start..<end).filter { remaining[$0] == 0 }
            while !wave.isEmpty {
                waves.append(wave)
                var next: [Int] = []
                for i in wave {
                    placed[i] = true
                    for d in dependents[i] {
                        remaining[d] -= 1
                        if remaining[d] == 0 { next.append(d) }
                    }
                }
                next.sort()
                wave = next
            }
            for i in start..<end where !placed[i] { waves.append([i]) }
            start = end
        }
        return waves
    }

    /// Depth-first search without recursion (a 5,000-step chain would exhaust a thread's stack).
    private static func findCycles(_ lists: [[Dependency]]) -> [[Int]] {
        enum Color { case white, grey, black }
        var color = [Color](repeating: .white, count: lists.count)
        var cycles: [[Int]] = []
        for root in lists.indices where color[root] == .white {
            var path: [Int] = [root]
            var cursor: [Int] = [0]
            color[root] = .grey
            while let node = path.last {
                let position = cursor[cursor.count - 1]
                if position < lists[node].count {
                    cursor[cursor.count - 1] += 1
                    let next = lists[node][position].index
                    switch color[next] {
                    case .white:
                        color[next] = .grey
                        path.append(next)
                        cursor.append(0)
                    case .grey:
                        let from = path.lastIndex(of: next)!
                        cycles.append(Array(path[from...]))
                    case .black:
                        break
                    }
                } else {
                    color[node] = .black
                    path.removeLast()
                    cursor.removeLast()
                }
            }
        }
        return cycles
    }
}

extension Step {
    /// Whether the step wrote a `needs:` key (even an empty one), which replaces the file-order dependency.
    public var hasNeedsKey: Bool { needsRange != nil }
}
