import PlanYAML

extension PlanDecoder {
    /// `inputs:`: NAME → `{ type, default, required, enum, min, max, secret, description }`.
    static func decodeInputs(_ node: YAMLNode, context: inout DecodingContext) -> [InputDeclaration] {
        guard !node.isNull, let pairs = context.mapping(node, expected: "a mapping of input names") else { return [] }
        var inputs: [InputDeclaration] = []
        for (name, nameNode, body) in pairs {
            if name == "operation" {
                context.report(
                    .planReservedInput, "the input 'operation' is implicit: it names one of the plan's operations",
                    at: nameNode.range)
                continue
            }
            inputs.append(decodeInput(name: name, nameNode: nameNode, body: body, context: &context))
        }
        return inputs
    }

    private static func decodeInput(
        name: String, nameNode: YAMLNode, body: YAMLNode, context: inout DecodingContext
    ) -> InputDeclaration {
        var input = InputDeclaration(name: name, range: nameNode.range)
        guard !body.isNull, let pairs = context.mapping(body, expected: "an input declaration such as { type: string }") else {
            return input
        }
        // The type decides how every other field reads, wherever it stands.
        if let typeNode = pairs.first(where: { $0.key == InputKey.type.rawValue })?.value {
            let kinds = InputDeclaration.Kind.allCases.map { ($0.rawValue, $0) }
            input.kind = context.word(typeNode, among: kinds, what: "input type") ?? .string
        }
        var defaultNode: YAMLNode?
        for (key, keyNode, value) in pairs {
            guard let field = InputKey(rawValue: key) else {
                context.unknownKey(key, at: keyNode, among: InputKey.self, in: "input '\(name)'")
                continue
            }
            switch field {
            case .type: continue
            case .default:
                defaultNode = value
                input.defaultValue = typedValue(value, kind: input.kind, context: &context)
            case .required: input.required = context.bool(value) ?? false
            case .secret: input.secret = context.bool(value) ?? false
            case .description: input.description = value.isNull ? nil : context.string(value)
            case .enum:
                guard let items = value.sequence else {
                    context.typeError(expected: "a list of allowed values", found: value)
                    continue
                }
                input.allowed = items.compactMap { typedValue($0, kind: input.kind, context: &context) }
            case .min, .max:
                let bound: Double?
                switch input.kind {
                case .int, .float: bound = context.number(value)
                case .duration: bound = context.duration(value)
                default:
                    context.report(
                        .planType, "'\(key)' applies to int, float and duration inputs, not \(input.kind.rawValue)",
                        at: keyNode.range)
                    bound = nil
                }
                if field == .min { input.min = bound } else { input.max = bound }
            }
        }
        if let value = input.defaultValue, let defaultNode {
            if let problem = InputChecks.violation(of: value, in: input) {
                context.report(.planInputDefault, "default of input '\(name)' \(problem)", at: defaultNode.range)
            }
        }
        return input
    }

    /// A plan-written value of an input's type (defaults and `enum:` entries).
    static func typedValue(_ node: YAMLNode, kind: InputDeclaration.Kind, context: inout DecodingContext) -> Value? {
        switch kind {
        case .string, .node:
            return context.string(node).map(Value.string)
        case .int:
            return context.int(node).map(Value.int)
        case .float:
            return context.number(node).map(Value.double)
        case .bool:
            return context.bool(node).map(Value.bool)
        case .duration:
            return context.duration(node).map(DurationText.value)
        case .list:
            guard node.sequence != nil else {
                context.typeError(expected: "a list", found: node)
                return nil
            }
            return ScalarTyping.value(node)
        }
    }
}
