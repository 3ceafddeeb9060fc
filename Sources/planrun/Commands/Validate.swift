import ArgumentParser
import PlanEngine

extension Planrun {
    /// `planrun validate [PATH...]`: every problem of every plan in one pass, for people and for CI.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check plans and report every problem with its file:line:column.",
            discussion: "Exit codes: 0 no errors (warnings allowed), 65 errors found, 64 usage error."
        )

        @Argument(help: "Plan files or directories of plans (*.yaml, *.yml). Default: plans/")
        var paths: [String] = []

        @Option(help: ArgumentHelp("Nodes and groups merged into each plan before it is checked, as `run --inventory` does.", valueName: "file"))
        var inventory: String?

        @OptionGroup var diagnostics: DiagnosticOptions

        func run() throws {
            let printer = diagnostics.printer
            var files: [String] = []
            for path in paths.isEmpty ? ["plans"] : paths {
                if SourceFile.isDirectory(path) {
                    let found = SourceFile.plans(in: path)
                    if found.isEmpty && !paths.isEmpty { Terminal.writeError("warning: no plans in '\(path)'\n") }
                    files += found
                } else if SourceFile.isFile(path) {
                    files.append(path)
                } else {
                    Terminal.writeError("error: no such file or directory '\(path)'\n")
                    throw ExitCode(64)
                }
            }
            if files.isEmpty {
                Terminal.writeError("error: no plans to validate in \(paths.isEmpty ? "plans/" : paths.joined(separator: ", "))\n")
                throw ExitCode(64)
            }

            var all: [Diagnostic] = []
            var errors = 0
            var warnings = 0
            // The file is read once and merged into every plan before its rules run, so a plan may target a
            // group that only this file defines.
            var fileInventory: Inventory?
            if let inventory {
                guard SourceFile.isFile(inventory) else {
                    Terminal.writeError("error: no such file '\(inventory)'\n")
                    throw ExitCode(64)
                }
                let (decoded, problems) = InventoryDecoder.decode(path: inventory)
                let sorted = Sorting.sorted(problems)
                errors += sorted.count { $0.severity == .error }
                warnings += sorted.count { $0.severity == .warning }
                printer.report(sorted, source: SourceFile.read(inventory))
                all += sorted
                fileInventory = decoded
            }
            for file in files {
                let bytes = SourceFile.read(file)
                var (plan, found) = bytes.map { PlanDecoder.decode(bytes: $0, file: file) } ?? PlanDecoder.decode(path: file)
                if var plan {
                    if let fileInventory { plan.inventory = InventoryDecoder.merge(plan: plan.inventory, file: fileInventory) }
                    found += PlanLinter.lint(plan)
                }
                let sorted = Sorting.sorted(found)
                errors += sorted.count { $0.severity == .error }
                warnings += sorted.count { $0.severity == .warning }
                printer.report(sorted, source: bytes, file: file)
                all += sorted
            }
            switch diagnostics.format {
            case .json: Terminal.write(DiagnosticRenderer.json(all))
            case .text:
                let plans = files.count == 1 ? "1 plan" : "\(files.count) plans"
                Terminal.writeError("\(plans) checked: \(count(errors, "error")), \(count(warnings, "warning"))\n")
            case .github: break
            }
            if errors > 0 { throw ExitCode(65) }
        }

        private func count(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }
    }
}
