import PlanYAML

extension PlanDecoder {
    static let policyKeys = ["max_parallel", "max_connecting", "deadline", "default_timeout", "max_timeout", "destructive_when"]

    /// `policy:`: run-wide limits and the guard for destructive steps.
    static func decodePolicy(_ node: YAMLNode, context: inout DecodingContext) -> Policy {
        var policy = Policy()
        policy.range = node.range
        guard !node.isNull, let pairs = context.mapping(node, expected: "a policy mapping") else { return policy }
        for (key, keyNode, value) in pairs {
            switch key {
            case "max_parallel":
                guard let n = context.int(value) else { continue }
                if n < 1 {
                    context.error(
                        "plan.max-parallel", "max_parallel must be at least 1, found \(n)", at: value.range, fixIt: "1")
                } else {
                    policy.maxParallel = n
                }
            case "max_connecting":
                guard let n = context.int(value) else { continue }
                if n < 1 {
                    context.error(
                        "plan.max-connecting", "max_connecting must be at least 1, found \(n)", at: value.range,
                        fixIt: "1")
                } else {
                    policy.maxConnecting = n
                }
            case "deadline": policy.deadline = context.durationSetting(value)
            case "default_timeout": policy.defaultTimeout = context.duration(value) ?? policy.defaultTimeout
            case "max_timeout": policy.maxTimeout = context.duration(value)
            case "destructive_when": policy.destructiveWhen = context.template(value)
            default:
                context.unknownKey(key, at: keyNode, allowed: policyKeys, in: "the policy")
            }
        }
        return policy
    }
}
