/// The policy of a run with its expressions evaluated against the inputs.
struct RunSettings: Sendable {
    var maxParallel: Int
    /// Most SSH connections being set up at once.
    var maxConnecting: Int
    /// Set when the open-file limit made `maxParallel` or `maxConnecting` smaller than the policy asks:
    /// the limit, and what the policy asked for.
    var openFileBound: (limit: Int, maxParallel: Int, maxConnecting: Int)?
    /// Seconds for the whole run, or nil for none.
    var deadline: Double?
    var defaultTimeout: Double
    var maxTimeout: Double?

    /// - Parameter openFiles: the soft open-file limit the run's processes must fit under.
    init(request: RunRequest, openFiles: Int = OpenFileLimit.current()) {
        let policy = request.plan.policy
        var scope = Value.Object()
        scope["inputs"] = .object(request.inputs)
        let budget = OpenFileLimit.processBudget(limit: openFiles)
        maxConnecting = min(max(1, policy.maxConnecting), max(1, budget / 4))
        maxParallel = min(max(1, policy.maxParallel), budget - maxConnecting)
        if maxParallel < policy.maxParallel || maxConnecting < policy.maxConnecting {
            openFileBound = (openFiles, policy.maxParallel, policy.maxConnecting)
        }
        deadline = policy.deadline.flatMap { try? Self.seconds($0, in: scope) }
        defaultTimeout = policy.defaultTimeout
        maxTimeout = policy.maxTimeout
    }

    /// A duration setting in seconds: a literal, or a template yielding a number of seconds or a duration text.
    static func seconds(_ setting: Setting<Double>, in scope: Value.Object) throws(EvaluationError) -> Double {
        switch setting {
        case .literal(let seconds, _): return seconds
        case .template(let template):
            let value = try template.evaluate(in: scope)
            guard let seconds = DurationText.seconds(value) else {
                throw EvaluationError(
                    "expected a duration of at most \(DurationText.longestText), found \(value.jsonText())", at: template.range)
            }
            return seconds
        }
    }
}

extension DurationText {
    /// Seconds from a run-time value: a number (taken as seconds) or a duration text; nil when it is neither
    /// or is negative, not finite or longer than `longest`.
    static func seconds(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return bounded(Double(i))
        case .double(let d): return bounded(d)
        case .string(let text): return seconds(text)
        default: return nil
        }
    }
}
