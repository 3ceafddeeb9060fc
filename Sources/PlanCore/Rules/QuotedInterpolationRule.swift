import PlanYAML

/// `plan.quoted-interpolation` (warning): `${{ }}` inside shell quotes in `run:`. planrun already quotes each
/// interpolated value as one shell word, so quotes around it become part of the value or, inside double
/// quotes, let the shell expand `$` and backticks in it.
public struct QuotedInterpolationRule: PlanRule {
    public let id = "plan.quoted-interpolation"
    public init() {}

    public func check(_ context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for operation in context.operations {
            for facts in operation.steps {
                guard case .run(let template) = facts.step.action, !template.expressions.isEmpty else { continue }
                let expressions = template.expressions
                for (k, quote) in Self.quotedInterpolations(template.source).enumerated() where quote != nil {
                    let range = k < expressions.count ? expressions[k].range : template.range
                    out.append(
                        .warning(
                            id,
                            "interpolation inside \(quote!) quotes in run:; planrun quotes the value itself, write ${{ }} unquoted",
                            at: range))
                }
            }
        }
        return out
    }

    /// For each `${{` in `command`, in order: the quote it stands in (`single`, `double`) or nil.
    static func quotedInterpolations(_ command: String) -> [String?] {
        let bytes = Array(command.utf8)
        var out: [String?] = []
        var single = false
        var double = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x24, i + 2 < bytes.count, bytes[i + 1] == 0x7B, bytes[i + 2] == 0x7B {
                out.append(single ? "single" : double ? "double" : nil)
                // Skip the expression: quotes inside it are the expression's own string literals.
                i += 3
                while i + 1 < bytes.count, !(bytes[i] == 0x7D && bytes[i + 1] == 0x7D) { i += 1 }
                i += 2
                continue
            }
            switch b {
            case 0x5C where !single: i += 1  // backslash escapes the next byte outside single quotes
            case 0x27 where !double: single.toggle()
            case 0x22 where !single: double.toggle()
            default: break
            }
            i += 1
        }
        return out
    }
}
