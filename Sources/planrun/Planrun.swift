import ArgumentParser
import PlanEngine

/// Every subcommand names itself (`commandName:`): otherwise ArgumentParser derives each name from its type's
/// name at every start-up, a type-name lookup per subcommand (about 0.1 ms of a 3 ms start).
@main
struct Planrun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planrun",
        abstract: "Run declarative YAML plans on local and SSH nodes.",
        subcommands: [Run.self, Validate.self, Graph.self, Explain.self, List.self]
    )
}
