import ArgumentParser
import PlanEngine

extension Planrun {
    /// `planrun list [DIR]`: the plans of a directory with their operations and inputs.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List plans with their operations and inputs.")

        @Argument(help: "Directory to list. Default: plans/")
        var directory: String = "plans"

        func run() throws {
            guard SourceFile.isDirectory(directory) else {
                Terminal.writeError("error: no such directory '\(directory)'\n")
                throw ExitCode(64)
            }
            var out = ""
            var broken = 0
            for file in SourceFile.plans(in: directory) {
                let (plan, diagnostics) = PlanDecoder.decode(path: file)
                guard let plan, !diagnostics.hasErrors else {
                    broken += 1
                    out += "\(file)  (invalid: run planrun validate \(file))\n"
                    continue
                }
                out += "\(plan.name)  \(file)\n"
                if let description = plan.description { out += "  \(description)\n" }
                out += "  operations: " + plan.operations.map(\.name).joined(separator: ", ") + "\n"
                if !plan.inputs.isEmpty {
                    out += "  inputs: " + plan.inputs.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ") + "\n"
                }
            }
            Terminal.write(out)
            if broken > 0 { throw ExitCode(65) }
        }
    }
}
