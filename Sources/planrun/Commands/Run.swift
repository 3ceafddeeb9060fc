import ArgumentParser
import PlanEngine
import PlanStore
import Synchronization

extension Planrun {
    /// `planrun run PLAN`: resolve, run (or dry-run) one operation and print its result JSON on stdout.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an operation of a plan and print the result JSON.",
            discussion: """
                Exit codes: 0 success, 1 partial, 2 failed, 64 usage error, 65 invalid plan or inputs (or a dry-run \
                that found an error the run would hit), 130 interrupted (the result is printed first).
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

        @Argument(help: "A plan file, or a name looked up as plans/NAME.yaml, then in $PLANRUN_PATH.")
        var plan: String

        @Option(name: .customShort("i"), help: ArgumentHelp("An input as KEY=VALUE, typed by the plan's declaration.", valueName: "key=value"))
        var input: [String] = []

        @Option(name: .customLong("inputs"), help: ArgumentHelp("Inputs from a YAML or JSON file, or - for JSON on stdin.", valueName: "file"))
        var inputsFile: String?

        @Option(help: ArgumentHelp("Nodes and groups that replace or extend the plan's (planrun or Ansible YAML inventory).", valueName: "file"))
        var inventory: String?

        @Option(help: ArgumentHelp("Run only on these nodes: names of nodes or groups, comma-separated.", valueName: "nodes"))
        var limit: String?

        @Flag(help: "Resolve everything a run would and start nothing; exit 65 if it finds an error the run would hit.")
        var dryRun = false

        @Flag(help: "Show a unified diff of what each copy step changes per node (with --dry-run: would change; reads the nodes, never writes).")
        var diff = false

        @Option(help: "Output format: json (the default for a run) or text (the default for a dry-run).")
        var format: Format?

        @Flag(name: [.customShort("q"), .long], help: "No progress on stderr.")
        var quiet = false

        @Flag(name: [.customShort("v"), .long], help: "Progress with each command and its output on stderr.")
        var verbose = false

        @Flag(help: "Do not record the run in the run store ($PLANRUN_STATE); cache: steps then run every time.")
        var noRecord = false

        @Flag(help: "Run cache: steps instead of reusing a recorded result (their new results are still kept).")
        var noCache = false

        @Option(help: ArgumentHelp("Stream events as NDJSON to a file as they happen, or - for stdout (the result then follows on one line).", valueName: "file"))
        var events: String?

        @Option(name: .customLong("rerun-failed"), help: ArgumentHelp("Run only what run ID (default: the plan's last run) left: its failed or unreached nodes, from the first step that failed.", valueName: "id|last"))
        var rerunFailed: String?
        @Option(help: ArgumentHelp(
            "Run only the I-th of N slices of the nodes (from 0; I defaults to $JOB_COMPLETION_INDEX); combine the shards' results with planrun merge.",
            valueName: "I/N"))
        var shard: String?

        func validate() throws {
            if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
            if rerunFailed != nil && (dryRun || noRecord) {
                throw ValidationError("--rerun-failed reads the run store and records the new run: not with --dry-run or --no-record")
            }
            if let limit, limit.split(separator: ",").allSatisfy({ $0.allSatisfy { $0 == " " } }) {
                throw ValidationError("--limit expects node or group names, comma-separated")
            }
            for item in input where RawInput.parseAssignment(item) == nil {
                throw ValidationError("-i expects KEY=VALUE, got '\(item)'")
            }
            if let shard, case .failure(let error) = Shard.parse(shard, environment: Terminal.processEnvironment) {
                throw ValidationError(error.description)
            }
        }

        /// A note when `-i` gave a secret input: planrun's own command line is readable in `ps` by every user of
        /// this machine for as long as the run lasts, which `--inputs FILE` (or `-`, stdin) avoids.
        static func secretsOnTheCommandLine(_ assignments: [String], plan: Plan) -> String? {
            let secret = Set(plan.inputs.filter(\.secret).map(\.name))
            let given = assignments.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
            let names = given.filter(secret.contains)
            guard !names.isEmpty else { return nil }
            return "secret input\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) given with -i: planrun's "
                + "command line is readable in ps while the run lasts; give secrets with --inputs FILE (or - for stdin)"
        }

        func run() async throws {
            ProcessSignals.ignoreBrokenPipe()
            let prepared = RunPreparation.prepare(
                plan: plan, assignments: input, inputsFile: inputsFile, inventoryFile: inventory,
                limit: limit.map { $0.split(separator: ",").map(String.init) })
            guard case .success(let request) = prepared else {
                guard case .failure(let problems) = prepared else { throw ExitCode(65) }
                DiagnosticPrinter.standard.report(Sorting.sorted(problems.diagnostics), source: nil)
                // A plan that cannot be found is a usage error; one that is wrong is invalid input.
                throw ExitCode(problems.diagnostics.contains { $0.id == .runPlanNotFound } ? 64 : 65)
            }
            var runRequest = request
            runRequest.dryRun = dryRun
            if let rerunFailed { runRequest.rerun = try RunRecording.rerun(rerunFailed, for: runRequest) }
            runRequest.diff = diff
            if let shard { runRequest.shard = try? Shard.parse(shard, environment: Terminal.processEnvironment).get() }
            let redactor = Redactor(plan: runRequest.plan, inputs: runRequest.inputs)
            let stderrProgress = StderrProgress(level: quiet ? .quiet : verbose ? .verbose : .normal, redactor: redactor)

            // The event sinks: --events, and the run store unless this is a dry-run or --no-record.
            var sinks: [any EventSink] = []
            if let events {
                switch NDJSONEvents.open(events) {
                case .success(let writer): sinks.append(writer)
                case .failure(let failure):
                    Terminal.writeError("error: \(failure.message)\n")
                    throw ExitCode(64)
                }
            }
            let maskedInputs = redactor.redact(Value.object(runRequest.inputs))
            // Opened at its first write (0.2 s into the run, or at the end), not before the first step.
            let recorder = dryRun || noRecord ? nil : RunRecorder.start(
                directory: RunRecording.directory, plan: runRequest.plan, operation: runRequest.operation.name,
                inputs: maskedInputs, rerunOf: runRequest.rerun?.previous)
            if let recorder { sinks.append(recorder) }
            let runEvents = RunEvents(sinks)
            let progress: any ProgressSink = runEvents.isEmpty ? stderrProgress : ProgressSinks([stderrProgress, runEvents])
            runEvents.runStarted(
                plan: runRequest.plan, path: RunRecording.absolute(runRequest.plan.file),
                operation: runRequest.operation.name, inputs: maskedInputs,
                rerunOf: runRequest.rerun?.previous)

            runRequest.noCache = noCache
            let runner = PlanRunner(runRequest, progress: progress, cache: recorder)
            if let note = runner.openFileNote, !quiet { Terminal.writeError("planrun: note: \(note)\n") }
            if let note = runner.shortSecretNote, !quiet { Terminal.writeError("planrun: note: \(note)\n") }
            if let note = Self.secretsOnTheCommandLine(input, plan: runRequest.plan), !quiet {
                Terminal.writeError("planrun: note: \(note)\n")
            }
            // The first Ctrl-C stops every command and still prints the result; a second one exits at once.
            // The trap is set before the run starts: set after, a Ctrl-C while the first command was already
            // running killed planrun (the default action) without a result.
            let running = Mutex<Task<RunResult, Never>?>(nil)
            let trap = InterruptTrap { _ in
                runner.interrupt()
                running.withLock { $0?.cancel() }
            }
            let task = Task { await runner.run() }
            running.withLock { $0 = task }
            // A signal caught before the task existed had nothing to cancel.
            if trap.received != nil { task.cancel() }
            // On a terminal, the live line's time and the heartbeats of long steps move once a second.
            let ticker = stderrProgress.isLive
                ? Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        stderrProgress.tick()
                    }
                } : nil
            // The store takes the events in batches, every 0.2 s.
            let flusher = recorder?.flushPeriodically()
            let result = await task.value
            flusher?.cancel()
            trap.uninstall()
            ticker?.cancel()
            stderrProgress.end()

            let json = redactor.redact(result.json(), keys: false)
            runEvents.runFinished(result)
            recorder?.finish(result, json: json)
            let chosen = format ?? (dryRun ? .text : .json)
            let text: String
            switch chosen {
            case .json: text = events == "-" ? json.jsonText() : json.jsonText(indent: 2)
            case .text: text = redactor.redact(ResultText.render(result))
            }
            Terminal.write(text + "\n")
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }

        /// `--rerun-failed` without a value means the plan's last run: ArgumentParser has no options whose
        /// value is optional, so a bare `--rerun-failed` (followed by nothing, or by anything that is not a
        /// run id or `last`) gets `last` put after it before parsing.
        static func withRerunDefault(_ arguments: [String]) -> [String] {
            var out: [String] = []
            for (i, argument) in arguments.enumerated() {
                out.append(argument)
                guard argument == "--rerun-failed" else { continue }
                let next = i + 1 < arguments.count ? arguments[i + 1] : nil
                if next.map({ Int($0) == nil && $0 != "last" }) ?? true { out.append("last") }
            }
            return out
        }
    }
}
