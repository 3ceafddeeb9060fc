import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PlanEngine

extension Planrun {
    /// `planrun run PLAN`: resolve, run (or dry-run) one operation and print its result JSON on stdout.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an operation of a plan and print the result JSON.",
            discussion: """
                Exit codes: 0 success, 1 partial, 2 failed, 64 usage error, 65 invalid plan or inputs, \
                130 interrupted (the result is printed first).
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

        @Flag(help: "Resolve everything a run would and start nothing.")
        var dryRun = false

        @Option(help: "Output format: json (the default for a run) or text (the default for a dry-run).")
        var format: Format?

        @Flag(name: [.customShort("q"), .long], help: "No progress on stderr.")
        var quiet = false

        @Flag(name: [.customShort("v"), .long], help: "Progress with each command and its output on stderr.")
        var verbose = false

        func validate() throws {
            if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
            for item in input where RawInput.parseAssignment(item) == nil {
                throw ValidationError("-i expects KEY=VALUE, got '\(item)'")
            }
        }

        func run() async throws {
            ProcessSignals.ignoreBrokenPipe()
            let prepared = RunPreparation.prepare(
                plan: plan, assignments: input, inputsFile: inputsFile, inventoryFile: inventory)
            guard case .success(let request) = prepared else {
                guard case .failure(let problems) = prepared else { Self.exit(65) }
                DiagnosticPrinter.standard.report(Sorting.sorted(problems.diagnostics), source: nil)
                // A plan that cannot be found is a usage error; one that is wrong is invalid input.
                Self.exit(problems.diagnostics.contains { $0.id == .runPlanNotFound } ? 64 : 65)
            }
            var runRequest = request
            runRequest.dryRun = dryRun
            let redactor = Redactor(plan: runRequest.plan, inputs: runRequest.inputs)
            let progress = StderrProgress(level: quiet ? .quiet : verbose ? .verbose : .normal, redactor: redactor)
            let runner = PlanRunner(runRequest, progress: progress)
            if let note = runner.openFileNote, !quiet { Terminal.writeError("planrun: note: \(note)\n") }
            let task = Task { await runner.run() }
            // The first Ctrl-C stops every command and still prints the result; a second one exits at once.
            let trap = InterruptTrap { _ in
                runner.interrupt()
                task.cancel()
            }
            let result = await task.value
            trap.uninstall()

            let chosen = format ?? (dryRun ? .text : .json)
            let text: String
            switch chosen {
            case .json: text = redactor.redact(result.json()).jsonText(indent: 2)
            case .text: text = redactor.redact(ResultText.render(result))
            }
            Terminal.write(text + "\n")
            if result.exitCode != 0 { Self.exit(result.exitCode) }
        }

        /// Ends the process with `code` at once. Everything was written with unbuffered writes; skipping the
        /// exit handlers avoids a crash seen when `exit` tears the runtime down under an async command's
        /// worker threads (exit status 139 instead of 65 on the fast error path).
        static func exit(_ code: Int32) -> Never {
            _exit(code)
        }
    }
}
