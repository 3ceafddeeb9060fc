import Foundation
import PlanTestSupport
import Testing

/// Issue 15: failures classified as what they are, and plan problems found by `validate`, not at run time.
@Suite(.serialized)
struct ClassificationTests {
    private func plan(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-class-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func result(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "stdout: \(text)")
    }

    @Test func aFailedSetWithOnErrorContinueIsPartialLikeACommand() async throws {
        for failing in ["{ id: v, set: { x: '${{ inputs.nope }}' }, on_error: continue }", "{ id: v, run: 'exit 3', on_error: continue }"] {
            let path = try plan("""
                planrun: 1
                inputs: { nope: { type: string, required: false } }
                operations:
                  main:
                    execute:
                      - { id: ok, run: "true" }
                      - \(failing)
                """)
            let run = try await BinaryRunner.run(["run", path, "--quiet"])
            #expect(run.exitCode == 1, "\(failing): \(run.stdout)")
            let json = try result(run.stdout)
            #expect(json["validation_status"] as? String == "partial", "\(failing)")
            let issues = json["issues"] as? [[String: Any]] ?? []
            #expect(issues.first?["kind"] as? String == "command", "\(failing): \(issues)")
        }
    }

    @Test func groupCyclesAndTooDeepChainsAreFoundByValidate() async throws {
        let cycle = try await BinaryRunner.run(["validate", try plan("""
            planrun: 1
            inventory:
              nodes: { a: { transport: local } }
              groups: { g1: [a, g2], g2: [g3], g3: [g1] }
            operations: { main: { execute: [{ id: x, target: g1, run: "true" }] } }
            """)])
        #expect(cycle.exitCode == 65)
        #expect(cycle.stderr.contains("group 'g1' contains itself: g1 → g2 → g3 → g1 [plan.group-cycle]"), "\(cycle.stderr)")

        func chain(_ n: Int) -> String {
            (0..<n).map { "    g\($0): [\($0 == n - 1 ? "a" : "g\($0 + 1)")]" }.joined(separator: "\n")
        }
        for (n, valid) in [(33, true), (34, false)] {
            let path = try plan("""
                planrun: 1
                inventory:
                  nodes: { a: { transport: local } }
                  groups:
                \(chain(n))
                operations: { main: { execute: [{ id: x, target: g0, run: "true" }] } }
                """)
            let validate = try await BinaryRunner.run(["validate", path])
            #expect(validate.exitCode == (valid ? 0 : 65), "\(n): \(validate.stderr)")
            let run = try await BinaryRunner.run(["run", path, "--quiet"])
            #expect(run.exitCode == (valid ? 0 : 65), "\(n): \(run.stderr)")
            if !valid { #expect(validate.stderr.contains("nests groups 33 deep"), "\(validate.stderr)") }
        }
    }

    @Test func aCaptureOfTruncatedOutputSaysSo() async throws {
        let path = try plan("""
            planrun: 1
            operations:
              main:
                execute:
                  - { id: big, run: "head -c 1100000 /dev/zero | tr '\\\\0' x", capture: { out: { json: a } } }
            """)
        let run = try await BinaryRunner.run(["run", path, "--quiet"])
        #expect(run.exitCode == 2)
        let issues = try result(run.stdout)["issues"] as? [[String: Any]] ?? []
        let message = issues.first?["message"] as? String ?? ""
        #expect(message.contains("capture 'out': stdout exceeded the output limit"), "\(issues)")
    }

    @Test func anExpressionInAHostIsAValidateError() async throws {
        let run = try await BinaryRunner.run(["validate", try plan("""
            planrun: 1
            inputs: { h: { type: string } }
            inventory: { nodes: { web: { host: "${{ inputs.h }}" } } }
            operations: { main: { execute: [{ id: x, run: "true" }] } }
            """)])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains("plan.yaml:3:36: error: 'host' is read as written, before inputs exist"), "\(run.stderr)")
    }
}
