import Foundation
import PlanTestSupport
import Testing

/// `planrun run` through the built binary: what an operator sees on stdout, stderr and in the exit code.
@Suite(.serialized)
struct RunCommandTests {
    @Test func localHealthRunsOnAFreshMachine() throws {
        let result = try PlanrunProcess.run(["run", "plans/local-health.yaml", "--quiet"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["validation_status"] as? String == "success")
        #expect(json["operation"] as? String == "check")
        #expect(result.stderr.isEmpty)
    }

    @Test func anUnknownInputIsAUsageErrorWithASuggestion() throws {
        let result = try PlanrunProcess.run(["run", "plans/local-health.yaml", "-i", "max_disk_usd=5"])
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("did you mean 'max_disk_used'?"))
    }
}

/// Runs the `planrun` binary built beside the test bundle, from the package root.
enum PlanrunProcess {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("planrun").path
    }

    static func start(_ arguments: [String], stdin: String = "", environment: [String: String]? = nil) throws -> ChildProcess {
        try ChildProcess(binary, arguments, workingDirectory: packageRoot, stdin: stdin, environment: environment)
    }

    static func run(_ arguments: [String], stdin: String = "", environment: [String: String]? = nil) throws -> ChildProcess.Result {
        try start(arguments, stdin: stdin, environment: environment).wait()
    }
}
