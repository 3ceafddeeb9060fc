import Foundation
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
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("planrun")
    }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
