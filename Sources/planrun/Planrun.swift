import ArgumentParser
import PlanEngine

/// Every subcommand names itself (`commandName:`): otherwise ArgumentParser derives each name from its type's
/// name at every start-up, a type-name lookup per subcommand (about 0.1 ms of a 3 ms start).
@main
struct Planrun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planrun",
        abstract: "Run declarative YAML plans on local and SSH nodes.",
        version: PlanrunVersion.current,
        subcommands: [Run.self, Merge.self, Validate.self, Graph.self, Explain.self, List.self, MCP.self, History.self, Show.self, Prune.self]
    )

    /// ArgumentParser's own `main`, given the arguments with a bare `--rerun-failed` completed (ArgumentParser
    /// has no option whose value may be left out; see `Run.withRerunDefault`).
    static func main() async {
        await main(Run.withRerunDefault(Array(CommandLine.arguments.dropFirst())))
    }
}
