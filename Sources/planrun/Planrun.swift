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

    /// ArgumentParser's own `main` for async roots, kept on the main thread: its default is nonisolated, so
    /// every command, even a synchronous one like `validate`, first hopped to a new pool thread, whose
    /// allocations then grew a fresh malloc arena a page at a time (an `mprotect` per page). Parsing and the
    /// synchronous commands now run where the process started, on the main arena; `run` still awaits its
    /// async body on the pool, as before. Parsing is the synchronous `parseAsRoot`: the async one (needed only
    /// for async custom completions, which planrun has none of) would hop to the pool again.
    @MainActor
    static func main() async {
        do {
            var command = try parseAsRoot(Run.withRerunDefault(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
