import PlanYAML

/// `plan.secret-in-argv`: an `argv:` word that reads a `secret: true` input. An argv is exec'd as it is, so the
/// secret would be on the program's command line, readable in `ps` by every user of the node; a `run:` gets
/// it through the environment instead. Found by `validate`, before anything runs (a run refuses the step too).
public struct SecretInArgvRule: PlanRule {
    public let id = DiagnosticID.planSecretInArgv
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        let secrets = Set(context.plan.inputs.filter(\.secret).map(\.name))
        guard !secrets.isEmpty else { return [] }
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                guard case .argv(let words) = operation.step(facts).action else { continue }
                for word in words {
                    for reference in word.references {
                        let path = reference.path
                        guard path.count >= 2, path[0] == "inputs", secrets.contains(path[1]) else { continue }
                        out.append(Diagnostic(
                            id,
                            "argv would put secret input '\(path[1])' on the program's command line, readable in ps; "
                                + "use run:, which passes it in the environment",
                            at: reference.range))
                    }
                }
            }
        }
        return out
    }
}
