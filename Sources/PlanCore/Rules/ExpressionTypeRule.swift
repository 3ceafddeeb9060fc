import PlanYAML

/// `expr.type`: a function or operator given a value that can never suit it — a literal of the wrong type, a
/// function's result, or a declared input (`trim(inputs.count)` for an int input). Found by `validate`, so
/// the run does not fail on it after some nodes have already changed. A literal `matches` pattern that does
/// not compile is reported here too, as `plan.invalid-regex`.
public struct ExpressionTypeRule: PlanRule {
    public let id = DiagnosticID.exprType
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var checker = ExpressionTypeChecker(inputs: context.plan.inputs)
        func visit(_ template: Template) {
            for part in template.parts {
                if case .expression(let expression) = part { checker.check(expression.root) }
            }
        }
        if case .template(let t) = context.plan.policy.deadline { visit(t) }
        if let t = context.plan.policy.destructiveWhen { visit(t) }
        for operation in context.operations {
            for facts in operation.steps { operation.forEachTemplate(of: facts) { _, template in visit(template) } }
        }
        for field in context.plan.output { field.value.forEachTemplate(visit) }
        return checker.diagnostics
    }
}

/// `plan.set-reads-itself`: a `set:` value that reads another value of the same step (`vars.a` in the step
/// that sets `a`). All values of a step are computed from what was known before it, so the read would see
/// an older value or none: split the step in two. A value reading its own name (`count: ${{ vars.count + 1 }}`)
/// is a deliberate update and allowed.
public struct SetReadsItselfRule: PlanRule {
    public let id = DiagnosticID.planSetReadsItself
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                guard case .set(let entries) = operation.step(facts).action else { continue }
                let targeted = operation.step(facts).target != nil
                let names = Set(entries.map(\.key))
                for entry in entries {
                    entry.value.forEachTemplate { template in
                        template.forEachReference { reference in
                            guard let name = Self.setName(reference.path, targeted: targeted), names.contains(name),
                                name != entry.key
                            else { return }
                            let place = targeted ? "node.\(name)" : "vars.\(name)"
                            out.append(
                                Diagnostic(
                                    id,
                                    "'\(entry.key)' reads '\(place)', which this same set step makes; values of one step "
                                        + "see only what earlier steps made: move '\(entry.key)' to a later step",
                                    at: reference.range))
                        }
                    }
                }
            }
        }
        return out
    }

    /// The name a path reads among a set step's values: `vars.NAME` without a target; `node.NAME` or
    /// `nodes.X.NAME` with one.
    private static func setName(_ path: [String], targeted: Bool) -> String? {
        if !targeted { return path.count >= 2 && path[0] == "vars" ? path[1] : nil }
        if path.count >= 2, path[0] == "node" { return path[1] }
        if path.count >= 3, path[0] == "nodes" { return path[2] }
        return nil
    }
}
