import ArgumentParser
import PlanEngine
import PlanMCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Planrun {
    /// `planrun mcp [DIR…]`: serve each operation of each valid plan as a Model Context Protocol tool on stdio.
    struct MCP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve each operation of each valid plan as an MCP tool on stdio.",
            discussion: """
                stdin and stdout carry the Model Context Protocol; plans not offered, and why, are logged on \
                stderr. A plan file changed on disk is read again at the next tools/list.
                """
        )

        @Argument(help: "Directories of plans. Default: plans/ and each directory of $PLANRUN_PATH.")
        var directories: [String] = []

        @Option(help: ArgumentHelp("Nodes and groups that replace or extend every plan's (as run --inventory).", valueName: "file"))
        var inventory: String?

        @Flag(help: "Do not record the calls' runs in the run store ($PLANRUN_STATE).")
        var noRecord = false

        func run() async throws {
            for directory in directories where !SourceFile.isDirectory(directory) {
                Terminal.writeError("error: no such directory '\(directory)'\n")
                throw ExitCode(64)
            }
            if let inventory, !SourceFile.isFile(inventory) {
                Terminal.writeError("error: no such inventory file '\(inventory)'\n")
                throw ExitCode(64)
            }
            ProcessSignals.ignoreBrokenPipe()
            let served = directories.isEmpty ? Self.defaultDirectories : directories
            let server = MCPServer(
                directories: served, inventoryFile: inventory, stateDirectory: noRecord ? nil : RunRecording.directory)
            // SIGINT or SIGTERM ends the session as a closed stdin does: running calls are stopped first.
            let trap = InterruptTrap(handler: { [stop = server.stop] _ in stop() })
            await server.serve()
            trap.uninstall()
        }

        /// `plans` and each directory of `$PLANRUN_PATH`, those that exist: where `run` looks plans up by name.
        static var defaultDirectories: [String] {
            let extra = Terminal.environment("PLANRUN_PATH")?.split(separator: ":").map(String.init) ?? []
            return (["plans"] + extra).filter(SourceFile.isDirectory)
        }
    }
}
