import PlanYAML

/// `plan.undefined-input`: `inputs.NAME` where the plan declares no input NAME (`operation` is implicit).
public struct UndefinedInputRule: PlanRule {
    public let id = DiagnosticID.planUndefinedInput
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let names = context.plan.inputs.map(\.name) + ["operation"]
        func check(_ reference: Reference) {
            let path = reference.path
            guard path.count >= 2, path[0] == "inputs", path[1] != "operation", path[1] != "*",
                !context.inputNames.contains(path[1])
            else { return }
            let guess = Suggest.closest(to: path[1], among: names)
            let message = "undefined input '\(path[1])'" + (guess.map { "; did you mean '\($0)'?" } ?? "")
            out.append(Diagnostic(id, message, at: reference.range, fixIt: guess))
        }
        context.planReferences.forEach(check)
        for operation in context.operations {
            for (_, reference) in operation.references { check(reference) }
        }
        return out
    }
}

/// `plan.unknown-step`: `steps.ID` where the operation has no step ID (for `output:`, no operation has one).
public struct UnknownStepReferenceRule: PlanRule {
    public let id = DiagnosticID.planUnknownStep
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func check(_ reference: Reference, known: (String) -> Bool, candidates: () -> [String]) {
            let path = reference.path
            guard path.count >= 2, path[0] == "steps", path[1] != "*", !known(path[1]) else { return }
            let guess = Suggest.closest(to: path[1], among: candidates())
            let message = "no step '\(path[1])' for 'steps.\(path[1])'" + (guess.map { "; did you mean '\($0)'?" } ?? "")
            out.append(Diagnostic(id, message, at: reference.range, fixIt: guess))
        }
        for operation in context.operations {
            for (_, reference) in operation.references {
                check(reference, known: { operation.firstByID[$0] != nil }, candidates: { Array(operation.firstByID.keys).sorted() })
            }
        }
        let everywhere = Set(context.operations.flatMap { $0.firstByID.keys })
        for reference in context.planReferences {
            check(reference, known: everywhere.contains, candidates: { everywhere.sorted() })
        }
        return out
    }
}
