import PlanEngine

/// One operation of one valid plan, offered as the MCP tool `PLAN.OPERATION` (`node-coordinator.status`).
struct Tool: Sendable {
    var name: String
    /// The plan's name: the part of the tool's name before the dot.
    var plan: String
    /// The plan file. A call reads it again and runs it as `planrun run FILE` would.
    var planFile: String
    var operation: String
    /// Inputs declared `secret: true`: their values are masked even in the errors of a refused call.
    var secretInputs: [String]
    /// Whether a step may change a node: `destructive: true` or a `copy` anywhere in the operation, fallbacks
    /// included.
    var changesNodes: Bool
    /// The entry of `tools/list`.
    var definition: Value

    init(plan: Plan, operation: Operation) {
        name = plan.name + "." + operation.name
        self.plan = plan.name
        planFile = plan.file
        self.operation = operation.name
        secretInputs = plan.inputs.filter(\.secret).map(\.name)
        changesNodes = operation.allSteps.contains(where: \.changesNodes)
        let title = "\(plan.name): \(operation.name)"
        definition = .object(Value.Object([
            ("name", .string(name)),
            ("title", .string(title)),
            ("description", .string(Self.describe(plan, operation, changesNodes: changesNodes))),
            ("inputSchema", InputSchema.make(for: plan)),
            ("outputSchema", OutputSchema.make(for: plan, operation: operation)),
            ("annotations", .object(Value.Object([
                ("title", .string(title)),
                // What a client shows before it lets an agent call the tool; the plan's guard still decides
                // at run time whether a destructive step runs.
                ("readOnlyHint", .bool(!changesNodes)),
                ("destructiveHint", .bool(changesNodes)),
            ]))),
        ]))
    }

    /// The plan's description, what the operation does step by step, and what guards its destructive steps:
    /// what an agent reads to choose the tool.
    static func describe(_ plan: Plan, _ operation: Operation, changesNodes: Bool) -> String {
        var text = plan.description.map { $0 + "\n\n" } ?? ""
        text += "Operation '\(operation.name)' of the planrun plan '\(plan.name)' (\(plan.file))."
        for phase in Phase.allCases {
            let steps = operation.steps(in: phase)
            guard !steps.isEmpty else { continue }
            text += " \(phase.rawValue): " + steps.map { $0.name ?? $0.id }.joined(separator: ", ") + "."
        }
        let guarded = operation.allSteps.filter(\.destructive).map(\.id)
        if !guarded.isEmpty {
            let guardText = plan.policy.destructiveWhen.map { "only when the plan's guard \($0.source) holds" }
                ?? "never (the plan has no destructive_when guard)"
            text += "\nDestructive steps (\(guarded.joined(separator: ", "))) run \(guardText); otherwise they are "
                + "reported skipped."
        }
        let copies = operation.allSteps.filter { $0.writesFiles && !$0.destructive }.map(\.id)
        if !copies.isEmpty { text += "\nSteps that write files onto nodes: " + copies.joined(separator: ", ") + "." }
        if changesNodes { text += " Call with dry_run: true first to see every command the run would start." }
        text += "\nReturns planrun's result JSON: the plan's output fields, then issues, validation_status, "
            + "confidence and one entry per step and node."
        return text
    }
}

extension Step {
    /// Whether the step may change a node, which makes its operation's tool destructive: `destructive: true`,
    /// or a `copy` (it replaces files on nodes whether or not the plan marks it destructive).
    var changesNodes: Bool { destructive || writesFiles }

    var writesFiles: Bool {
        if case .copy = action { return true }
        return false
    }
}
