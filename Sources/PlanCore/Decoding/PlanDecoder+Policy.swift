import PlanYAML

extension PlanDecoder {
    /// `policy:`: run-wide limits and the guard for destructive steps.
    static func decodePolicy(_ node: YAMLNode, context: inout DecodingContext) -> Policy {
        var policy = Policy()
        policy.range = node.range
        guard !node.isNull, let pairs = context.mapping(node, expected: "a policy mapping") else { return policy }
        for (key, keyNode, value) in pairs {
            guard let field = PolicyKey(rawValue: key) else {
                context.unknownKey(key, at: keyNode, among: PolicyKey.self, in: "the policy")
                continue
            }
            switch field {
            case .maxParallel:
                guard let n = context.int(value) else { continue }
                if n < 1 {
                    context.report(
                        .planMaxParallel, "max_parallel must be at least 1, found \(n)", at: value.range, fixIt: "1")
                } else {
                    policy.maxParallel = n
                }
            case .maxConnecting:
                guard let n = context.int(value) else { continue }
                if n < 1 {
                    context.report(
                        .planMaxConnecting, "max_connecting must be at least 1, found \(n)", at: value.range, fixIt: "1")
                } else {
                    policy.maxConnecting = n
                }
            case .deadline: policy.deadline = context.durationSetting(value)
            case .defaultTimeout: policy.defaultTimeout = context.duration(value) ?? policy.defaultTimeout
            case .maxTimeout: policy.maxTimeout = context.duration(value)
            case .destructiveWhen: policy.destructiveWhen = context.template(value)
            }
        }
        return policy
    }
}
