import Foundation
import PlanTestSupport
import Testing

/// `planrun graph`, `explain` and `list`: reading plans without running them.
@Suite(.serialized) struct InspectCommandTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-inspect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/plans", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/elsewhere", withIntermediateDirectories: true)
        try Self.plan.write(toFile: directory + "/plans/demo.yaml", atomically: true, encoding: .utf8)
        try Self.plan.replacingOccurrences(of: "name: demo", with: "name: other")
            .write(toFile: directory + "/elsewhere/other.yml", atomically: true, encoding: .utf8)
    }

    static let plan = """
        planrun: 1
        name: demo
        description: Two operations
        inventory:
          nodes:
            local: { transport: local }
            remote: { transport: ssh, host: example, user: root, port: 2222 }
          groups: { all: [local, remote] }
        inputs:
          timeout: { type: duration, default: 90s, max: 2m }
          force: { type: bool, default: false }
        policy: { max_parallel: 2, max_timeout: 2m, destructive_when: "${{ inputs.force }}" }
        operations:
          status:
            analyze:
              - { id: reach, target: all, run: "true" }
            execute:
              - { id: a, target: all, needs: [], run: "true" }
              - { id: b, target: all, needs: [], run: "true" }
              - { id: c, target: all, needs: [a, b], run: "true" }
          sync:
            execute:
              - { id: pull, target: all, run: git pull }
        """

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> BinaryRunner.Output {
        try await BinaryRunner.run(arguments, in: directory, environment: environment, removing: ["PLANRUN_PATH"])
    }

    @Test func graphMermaidByName() async throws {
        let out = try await run(["graph", "demo", "--operation", "status"])
        #expect(out.exitCode == 0)
        #expect(out.stdout == """
            flowchart TD
              subgraph analyze
                s0["reach"]
              end
              subgraph execute
                s1["a"]
                s2["b"]
                s3["c"]
              end
              s1 --> s3
              s2 --> s3
              s0 -.-> s1
              s0 -.-> s2

            """)
    }

    @Test func graphDotAndOperationErrors() async throws {
        let dot = try await run(["graph", "plans/demo.yaml", "--operation", "sync", "--format", "dot"])
        #expect(dot.exitCode == 0)
        #expect(dot.stdout.hasPrefix("digraph \"sync\" {"))
        let typo = try await run(["graph", "demo", "--operation", "stauts"])
        #expect(typo.exitCode == 64)
        #expect(typo.stderr == "error: unknown operation 'stauts'; did you mean 'status'?\n")
        let none = try await run(["graph", "demo"])
        #expect(none.exitCode == 64)
        let missing = try await run(["graph", "nothere"])
        #expect(missing.exitCode == 64)
        #expect(missing.stderr.hasPrefix("error: no plan 'nothere'; looked for: nothere, plans/nothere.yaml"))
    }

    @Test func planrunPathIsSearched() async throws {
        let out = try await run(["explain", "other"], environment: ["PLANRUN_PATH": directory + "/elsewhere"])
        #expect(out.exitCode == 0)
        #expect(out.stdout.hasPrefix("plan other (\(directory)/elsewhere/other.yml)\n"))
    }

    @Test func explain() async throws {
        let out = try await run(["explain", "demo"])
        #expect(out.exitCode == 0)
        #expect(out.stdout == """
            plan demo (plans/demo.yaml)
              Two operations

            inputs:
              operation: one of status, sync (required)
              timeout: duration, default 1m30s, max 2m
              force: bool, default false

            operations:
              status: 4 steps (analyze 1, execute 3)
              sync: 1 step (execute 1)

            nodes:
              local: local
              remote: ssh root@example:2222
              group all: local, remote

            policy:
              max_parallel: 2
              max_connecting: 8
              default_timeout: 30s
              max_timeout: 2m
              destructive steps run when: ${{ inputs.force }}

            """)
    }

    @Test func explainOfABrokenPlanExits65() async throws {
        try "planrun: 3\noperations: {}\n".write(toFile: directory + "/broken.yaml", atomically: true, encoding: .utf8)
        let out = try await run(["explain", "broken.yaml"])
        #expect(out.exitCode == 65)
        #expect(out.stderr.hasPrefix("broken.yaml:1:10: error: unsupported plan language version 3"))
    }

    @Test func list() async throws {
        let out = try await run(["list"])
        #expect(out.exitCode == 0)
        #expect(out.stdout == """
            demo  plans/demo.yaml
              Two operations
              operations: status, sync
              inputs: timeout (duration), force (bool)

            """)
    }
}
