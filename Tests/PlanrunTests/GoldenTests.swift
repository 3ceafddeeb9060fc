import Foundation
import PlanTestSupport
import Testing

/// What planrun prints for a person or a program, whole, against the files in `Golden/`: every help text,
/// a bad plan's diagnostics, a dry-run and a result (its times masked). `PLANRUN_UPDATE_GOLDEN=1` rewrites them.
@Suite(.serialized) struct GoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-golden-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/plans", withIntermediateDirectories: true)
        try Self.plan.write(toFile: directory + "/plans/demo.yaml", atomically: true, encoding: .utf8)
        try Self.badPlan.write(toFile: directory + "/plans/bad.yaml", atomically: true, encoding: .utf8)
    }

    static let plan = """
        planrun: 1
        name: demo
        description: Local steps that show what a run and a dry-run print
        inventory:
          nodes:
            here: { transport: local }
            there: { transport: local }
          groups: { all: [here, there] }
        inputs:
          force: { type: bool, default: false }
          word: { type: string, default: "hello world" }
        policy: { max_parallel: 2, default_timeout: 20s, destructive_when: "${{ inputs.force }}" }
        operations:
          status:
            analyze:
              - { id: greet, target: all, run: "echo ${{ inputs.word }}", capture: { said: { stdout: true } } }
            execute:
              - id: count
                target: here
                run: echo 3
                retries: 1
                capture: { n: { stdout: true, as: int } }
              - { id: restart, target: there, destructive: true, run: "echo restarted" }
            validate:
              - id: said_it
                assert: ${{ nodes.here.said == inputs.word }}
                message: the node did not say it
        output:
          summary: ${{ inputs.word }} from ${{ len(nodes) }} nodes
        """

    /// An unknown key with a near miss, a step id used twice, and a capture nobody makes.
    static let badPlan = """
        planrun: 1
        name: bad
        inventory: { nodes: { here: { transport: local } } }
        operations:
          status:
            execute:
              - { id: a, run: "true", timout: 5s }
              - { id: a, run: "true" }
              - { id: b, run: "echo ${{ nodes.here.missing }}" }
        """

    func run(_ arguments: [String]) async throws -> BinaryRunner.Output {
        try await BinaryRunner.run(
            arguments, in: directory, environment: ["COLUMNS": "100", "NO_COLOR": "1"],
            removing: ["PLANRUN_PATH"])
    }

    func expectGolden(_ text: String, _ name: String) {
        #expect(Golden.mismatch(text, file: name, in: Self.golden) == nil, "\(Golden.mismatch(text, file: name, in: Self.golden) ?? "")")
    }

    @Test(arguments: ["", "run", "merge", "validate", "graph", "explain", "list", "mcp", "history", "show", "prune"])
    func help(_ command: String) async throws {
        let out = try await run((command.isEmpty ? [] : [command]) + ["--help"])
        #expect(out.exitCode == 0)
        expectGolden(out.stdout, "help-\(command.isEmpty ? "planrun" : command).txt")
    }

    @Test func diagnosticsOfABadPlan() async throws {
        let out = try await run(["validate", "plans/bad.yaml", "--format", "text"])
        #expect(out.exitCode == 65)
        expectGolden(out.stdout + out.stderr, "validate-bad.txt")
    }

    @Test func dryRunText() async throws {
        let out = try await run(["run", "demo", "--dry-run", "--format", "text", "--no-record"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        expectGolden(out.stdout, "dry-run.txt")
    }

    @Test func resultJSON() async throws {
        let out = try await run(["run", "demo", "--no-record", "--quiet"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        expectGolden(Self.maskingTimes(out.stdout), "result.json")
    }

    /// Durations, waits and the run's time vary from run to run; everything else must not.
    static func maskingTimes(_ json: String) -> String {
        json.replacingOccurrences(
            of: #""(execution_time|duration|queued)"( ?): [0-9.eE+-]+"#, with: "\"$1\"$2: 0", options: .regularExpression)
    }
}
