import ArgumentParser
import PlanEngine
import PlanStore

extension Planrun {
    /// `planrun show RUN|last`: one recorded run, with its steps, output tails, issues and result.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a recorded run: text, json, or one self-contained html page.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

        @Argument(help: "A run id from planrun history, or last.")
        var id: String = "last"

        @Option(help: "Output format.")
        var format: Format = .text

        func run() throws {
            let store = try RunRecording.open()
            let id = try RunRecording.runID(self.id, in: store)
            guard let record = try? store.run(id) else {
                Terminal.writeError("error: no run \(id) in \(store.path)\n")
                throw ExitCode(64)
            }
            let events = (try? store.events(of: id)) ?? []
            switch format {
            case .text: Terminal.write(RunReport.text(record, events: events))
            case .json:
                guard case .object(var o) = record.json else { return }
                o["result"] = record.result ?? .null
                o["events"] = .array(events)
                Terminal.write(Value.object(o).jsonText(indent: 2) + "\n")
            case .html: Terminal.write(RunPage.html(record, events: events))
            }
        }
    }
}
