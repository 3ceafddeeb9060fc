import Foundation
import PlanTestSupport
import Testing

/// Issue 15: a secret input never shows, in any form a command or planrun writes it in, and planrun's own
/// document keeps its keys.
@Suite(.serialized)
struct SecretTests {
    private func plan(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Output that writes the secrets as they are, quoted for a shell, escaped in JSON and one line at a time.
    @Test(arguments: [["--quiet"], ["-v"], ["-v", "--format", "text"]])
    func aSecretIsMaskedInEveryForm(mode: [String]) async throws {
        let path = try plan("""
            planrun: 1
            inputs:
              token: { type: string, secret: true }
              multi: { type: string, secret: true }
              keys: { type: list, secret: true }
            operations:
              main:
                execute:
                  - id: show
                    run: |
                      printf '%s\\n' ${{ inputs.token }} ${{ inputs.multi }}
                      printf '%s' ${{ inputs.token }} | sed "s/'/'\\\\\\\\''/g"; echo
                      printf '{"t": "%s"}\\n' "$(printf '%s' ${{ inputs.token }} | sed 's/["\\\\]/\\\\&/g')"
                      printf '%s\\n' ${{ inputs.keys }}
                      printf '%s\\n' "${{ inputs.keys }}" | tr -d '[]"' | tr ',' '\\n'
                    capture: { all: { lines: true } }
            output:
              all: ${{ nodes.local.all }}
            """)
        let stdin = #"{"token": "it's \"a\\b\" now", "multi": "first-line-xyz\nsecond-line-xyz", "keys": ["alpha-key-1", "beta-key-2"]}"#
        let run = try await BinaryRunner.run(["run", path, "--inputs", "-"] + mode, stdin: stdin)
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        let leaks = ["it's", #"it'\''s"#, #"\"a\\b\""#, #""a\b""#, "first-line-xyz", "second-line-xyz", "alpha-key-1", "beta-key-2"]
        for leak in leaks {
            #expect(!run.stdout.contains(leak), "\(mode): '\(leak)' in stdout: \(run.stdout)")
            #expect(!run.stderr.contains(leak), "\(mode): '\(leak)' in stderr: \(run.stderr)")
        }
        if !mode.contains("text") { #expect(run.stdout.contains("***")) }
        // The command itself got the values: eight lines of output were captured (masked).
        if mode == ["--quiet"] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect((json["all"] as? [String])?.count == 8, "\(run.stdout)")
        }
    }

    @Test func aOneLetterSecretLeavesTheResultKeysAlone() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { k: { type: string, secret: true } }
            operations: { main: { execute: [{ id: a, run: "echo ${{ inputs.k }}" }] } }
            """)
        let run = try await BinaryRunner.run(["run", path, "-i", "k=s", "--quiet"])
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["validation_status"] != nil, "\(run.stdout)")
        #expect(json["steps"] != nil)
    }

    @Test func explainAndInputErrorsDoNotShowASecret() async throws {
        let path = try plan("""
            planrun: 1
            inputs:
              pin: { type: int, secret: true, default: 4711, enum: [4711, 8080] }
            operations: { main: { execute: [{ id: a, run: "true" }] } }
            """)
        let explain = try await BinaryRunner.run(["explain", path])
        #expect(explain.exitCode == 0, "\(explain.stderr)")
        #expect(!explain.stdout.contains("4711") && !explain.stdout.contains("8080"), "\(explain.stdout)")
        #expect(explain.stdout.contains("default ***"), "\(explain.stdout)")
        for value in ["hunter2x", "1234"] {
            let run = try await BinaryRunner.run(["run", path, "-i", "pin=\(value)"])
            #expect(run.exitCode == 65)
            #expect(run.stderr.contains("input 'pin'"), "\(run.stderr)")
            #expect(!run.stderr.contains(value), "\(run.stderr)")
        }
    }

    @Test func aNULInAnInputIsRejected() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { s: { type: string }, l: { type: list } }
            operations: { main: { execute: [{ id: a, run: "echo ${{ inputs.s }}" }] } }
            """)
        for stdin in [#"{"s": "a\u0000; rm -rf x"}"#, #"{"s": "a", "l": ["b\u0000"]}"#] {
            let run = try await BinaryRunner.run(["run", path, "--inputs", "-"], stdin: stdin)
            #expect(run.exitCode == 65, "\(stdin): \(run.stderr)")
            #expect(run.stderr.contains("contains a NUL character"), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test func anInputErrorNotesTheDeclarationInThePlanFile() async throws {
        let path = try plan("""
            planrun: 1
            inputs:
              n: { type: int, max: 5 }
            operations: { main: { execute: [{ id: a, run: "true" }] } }
            """)
        let inputs = (path as NSString).deletingLastPathComponent + "/in.json"
        try "{\n  \"n\": 9\n}\n".write(toFile: inputs, atomically: true, encoding: .utf8)
        let run = try await BinaryRunner.run(["run", path, "--inputs", inputs])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains("in.json:2:8: error: input 'n' is 9, above the maximum of 5"), "\(run.stderr)")
        #expect(run.stderr.contains("plan.yaml:3:3: note: declared here"), "\(run.stderr)")
    }
}
