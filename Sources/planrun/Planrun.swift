import ArgumentParser
import PlanEngine

@main
struct Planrun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planrun",
        abstract: "Run declarative YAML plans on local and SSH nodes.",
        subcommands: [Run.self, Validate.self, Graph.self, Explain.self, List.self]
    )
}
