import PlanCore

/// Plans built in code for engine tests, so the scheduler is tested without the decoder in the way.
enum PlanBuilder {
    static func template(_ text: String) -> Template {
        let (template, diagnostics) = Template.parse(text, at: .unknown)
        precondition(diagnostics.isEmpty, "bad template in test: \(text) \(diagnostics)")
        return template
    }

    static func run(
        _ id: String, _ command: String, phase: Phase = .execute, target: [String]? = nil, needs: [String]? = nil,
        timeout: Double? = nil, retries: Int = 0, delay: Double = 0, until: String? = nil,
        captures: [Capture] = [], onError: Step.OnError = .fail, fallback: [Step] = [], fallbackNode: String? = nil,
        when: String? = nil, destructive: Bool = false
    ) -> Step {
        var step = Step(
            id: id, phase: phase, action: .run(template(command)), target: target.map { .names($0.map(template)) },
            needs: (needs ?? []).map { Step.Need(id: $0) }, when: when.map(template),
            timeout: timeout.map { .literal($0, .unknown) }, retries: retries, delay: delay, until: until.map(template),
            captures: captures, onError: onError, fallback: fallback, fallbackNode: fallbackNode.map(template),
            destructive: destructive)
        step.needsRange = needs == nil ? nil : .unknown
        return step
    }

    static func assert(_ id: String, _ condition: String, message: String? = nil) -> Step {
        Step(id: id, phase: .validate, action: .assert(template(condition)), message: message.map(template))
    }

    static func plan(
        nodes: [String] = ["local"], inputs: [InputDeclaration] = [], maxParallel: Int = 5, deadline: Double? = nil,
        destructiveWhen: String? = nil, steps: [Step], output: [OutputField] = []
    ) -> (Plan, PlanCore.Operation) {
        var policy = Policy()
        policy.maxParallel = maxParallel
        policy.deadline = deadline.map { .literal($0, .unknown) }
        policy.destructiveWhen = destructiveWhen.map(template)
        let operation = PlanCore.Operation(name: "test", steps: steps)
        let plan = Plan(
            file: "test.yaml", name: "test", inventory: Inventory(nodes: nodes.map { NodeDeclaration(name: $0) }),
            inputs: inputs, policy: policy, operations: [operation], output: output)
        return (plan, operation)
    }
}
