import ArgumentParser
import PlanEngine
import PlanStore

extension Planrun {
    /// `planrun history [PLAN]`: the recorded runs, newest first.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "List recorded runs, newest first.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @Argument(help: "Only the runs of this plan (a name, a file, or the name looked up as for run).")
        var plan: String?

        @Option(help: "How many runs to list.")
        var limit = 20

        @Option(help: "Output format.")
        var format: Format = .table

        func run() throws {
            let store = try RunRecording.open()
            let runs: [StoredRun]
            do {
                runs = try store.runs(plan: plan.map(RunRecording.planKey), limit: max(1, limit))
            } catch {
                Terminal.writeError("error: \(error.message)\n")
                throw ExitCode(1)
            }
            switch format {
            case .json: Terminal.write(Value.array(runs.map(\.json)).jsonText(indent: 2) + "\n")
            case .table: Terminal.write(RunReport.table(runs))
            }
        }
    }

    /// `planrun prune`: forget all but the newest runs.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune", abstract: "Delete all but the newest recorded runs (and stale cached step results).")

        @Option(help: "How many of the newest runs to keep.")
        var keep = RunStore.defaultKeep

        func run() throws {
            let store = try RunRecording.open()
            do {
                let removed = try store.prune(keep: max(0, keep))
                Terminal.write("removed \(removed) run\(removed == 1 ? "" : "s"); kept the newest \(keep)\n")
            } catch {
                Terminal.writeError("error: \(error.message)\n")
                throw ExitCode(1)
            }
        }
    }
}
