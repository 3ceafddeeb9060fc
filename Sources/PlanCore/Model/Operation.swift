import PlanYAML

/// The phases, run in this order; `finally` runs whatever happened before it.
public enum Phase: String, Sendable, Hashable, CaseIterable, Comparable {
    case analyze, plan, execute, validate, finally

    public static func < (a: Phase, b: Phase) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A named procedure of a plan (`status`, `sync`, …), picked by the input `operation`.
public struct Operation: Sendable, Equatable {
    public var name: String
    /// Every top-level step of every phase, phases in order and steps in file order within each.
    public var steps: [Step]
    public var range: SourceRange

    public init(name: String, steps: [Step] = [], range: SourceRange = .unknown) {
        self.name = name
        self.steps = steps
        self.range = range
    }

    public func steps(in phase: Phase) -> [Step] { steps.filter { $0.phase == phase } }

    /// Top-level steps with their fallbacks, `on_failure` steps and group steps, depth first: the set in which
    /// ids must be unique, in plan order.
    public var allSteps: [Step] {
        var out: [Step] = []
        func visit(_ s: Step) {
            out.append(s)
            s.children.forEach(visit)
            s.fallback.forEach(visit)
            s.onFailure.forEach(visit)
        }
        steps.forEach(visit)
        return out
    }

    /// The steps a result reports even when they never ran: top-level steps, a group standing for its steps.
    public var reportedSteps: [Step] { steps.flatMap(\.leafSteps) }
}

extension Step {
    /// A group's steps, nested groups opened, in order; a step that is no group is its own leaf.
    public var leafSteps: [Step] {
        guard isGroup else { return [self] }
        return children.flatMap(\.leafSteps)
    }
}
