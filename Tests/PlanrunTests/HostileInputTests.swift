import Foundation
import PlanTestSupport
import Testing

/// Issue 15: data from a plan, an input or a node that once trapped or hung planrun. Each ends in a located
/// diagnostic (exit 65) or a failed step with a result JSON, never a signal.
@Suite(.serialized)
struct HostileInputTests {
    private func plan(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func result(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "stdout: \(text)")
    }

    private func firstStep(_ result: [String: Any]) -> [String: Any] {
        (result["steps"] as? [[String: Any]])?.first ?? [:]
    }

    @Test(arguments: [["validate"], ["run", "--dry-run"], ["run"], ["explain"]])
    func aDurationBeyondTheLongestIsALocatedDiagnostic(command: [String]) async throws {
        let path = try plan("""
            planrun: 1
            inputs:
              m: { type: duration, min: 1e19, default: 1e20 }
            operations:
              main:
                execute:
                  - { id: a, run: echo hi, timeout: 1e19 }
            """)
        let run = try await BinaryRunner.run([command[0], path] + command.dropFirst())
        #expect(run.exitCode == 65, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("plan.yaml:3:29: error: duration '1e19' is longer than the longest allowed"), "\(run.stderr)")
        #expect(run.stderr.contains("plan.yaml:7:41: error: duration '1e19'"), "\(run.stderr)")
        #expect(run.stderr.contains("[plan.out-of-range]"))
    }

    @Test func aDurationInputBeyondTheLongestIsAnInputError() async throws {
        let path = try plan("""
            planrun: 1
            inputs:
              t: { type: duration, default: 1s }
            policy: { deadline: "${{ inputs.t }}" }
            operations:
              main:
                execute:
                  - { id: a, run: echo hi, timeout: "${{ inputs.t }}" }
            """)
        for flag in [["-i", "t=1e19"], ["--inputs", "-"]] {
            let run = try await BinaryRunner.run(["run", path] + flag, stdin: #"{"t": 1e19}"#)
            #expect(run.exitCode == 65, "\(flag) stderr: \(run.stderr)")
            #expect(run.stderr.contains("input 't'"), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let fine = try await BinaryRunner.run(["run", path, "-i", "t=2s", "--quiet"])
        #expect(fine.exitCode == 0, "\(fine.stderr)")
    }

    @Test func aCapturedHugeNumberUsedAsATimeoutFailsTheStep() async throws {
        let path = try plan("""
            planrun: 1
            operations:
              main:
                execute:
                  - { id: a, run: "echo 1e19", capture: { t: { stdout: true, as: float } } }
                  - { id: b, run: echo hi, timeout: "${{ nodes.local.t }}" }
            """)
        let run = try await BinaryRunner.run(["run", path, "--quiet"])
        #expect(run.exitCode == 2, "stderr: \(run.stderr)")
        let json = try result(run.stdout)
        let steps = json["steps"] as? [[String: Any]] ?? []
        #expect(steps.last?["status"] as? String == "failed")
        let issues = json["issues"] as? [[String: Any]] ?? []
        #expect(issues.contains { ($0["message"] as? String ?? "").contains("expected a duration of at most 1e9 seconds") }, "\(issues)")
    }

    @Test func asIntOnAJSONNumberBeyondIntFailsTheCapture() async throws {
        // It trapped, leaving the parallel step's process running with parent 1.
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { n1: { transport: local }, n2: { transport: local } } }
            operations:
              main:
                execute:
                  - { id: big, target: n1, needs: [], run: "echo '{\\"n\\": 1e19}'", capture: { n: { json: n, as: int } } }
                  - { id: slow, target: n2, needs: [], run: "sleep 0.5" }
            """)
        let run = try await BinaryRunner.run(["run", path, "--quiet"], timeout: 60)
        #expect(run.exitCode == 2, "stderr: \(run.stderr)")
        let json = try result(run.stdout)
        let issues = json["issues"] as? [[String: Any]] ?? []
        #expect(issues.contains { ($0["message"] as? String ?? "").contains("cannot read 1e+19 as int") }, "\(issues)")
    }

    @Test(arguments: ["errors: [{ match: '^(a+)+$', kind: flood }]", "capture: { c: { regex: '^(a+)+$' } }"])
    func aCatastrophicRegexMatchesInLinearTime(key: String) async throws {
        // 60 `a`s and a `b`: a backtracking engine needs ~2^60 steps; RE2 needs one pass.
        let path = try plan("""
            planrun: 1
            policy: { deadline: 5s }
            operations:
              main:
                execute:
                  - id: a
                    run: "printf '\(String(repeating: "a", count: 60))b\\\\n'; exit 3"
                    timeout: 2s
                    \(key)
            """)
        let run = try await BinaryRunner.run(["run", path, "--quiet"], timeout: 20)
        #expect(!run.timedOut)
        #expect(run.exitCode == 2, "stderr: \(run.stderr)")
        let step = firstStep(try result(run.stdout))
        #expect(step["status"] as? String == "failed")
    }

    @Test func validateReportsWhatRE2CannotCompile() async throws {
        let path = try plan("""
            planrun: 1
            operations:
              main:
                execute:
                  - { id: a, run: "echo x", capture: { c: { regex: '(?=x)x' } } }
            """)
        let run = try await BinaryRunner.run(["validate", path])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains("[plan.invalid-regex]"), "\(run.stderr)")
    }

    @Test func portsAndExitCodesOutOfRangeAreLocatedDiagnostics() async throws {
        let port = try await BinaryRunner.run(["validate", try plan("""
            planrun: 1
            inventory: { nodes: { web: { host: 127.0.0.1, port: -1 } } }
            operations: { main: { execute: [{ id: a, run: "true" }] } }
            """)])
        #expect(port.exitCode == 65)
        #expect(port.stderr.contains("plan.yaml:2:53: error: a port number is 1 to 65535, found -1 [plan.out-of-range]"), "\(port.stderr)")
        let code = try await BinaryRunner.run(["validate", try plan("""
            planrun: 1
            operations:
              main:
                execute:
                  - { id: a, run: "true", errors: [{ exit_code: 99999999999, kind: x }] }
            """)])
        #expect(code.exitCode == 65)
        #expect(code.stderr.contains("plan.yaml:5:53: error: an exit code is 0 to 255, found 99999999999"), "\(code.stderr)")
    }

    @Test func verboseOutputEscapesTerminalControls() async throws {
        let path = try plan("""
            planrun: 1
            operations:
              main:
                execute:
                  - id: a
                    run: |
                      printf 'x\\033]0;pwned\\007\\033[2Jy\\rz\\n'
            """)
        let run = try await BinaryRunner.run(["run", path, "-v"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("\u{1B}") && !run.stderr.contains("\u{7}") && !run.stderr.contains("\r"), "\(run.stderr)")
        #expect(run.stderr.contains(#"[local] x\u{1b}]0;pwned\u{7}\u{1b}[2Jy\rz"#), "\(run.stderr)")
    }

    @Test func aLineBreakInAValueDoesNotSplitADiagnostic() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { n: { type: int } }
            operations: { main: { execute: [{ id: a, run: "true" }] } }
            """)
        let run = try await BinaryRunner.run(["run", path, "-i", "n=1\nplan.yaml:1:1: error: forged"])
        #expect(run.exitCode == 65)
        #expect(!run.stderr.contains("\nplan.yaml:1:1: error: forged"), "\(run.stderr)")
        #expect(run.stderr.contains(#"found '1\nplan.yaml:1:1: error: forged'"#), "\(run.stderr)")
    }

    @Test func jsonInputsMayHoldSurrogatePairs() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { v: { type: string } }
            operations: { main: { execute: [{ id: a, run: "printf %s ${{ inputs.v }}", capture: { v: { stdout: true } } }] } }
            output: { v: "${{ nodes.local.v }}" }
            """)
        let run = try await BinaryRunner.run(["run", path, "--inputs", "-", "--quiet"], stdin: #"{"v": "\ud83d\ude42 ok \\ud83d"}"#)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let json = try result(run.stdout)
        #expect(json["v"] as? String == "🙂 ok \\ud83d", "\(run.stdout)")
    }
}
