extension Operation {
    /// Calls `body` with every step, in `allSteps`' order (each step, then its group's steps, its fallback
    /// steps and its `on_failure` steps), without collecting them: `allSteps` copies each step into a new
    /// array, about a thousand instructions a step, for callers that only read an id or a target.
    func forEachStep(_ body: (Step) -> Void) {
        func visit(_ step: Step) {
            body(step)
            if case .group(let steps) = step.action { steps.forEach(visit) }
            step.fallback.forEach(visit)
            step.onFailure.forEach(visit)
        }
        steps.forEach(visit)
    }
}
