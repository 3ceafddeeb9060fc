import Foundation
import PlanTestSupport
import Testing

/// Issue 15: nothing planrun started outlives it, however it ends, and no secret is on a command line.
@Suite(.serialized)
struct LeftBehindTests {
    private func plan(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "planrun-left-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func killMinusNineOfPlanrunLeavesNoLocalCommandRunning() async throws {
        let leader = ProcessProbe.marker(151)
        let child = ProcessProbe.marker(152)
        let path = try plan("""
            planrun: 1
            inventory: { nodes: { a: { transport: local }, b: { transport: local } } }
            operations:
              main:
                execute:
                  - { id: one, target: a, needs: [], run: "sh -c 'trap \\"\\" TERM; sleep \(child)' & sleep \(leader)", timeout: 60s }
                  - { id: two, target: b, needs: [], run: "sleep \(leader)", timeout: 60s }
            """)
        let run = try BinaryRunner.start(["run", path, "--quiet"])
        let started = await ProcessProbe.wait(upTo: 20) {
            ProcessProbe.pids(withArgument: leader).count == 2 && ProcessProbe.pids(withArgument: child).count == 1
        }
        #expect(started)
        run.signal(SIGKILL)
        _ = await run.wait(timeout: 10)
        // The watcher sends SIGTERM, then SIGKILL a second later (the child ignores SIGTERM).
        #expect(await ProcessProbe.wait(upTo: 10) {
            ProcessProbe.pids(withArgument: leader).isEmpty && ProcessProbe.pids(withArgument: child).isEmpty
        })
    }

    @Test func aSecretNeverShowsOnACommandLine() async throws {
        let marker = ProcessProbe.marker(153)
        let secret = "s3cr3t 'q' \"d\" \(UUID().uuidString)"
        let out = NSTemporaryDirectory() + "planrun-secret-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let path = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true } }
            operations:
              main:
                execute:
                  - id: wait
                    run: |
                      printf '%s' ${{ inputs.token }} > \(out); printf '%s' "${{ inputs.token }}" >> \(out); printf '%s' '${{ inputs.token }}' >> \(out)
                      sleep \(marker) || true
                  - { id: check, run: 'test "$(cat \(out))" = ${{ inputs.token }}${{ inputs.token }}${{ inputs.token }}' }
            """)
        // On stdin: an -i argument would put it on planrun's own command line.
        let stdin = String(data: try JSONSerialization.data(withJSONObject: ["token": secret]), encoding: .utf8)!
        let run = try BinaryRunner.start(["run", path, "--inputs", "-", "--quiet"], stdin: stdin)
        let started = await ProcessProbe.wait(upTo: 20) { ProcessProbe.pids(withArgument: marker).count == 1 }
        #expect(started)
        // Every process's command line while the step runs: the secret is in none of them.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var seen = 0
        for name in names where Int32(name) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
            seen += 1
            let line = String(decoding: data, as: UTF8.self)
            #expect(!line.contains("s3cr3t"), "pid \(name): \(line)")
        }
        #expect(seen > 2)
        for pid in ProcessProbe.pids(withArgument: marker) { kill(pid, SIGTERM) }
        let result = await run.wait(timeout: 30)
        // The command got the exact value in each quoting context: the check step compares the three.
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(!result.stdout.contains("s3cr3t"))
    }

    @Test func aSecretInArgvIsAPlanErrorAndAComputedValueHoldsItMasked() async throws {
        let direct = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true } }
            operations: { main: { execute: [{ id: a, argv: [echo, "${{ inputs.token }}"] }] } }
            """)
        let refused = try await BinaryRunner.run(["run", direct, "-i", "token=abcdef", "--quiet"])
        #expect(refused.exitCode == 65)
        #expect(refused.stderr.contains("[plan.secret-in-argv]"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("abcdef") && !refused.stderr.contains("abcdef"))
        // A value the plan computes from a secret holds it masked: an argv built from it gets `***`, never the
        // secret (the program is told the length of its argument: 5 for `x-***`, 8 for `x-abcdef`).
        let indirect = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true } }
            operations:
              main:
                execute:
                  - { id: v, set: { t: "x-${{ inputs.token }}" } }
                  - { id: a, argv: [sh, -c, 'printf %s "$0" | wc -c', "${{ vars.t }}"], capture: { n: { stdout: true } } }
            output: { n: "${{ nodes.local.n }}" }
            """)
        let run = try await BinaryRunner.run(["run", indirect, "-i", "token=abcdef", "--quiet"])
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(run.stdout.contains("\"n\": \"5\""), "\(run.stdout)")
    }

    /// A secret shorter than `Redactor.shortest` is masked where it stands alone, not inside every word.
    @Test func aShortSecretIsMaskedOnlyWhereItStandsAlone() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true } }
            operations: { main: { execute: [{ id: greet, run: "echo ${{ inputs.token }} and a banana", capture: { said: { stdout: true } } }] } }
            output: { said: "${{ nodes.local.said }}" }
            """)
        let run = try await BinaryRunner.run(["run", path, "-i", "token=a"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"said\": \"*** and *** banana\""), "\(run.stdout)")
        #expect(run.stderr.contains("note: secret input token is shorter than 4 characters"), "\(run.stderr)")
    }

    /// `-i` puts a secret on planrun's own command line: the run says so, and `--inputs` is the way without.
    @Test func aSecretGivenWithDashIIsNoted() async throws {
        let path = try plan("""
            planrun: 1
            inputs: { token: { type: string, secret: true }, name: { type: string, default: x } }
            operations: { main: { execute: [{ id: a, run: "true ${{ inputs.token }}" }] } }
            """)
        let flagged = try await BinaryRunner.run(["run", path, "-i", "token=abcdef", "-i", "name=y", "--no-record"])
        #expect(flagged.exitCode == 0)
        #expect(flagged.stderr.contains("note: secret input token given with -i: planrun's command line is readable in ps"), "\(flagged.stderr)")
        let file = path + ".inputs.json"
        try #"{"token": "abcdef"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let quiet = try await BinaryRunner.run(["run", path, "--inputs", file, "-i", "name=y", "--no-record"])
        #expect(quiet.exitCode == 0)
        #expect(!quiet.stderr.contains("given with -i"), "\(quiet.stderr)")
    }
}
