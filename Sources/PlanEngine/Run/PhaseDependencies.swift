/// Which steps of a phase each step waits for: the previous step in file order, or exactly its `needs:`.
enum PhaseDependencies {
    static func compute(_ steps: [Step]) -> [String: [String]] {
        let ids = Set(steps.map(\.id))
        var out: [String: [String]] = [:]
        var previous: String?
        for step in steps {
            if step.needsRange == nil {
                out[step.id] = previous.map { [$0] } ?? []
            } else {
                out[step.id] = step.needs.map(\.id).filter(ids.contains)
            }
            previous = step.id
        }
        return out
    }
}
