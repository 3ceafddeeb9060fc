import PlanEngine
import PlanStore

/// One `tools/call`: the arguments become the plan's inputs, the plan runs as `planrun run FILE` runs it (the
/// same preparation and engine, recorded in the run store), and the result JSON comes back as the tool
/// result, secrets masked.
struct ToolCall: Sendable {
    let tool: Tool
    let arguments: Value.Object
    let inventoryFile: String?
    /// The run store's directory; nil records nothing (`planrun mcp --no-record`).
    let stateDirectory: String?
    /// The caller's progress token: with one, each finished step is reported on `writer`.
    let progressToken: Value?
    let writer: MessageWriter

    /// The `CallToolResult`. Cancelling the task stops the run as Ctrl-C does: every running command's
    /// process group is stopped, and the result says `interrupted`.
    func run() async -> Value {
        var given: [(key: String, value: RawInput)] = [("operation", .value(.string(tool.operation)))]
        var dryRun = false
        for (key, value) in arguments {
            switch key {
            case InputSchema.dryRun:
                guard case .bool(let flag) = value else {
                    return Self.failure("argument 'dry_run' expects true or false, found \(value.typeName)")
                }
                dryRun = flag
            case "operation":
                return Self.failure(
                    "argument 'operation' is not an input of this tool: \(tool.name) always runs the operation "
                        + "'\(tool.operation)'; call the tool of the operation you want")
            default:
                given.append((key, .value(value)))
            }
        }
        let prepared = RunPreparation.prepare(
            plan: tool.planFile, assignments: [], inputsFile: nil, inventoryFile: inventoryFile, given: given)
        let request: RunRequest
        switch prepared {
        case .success(let ready): request = ready
        case .failure(let problems):
            // The diagnostics quote the values they refuse, secret ones included.
            let secrets = tool.secretInputs.compactMap { arguments[$0]?.interpolationText }
            return Redactor(secrets: secrets).redact(Self.refusal(problems.diagnostics))
        }
        var runRequest = request
        runRequest.dryRun = dryRun
        let redactor = Redactor(plan: runRequest.plan, inputs: runRequest.inputs)
        let maskedInputs = redactor.redact(Value.object(runRequest.inputs))
        let recorder = dryRun ? nil : record(runRequest, inputs: maskedInputs)
        let events = RunEvents(recorder.map { [$0] } ?? [])
        var sinks: [any ProgressSink] = []
        if let progressToken { sinks.append(ProgressNotifier(token: progressToken, writer: writer, redactor: redactor)) }
        if !events.isEmpty { sinks.append(events) }
        events.runStarted(
            plan: runRequest.plan, path: RunRecorder.absolute(runRequest.plan.file), operation: tool.operation,
            inputs: maskedInputs, rerunOf: nil)
        let runner = PlanRunner(runRequest, progress: sinks.isEmpty ? nil : ProgressSinks(sinks), cache: recorder)
        let result = await withTaskCancellationHandler {
            await runner.run()
        } onCancel: {
            runner.interrupt()
        }
        let json = redactor.redact(result.json())
        events.runFinished(result)
        recorder?.finish(result, json: json)
        let failed = !dryRun && (result.validationStatus == .failed || result.ending == .interrupted)
        var answer = Value.Object([
            ("content", .array([Self.text(json.jsonText())])),
            ("structuredContent", json),
            ("isError", .bool(failed)),
        ])
        // The run's id in the store, for `planrun show ID` and `--rerun-failed ID`.
        if let run = recorder?.run { answer["_meta"] = .object(Value.Object([("dev.planrun/run", .int(run))])) }
        return .object(answer)
    }

    /// The run's recorder, as `planrun run` has; a store that cannot be written costs a log line at the run's end,
    /// never the run.
    private func record(_ request: RunRequest, inputs: Value) -> RunRecorder? {
        guard let stateDirectory else { return nil }
        return RunRecorder.start(
            directory: stateDirectory, plan: request.plan, operation: tool.operation, inputs: inputs, rerunOf: nil)
    }

    /// The plan or the inputs did not pass the checks `planrun run` makes before its first step: the tool
    /// error carries the same diagnostics run prints before it exits 65 (64 when the plan file is gone).
    static func refusal(_ diagnostics: [Diagnostic]) -> Value {
        let errors = diagnostics.filter { $0.severity == .error }
        let missing = errors.contains { $0.id == .runPlanNotFound }
        let inputs = errors.allSatisfy { $0.id.rawValue.hasPrefix("input.") }
        let headline = missing
            ? "the plan file is gone (planrun run would exit 64)"
            : inputs
                ? "invalid inputs; nothing was run (planrun run would exit 65: invalid plan or inputs)"
                : "invalid plan; nothing was run (planrun run would exit 65: invalid plan or inputs)"
        return failure(([headline] + errors.map(line)).joined(separator: "\n"))
    }

    /// `file:line:column: error: message [id]` as `planrun run` prints it; arguments have no file, so their
    /// problems start at `error:`.
    static func line(_ diagnostic: Diagnostic) -> String {
        diagnostic.file == nil ? "\(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.id)]" : diagnostic.summary
    }

    /// A tool error: the agent reads the text, corrects its call and tries again.
    static func failure(_ message: String) -> Value {
        .object(Value.Object([("content", .array([text(message)])), ("isError", .bool(true))]))
    }

    static func text(_ text: String) -> Value {
        .object(Value.Object([("type", .string("text")), ("text", .string(text))]))
    }
}
