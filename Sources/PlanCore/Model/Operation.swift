import PlanYAML

/// The four phases, run in this order.
public enum Phase: String, Sendable, Hashable, CaseIterable, Comparable {
    case analyze, plan, execute, validate

    public static func < (a: Phase, b: Phase) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A named procedure of a plan (`status`, `sync`, …), picked by the input `operation`.
public struct Operation: Sendable {
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

    /// Top-level steps and their fallbacks, depth first: the set in which ids must be unique.
    public var allSteps: [Step] {
        var out: [Step] = []
        func visit(_ s: Step) {
            out.append(s)
            s.fallback.forEach(visit)
        }
        steps.forEach(visit)
        return out
    }
}
