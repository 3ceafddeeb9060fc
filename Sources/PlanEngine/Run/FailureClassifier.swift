/// Decides the error kind and hint of a failed command: the plan's `errors:` rules first, then what the
/// transport or the output says.
enum FailureClassifier {
    static func classify(_ outcome: CommandOutcome, rules: [ErrorRule], timeout: Double) -> StepFailure {
        if let failure = outcome.failure {
            return StepFailure(failure.kind, failure.message, hint: hint(for: failure.kind))
        }
        if outcome.timedOut {
            return StepFailure(
                .timeout, "timed out after \(DurationText.format(timeout))",
                hint: "increase the step's timeout (or the timeout input) if the command needs longer")
        }
        for rule in rules where matches(rule, outcome) {
            return StepFailure(ErrorKind(rawValue: rule.kind), failureMessage(outcome), hint: rule.hint)
        }
        if outcome.exitCode == 126 || outcome.stderr.lowercased().contains("permission denied")
            || outcome.stderr.contains("Operation not permitted")
        {
            return StepFailure(.permission, failureMessage(outcome), hint: hint(for: .permission))
        }
        return StepFailure(.command, failureMessage(outcome))
    }

    static func failureMessage(_ outcome: CommandOutcome) -> String {
        if let signal = outcome.signal { return "killed by signal \(signal)" }
        if let code = outcome.exitCode { return "exited with status \(code)" }
        return "did not complete"
    }

    private static func matches(_ rule: ErrorRule, _ outcome: CommandOutcome) -> Bool {
        if let code = rule.exitCode, outcome.exitCode != Int32(exactly: code) { return false }
        guard let pattern = rule.match else { return rule.exitCode != nil }
        guard let regex = try? BoundedRegex(pattern) else { return false }
        return regex.matches(outcome.stderr) || regex.matches(outcome.stdout)
    }

    static func hint(for kind: ErrorKind) -> String? {
        switch kind {
        case .connection: return "check that sshd runs on the node and the port is right; a fallback node is tried where the plan names one"
        case .authentication: return "check the node's user and identity_file, and the key's permissions (chmod 600)"
        case .hostKey:
            return "the node's host key is not the one known_hosts holds (or none is known): confirm the new key out of band, then update known_hosts (ssh-keygen -R HOST, then ssh-keyscan)"
        case .unreachable: return "check the host name and the network route to the node"
        case .permission: return "check the user's privileges on the node"
        case .timeout: return "increase the timeout if the operation needs longer"
        default: return nil
        }
    }
}
