import PlanYAML

/// `plan.group-cycle`: a group that contains itself (through other groups), or a chain of groups nested
/// deeper than `maxDepth`. Both once passed `validate` and failed at run time as "unknown node or group".
public struct GroupNestingRule: PlanRule {
    public let id = DiagnosticID.planGroupCycle
    public init() {}

    /// Deepest chain of groups in groups that a target may expand through (the run's resolver stops there).
    public static let maxDepth = 32

    public func check(_ context: LintContext) -> [Diagnostic] {
        let groups = context.plan.inventory.groups
        let index = Dictionary(groups.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var out: [Diagnostic] = []
        // Depth-first from each group: `path` is the chain being followed, `depth[g]` the longest chain below g.
        var depth: [Int?] = Array(repeating: nil, count: groups.count)
        var onPath = Array(repeating: false, count: groups.count)
        var reported = Set<Int>()
        var depthReported = false
        func visit(_ g: Int, path: [String]) -> Int {
            if let known = depth[g] { return known }
            onPath[g] = true
            var deepest = 0
            for (i, member) in groups[g].members.enumerated() {
                guard let child = index[member] else { continue }
                let range = i < groups[g].memberRanges.count ? groups[g].memberRanges[i] : groups[g].range
                if onPath[child] {
                    if reported.insert(child).inserted {
                        let cycle = path.drop { $0 != member } + [groups[g].name, member]
                        out.append(Diagnostic(id, "group '\(member)' contains itself: " + cycle.joined(separator: " → "), at: range))
                    }
                    continue
                }
                let below = visit(child, path: path + [groups[g].name]) + 1
                if below > Self.maxDepth, !depthReported {
                    // Once: every group above the deepest chain would say the same.
                    depthReported = true
                    out.append(
                        Diagnostic(
                            id, "group '\(groups[g].name)' nests groups \(below) deep through '\(member)', more than the limit of \(Self.maxDepth)",
                            at: range))
                }
                deepest = max(deepest, below)
            }
            onPath[g] = false
            depth[g] = deepest
            return deepest
        }
        for g in groups.indices where depth[g] == nil { _ = visit(g, path: []) }
        return out
    }
}
