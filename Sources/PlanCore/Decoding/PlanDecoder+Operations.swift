import PlanYAML

extension PlanDecoder {
    /// `operations:`: NAME → `{ analyze: [steps], plan: …, execute: …, validate: … }`.
    static func decodeOperations(_ node: YAMLNode, context: inout DecodingContext) -> [Operation] {
        guard !node.isNull, let pairs = context.mapping(node, expected: "a mapping of operation names") else { return [] }
        var operations: [Operation] = []
        operations.reserveCapacity(pairs.count)
        for (name, nameNode, body) in pairs {
            var operation = Operation(name: name, range: nameNode.range)
            if !body.isNull, let phases = context.mapping(body, expected: "a mapping of phases (analyze, plan, execute, validate)") {
                // Phases are stored in run order whatever order the file writes them in. Lists are moved, not
                // copied element by element, when the file already has them in order (the usual case).
                var lists: [(phase: Phase, steps: [Step])] = []
                for (key, keyNode, list) in phases {
                    guard let phase = Phase(rawValue: key) else {
                        context.unknownKey(
                            key, at: keyNode, allowed: Phase.allCases.map(\.rawValue), in: "operation '\(name)'")
                        continue
                    }
                    lists.append((phase, StepDecoder.decodeSteps(list, phase: phase, context: &context)))
                }
                if lists.count == 1 {
                    operation.steps = lists[0].steps
                } else {
                    // A stable sort keeps two lists of one phase (a duplicate key already reported) in file order.
                    let ordered = lists.enumerated().sorted { ($0.element.phase, $0.offset) < ($1.element.phase, $1.offset) }
                    operation.steps.reserveCapacity(lists.reduce(0) { $0 + $1.steps.count })
                    for entry in ordered { operation.steps += entry.element.steps }
                }
            }
            operations.append(operation)
        }
        return operations
    }
}
