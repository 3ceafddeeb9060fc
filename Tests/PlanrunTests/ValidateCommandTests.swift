import Foundation
import PlanTestSupport
import Testing

/// `planrun validate` as CI runs it: the built binary, its streams and its exit codes.
@Suite(.serialized) struct ValidateCommandTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-validate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/plans", withIntermediateDirectories: true)
        try Self.good.write(toFile: directory + "/plans/good.yaml", atomically: true, encoding: .utf8)
        try Self.bad.write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
    }

    static let good = """
        planrun: 1
        name: good
        operations:
          op:
            execute:
              - { id: a, run: systemctl restart x }
        """

    static let bad = """
        planrun: 1
        operations:
          op:
            execute:
              - id: a
                run: echo
                timout: 10s
              - id: b
                needs: [zzz]
                run: echo
        """

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> BinaryRunner.Output {
        try await BinaryRunner.run(arguments, in: directory, environment: environment, removing: ["PLANRUN_PATH"])
    }

    @Test func cleanPlansExitZeroWithWarningsAllowed() async throws {
        let out = try await run(["validate"])
        #expect(out.exitCode == 0)
        #expect(out.stdout == "")
        #expect(out.stderr == """
            plans/good.yaml:6:23: warning: step 'a' runs 'restart' without 'destructive: true', so policy.destructive_when does not guard it [plan.unguarded-destructive]
            1 plan checked: 0 errors, 1 warning

            """)
    }

    @Test func errorsExit65WithEveryProblem() async throws {
        let out = try await run(["validate", "bad.yaml", "plans"])
        #expect(out.exitCode == 65)
        #expect(out.stdout == "")
        #expect(out.stderr.hasPrefix("""
            bad.yaml:7:9: error: unknown key 'timout'; did you mean 'timeout'? [plan.unknown-key]
            bad.yaml:9:17: error: step 'b' needs unknown step 'zzz' [plan.unknown-needs]

            """))
        #expect(out.stderr.hasSuffix("2 plans checked: 2 errors, 1 warning\n"))
    }

    @Test func githubFormat() async throws {
        let out = try await run(["validate", "bad.yaml", "--format", "github"])
        #expect(out.exitCode == 65)
        #expect(out.stdout == """
            ::error file=bad.yaml,line=7,col=9,endLine=7,endColumn=15,title=plan.unknown-key::unknown key 'timout'; did you mean 'timeout'? [plan.unknown-key]
            ::error file=bad.yaml,line=9,col=17,endLine=9,endColumn=20,title=plan.unknown-needs::step 'b' needs unknown step 'zzz' [plan.unknown-needs]

            """)
    }

    @Test func jsonFormat() async throws {
        let out = try await run(["validate", "bad.yaml", "--format", "json"])
        #expect(out.exitCode == 65)
        let parsed = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]
        let items = try #require(parsed)
        #expect(items.map { $0["id"] as? String } == ["plan.unknown-key", "plan.unknown-needs"])
        #expect(items[0]["line"] as? Int == 7)
        #expect(items[0]["column"] as? Int == 9)
        #expect(items[0]["file"] as? String == "bad.yaml")
        #expect(items[0]["severity"] as? String == "error")
        #expect(items[0]["fix_it"] as? String == "timeout")
        #expect(out.stderr == "")
    }

    @Test func snippetAndColourWhenForced() async throws {
        let out = try await run(["validate", "bad.yaml", "--color", "always"])
        #expect(out.stderr.contains("7 |         timout: 10s\n  |         \u{1B}[1;32m^~~~~~\u{1B}[0m\n"))
        let plain = try await run(["validate", "bad.yaml"], environment: ["NO_COLOR": "1"])
        #expect(!plain.stderr.contains("\u{1B}["))
    }

    @Test func usageErrorsExit64() async throws {
        let flag = try await run(["validate", "--bogus"])
        #expect(flag.exitCode == 64)
        #expect(flag.stderr.contains("Unknown option '--bogus'"))
        let format = try await run(["validate", "--format", "xml"])
        #expect(format.exitCode == 64)
        let missing = try await run(["validate", "nope.yaml"])
        #expect(missing.exitCode == 64)
        #expect(missing.stderr == "error: no such file or directory 'nope.yaml'\n")
    }

    @Test func yamlErrorsAndEmptyFiles() async throws {
        try "".write(toFile: directory + "/empty.yaml", atomically: true, encoding: .utf8)
        let out = try await run(["validate", "empty.yaml"])
        #expect(out.exitCode == 65)
        #expect(out.stderr.hasPrefix("empty.yaml:1:1: error: the file is empty; a plan starts with 'planrun: 1' [plan.empty]\n"))
    }
}
