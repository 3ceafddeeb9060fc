/// The target checks `run` makes before the first step, once inputs are known and the inventory is merged: a
/// typo in the third batch's target must stop the run before the first batch has touched a node.
enum TargetCheck {
    /// `run.unknown-target` for every `target:` and `fallback_node:` of the operation that can be worked out from
    /// the inputs alone and names no node or group (groups' members included), located in the plan.
    static func problems(plan: Plan, operation: Operation, inputs: Value.Object) -> [Diagnostic] {
        let resolver = TargetResolver(inventory: plan.inventory)
        let scope = Value.Object([("inputs", .object(inputs))])
        var out: [Diagnostic] = []
        var seen = Set<String>()
        func check(_ template: Template, _ what: String) {
            // A node named outright is there: most targets, checked without evaluating or expanding them.
            if let name = template.literalText, resolver.isNode(name) { return }
            // A target that reads captures, step results or the current node is decided at run time.
            guard template.references.allSatisfy({ $0.path.first == "inputs" }),
                let value = try? template.evaluate(in: scope), let names = try? TargetResolver.names(in: value)
            else { return }
            for name in names {
                do { _ = try resolver.expand([name]) } catch let failure {
                    let unknown = failure.unknown ?? name
                    guard seen.insert("\(template.range.start)/\(unknown)").inserted else { continue }
                    var message = "\(what) names unknown node or group '\(unknown)'"
                    if let guess = failure.suggestion { message += "; did you mean '\(guess)'?" }
                    out.append(Diagnostic(
                        .runUnknownTarget, message, file: plan.file, at: template.range, fixIt: failure.suggestion))
                }
            }
        }
        operation.forEachStep { step in
            if case .names(let templates)? = step.target {
                for template in templates { check(template, "step '\(step.id)'") }
            }
            if let fallbackNode = step.fallbackNode { check(fallbackNode, "the fallback_node of step '\(step.id)'") }
        }
        return out
    }

    /// The node names `--limit a,b` allows (groups expanded), or `run.unknown-limit` with a did-you-mean.
    static func limit(_ names: [String], inventory: Inventory) -> Result<Set<String>, RunPreparation.Problems> {
        let resolver = TargetResolver(inventory: inventory)
        var allowed = Set<String>()
        for name in names.map(\.trimmingSpaces) where !name.isEmpty {
            do {
                allowed.formUnion(try resolver.expand([name]).map(\.name))
            } catch let failure {
                var message = "--limit names unknown node or group '\(failure.unknown ?? name)'"
                if let guess = failure.suggestion { message += "; did you mean '\(guess)'?" }
                let known = inventory.nodes.map(\.name) + inventory.groups.map(\.name)
                message += " (known: \(known.joined(separator: ", ")))"
                return .failure(RunPreparation.Problems(diagnostics: [
                    Diagnostic(.runUnknownLimit, message, at: .unknown, fixIt: failure.suggestion)
                ]))
            }
        }
        return .success(allowed)
    }
}
