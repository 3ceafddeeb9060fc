import Foundation

/// Runs the built `planrun` binary as a user would, for end-to-end tests of the CLI.
///
/// The binary is found beside the test bundle (`.build/<triple>/debug/planrun`), or at `$PLANRUN_BINARY`.
/// Output goes to temporary files, so a chatty command cannot block on a full pipe.
public enum BinaryRunner {
    public struct Output: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        /// Whether the run was killed for taking longer than its timeout.
        public var timedOut: Bool
    }

    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "no planrun binary at \(path); run swift build first" }
    }

    /// The path of the built binary.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["PLANRUN_BINARY"] { return path }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        // On macOS the test bundle's binary sits inside `X.xctest/Contents/MacOS`.
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("planrun").path
    }

    /// Runs `planrun arguments…` in `directory` with `environment` added to this process's environment.
    ///
    /// Throws `Missing` when the binary is not built. A run past `timeout` seconds is killed (SIGKILL) and
    /// reported with `timedOut`.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        removing removed: [String] = [], stdin: String? = nil, timeout: Double = 30
    ) throws -> Output {
        let binary = binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw Missing(path: binary) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("planrun-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        for key in removed { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return Output(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }
}
