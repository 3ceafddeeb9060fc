import ArgumentParser
import PlanEngine
import PlanCore

#if canImport(Glibc)
import Glibc
#endif

extension Planrun {
    /// `planrun merge RESULT…`: one result from the results of every shard of a run.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge the results of a sharded run (run --shard I/N) into one result JSON.",
            discussion: """
                Steps, captures and issues are united; the validate phase's node-less steps and the plan's \
                output are evaluated again over every shard's data. Exit codes as for run; 65 when a shard is \
                missing, given twice or unreadable.
                """
        )

        @Argument(help: ArgumentHelp("The shards' result files, or - for one on stdin.", valueName: "result"))
        var results: [String]

        @Option(help: ArgumentHelp("The plan, when it is not where the shards ran it from.", valueName: "plan"))
        var plan: String?

        @Option(help: "Output format: json (the default) or text.")
        var format: Run.Format = .json

        func validate() throws {
            if results.isEmpty { throw ValidationError("name the shards' result files (or - for stdin)") }
            if results.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (-) can be read only once") }
        }

        func run() async throws {
            var documents: [ShardMerge.Document] = []
            for path in results {
                let bytes = path == "-" ? SourceFile.read(descriptor: STDIN_FILENO) : SourceFile.read(path)
                guard let bytes else {
                    Terminal.writeError("planrun: error: cannot read \(path)\n")
                    throw ExitCode(65)
                }
                documents.append(ShardMerge.Document(source: path, text: String(decoding: bytes, as: UTF8.self)))
            }
            let result: RunResult
            do {
                result = try await ShardMerge.merge(documents, plan: plan)
            } catch {
                Terminal.writeError("planrun: error: \(error.description)\n")
                throw ExitCode(65)
            }
            switch format {
            case .json: Terminal.write(result.json().jsonText(indent: 2) + "\n")
            case .text: Terminal.write(ResultText.render(result) + "\n")
            }
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}
