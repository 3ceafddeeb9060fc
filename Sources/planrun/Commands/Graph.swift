import ArgumentParser
import PlanEngine

extension Planrun {
    /// `planrun graph PLAN --operation OP`: the step graph of one operation as Mermaid or DOT on stdout.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Print the step graph of an operation (Mermaid or Graphviz DOT).")

        enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot }

        @Argument(help: "A plan file, or a name looked up as plans/NAME.yaml, then in $PLANRUN_PATH.")
        var plan: String

        @Option(help: "The operation to draw; may be left out when the plan has only one.")
        var operation: String?

        @Option(help: "mermaid or dot.")
        var format: Format = .mermaid

        func run() throws {
            let plan = try PlanLoading.load(plan)
            let chosen = try PlanLoading.operation(operation, of: plan)
            let graph = StepGraph(operation: chosen)
            Terminal.write(format == .mermaid ? graph.mermaid() : graph.dot())
        }
    }
}
