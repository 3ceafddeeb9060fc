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

    /// What ArgumentParser's own `main` does, given the arguments with a bare `--rerun-failed` completed
    /// (ArgumentParser has no option whose value may be left out; see `Run.withRerunDefault`), except that a
    /// command that is not async (`validate`, `graph`, `history`, …) runs here, on the main thread. Through
    /// ArgumentParser's async `main` it ran on a pool thread, which glibc serves from a secondary malloc arena
    /// that grows by one `mprotect` at a time: 8,000 system calls to validate 5,000 steps, 80,000 at 50,000.
    static func main() async {
        let arguments = Run.withRerunDefault(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
