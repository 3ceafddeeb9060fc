import PlanYAML

/// `plan.duplicate-id`: ids are unique within an operation, fallbacks included, since `needs:` and
/// `steps.ID` name them.
public struct DuplicateStepIDRule: PlanRule {
    public let id = DiagnosticID.planDuplicateID
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for (i, facts) in operation.steps.enumerated() {
                let stepID = operation.step(facts).id
                guard let first = operation.firstByID[stepID], first != i else { continue }
                out.append(
                    Diagnostic(
                        id, "duplicate step id '\(stepID)' in operation '\(operation.operation.name)'",
                        at: operation.step(facts).idRange,
                        notes: [Diagnostic.Note("first defined here", at: operation.step(operation.steps[first]).idRange)]))
            }
        }
        return out
    }
}

/// `plan.unknown-needs`: a `needs:` entry names no step of the operation.
public struct UnknownNeedsRule: PlanRule {
    public let id = DiagnosticID.planUnknownNeeds
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                for need in operation.step(facts).needs where operation.firstByID[need.id] == nil {
                    let guess = Suggest.closest(to: need.id, among: operation.operation.allSteps.map(\.id))
                    let message = "step '\(operation.step(facts).id)' needs unknown step '\(need.id)'"
                        + (guess.map { "; did you mean '\($0)'?" } ?? "")
                    out.append(Diagnostic(id, message, at: need.range, fixIt: guess))
                }
            }
        }
        return out
    }
}

/// `plan.needs-later-phase`: a step can wait only for steps of its own or an earlier phase.
public struct NeedsLaterPhaseRule: PlanRule {
    public let id = DiagnosticID.planNeedsLaterPhase
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                for need in operation.step(facts).needs {
                    guard let target = operation.firstByID[need.id] else { continue }
                    let other = operation.steps[target]
                    let phase = operation.step(facts).phase
                    let otherPhase = operation.step(other).phase
                    guard otherPhase > phase else { continue }
                    out.append(
                        Diagnostic(
                            id,
                            "step '\(operation.step(facts).id)' of phase \(phase.rawValue) needs '\(need.id)' of the later phase \(otherPhase.rawValue)",
                            at: need.range, notes: [Diagnostic.Note("'\(need.id)' is here", at: operation.step(other).idRange)]))
                }
            }
        }
        return out
    }
}

/// `plan.cycle`: steps that wait for each other can never start; the message names the whole cycle.
public struct CycleRule: PlanRule {
    public let id = DiagnosticID.planCycle
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            let graph = operation.graph
            for found in graph.cycles {
                // Start at the step first in the file, so the message is the same however the search ran.
                let pivot = found.firstIndex(of: found.min()!)!
                let cycle = Array(found[pivot...] + found[..<pivot])
                let names = (cycle + [cycle[0]]).map { graph.steps[$0].id }
                let next = cycle.count > 1 ? cycle[1] : cycle[0]
                let edge = graph.dependencyLists[cycle[0]].first { $0.index == next }
                let first = graph.steps[cycle[0]]
                out.append(
                    Diagnostic(
                        id, "steps form a cycle: " + names.joined(separator: " -> "),
                        at: edge?.range ?? first.idRange))
            }
        }
        return out
    }
}

/// `plan.empty-operation`: an operation with no step in any phase does nothing and is surely a mistake.
public struct EmptyOperationRule: PlanRule {
    public let id = DiagnosticID.planEmptyOperation
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        context.operations.filter { $0.operation.steps.isEmpty }.map {
            Diagnostic(id, "operation '\($0.operation.name)' has no steps", at: $0.operation.range)
        }
    }
}
