import ArgumentParser
import PlanEngine

extension Planrun {
    /// `planrun explain PLAN`: what a plan takes and does, in words, without running it.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Describe a plan: its inputs, operations, nodes and policy.")

        @Argument(help: "A plan file, or a name looked up as plans/NAME.yaml, then in $PLANRUN_PATH.")
        var plan: String

        func run() throws {
            Terminal.write(PlanExplanation.text(try PlanLoading.load(plan)))
        }
    }
}
