import PlanEngine

/// The text of `planrun explain`: inputs with types and defaults, operations with steps per phase, nodes, policy.
enum PlanExplanation {
    static func text(_ plan: Plan) -> String {
        var out = "plan \(plan.name) (\(plan.file))\n"
        if let description = plan.description { out += "  \(description)\n" }

        out += "\ninputs:\n"
        out += "  operation: one of " + plan.operations.map(\.name).joined(separator: ", ")
        out += plan.operations.count == 1 ? " (default \(plan.operations[0].name))\n" : " (required)\n"
        for input in plan.inputs {
            var line = "  \(input.name): \(input.kind.rawValue)"
            // A secret's default and allowed values are secrets too: explain shows that they exist, not what they are.
            let shown = { (value: Value) in input.secret ? Redactor.mask : show(value, input) }
            if let value = input.defaultValue { line += ", default " + shown(value) }
            else if input.required { line += ", required" }
            if let allowed = input.allowed { line += ", one of " + allowed.map(shown).joined(separator: " | ") }
            if let min = input.min { line += ", min " + bound(min, input) }
            if let max = input.max { line += ", max " + bound(max, input) }
            if input.secret { line += ", secret" }
            if let description = input.description { line += " — \(description)" }
            out += line + "\n"
        }

        out += "\noperations:\n"
        for operation in plan.operations {
            let counts = Phase.allCases.compactMap { phase -> String? in
                let n = operation.steps.count { $0.phase == phase }
                return n == 0 ? nil : "\(phase.rawValue) \(n)"
            }
            let total = operation.steps.count
            out += "  \(operation.name): \(total) step\(total == 1 ? "" : "s")"
            out += counts.isEmpty ? "\n" : " (" + counts.joined(separator: ", ") + ")\n"
        }

        out += "\nnodes:\n"
        if plan.inventory.nodes.isEmpty { out += "  none declared (use --inventory FILE)\n" }
        for node in plan.inventory.nodes {
            out += "  \(node.name): \(node.transport.description)\n"
        }
        for group in plan.inventory.groups {
            out += "  group \(group.name): " + group.members.joined(separator: ", ") + "\n"
        }

        let policy = plan.policy
        out += "\npolicy:\n"
        out += "  max_parallel: \(policy.maxParallel)\n"
        out += "  max_connecting: \(policy.maxConnecting)\n"
        out += "  default_timeout: \(DurationText.format(policy.defaultTimeout))\n"
        if let max = policy.maxTimeout { out += "  max_timeout: \(DurationText.format(max))\n" }
        switch policy.deadline {
        case .literal(let seconds, _)?: out += "  deadline: \(DurationText.format(seconds))\n"
        case .template(let t)?: out += "  deadline: \(t.source)\n"
        case nil: break
        }
        out += "  destructive steps run when: " + (policy.destructiveWhen?.source ?? "never (no destructive_when)") + "\n"
        return out
    }

    private static func show(_ value: Value, _ input: InputDeclaration) -> String {
        switch (input.kind, value) {
        case (.duration, .int(let i)): return DurationText.format(Double(i))
        case (.duration, .double(let d)): return DurationText.format(d)
        default: return value.jsonText()
        }
    }

    private static func bound(_ value: Double, _ input: InputDeclaration) -> String {
        input.kind == .duration ? DurationText.format(value) : DurationText.value(value).jsonText()
    }
}
