import Foundation

/// Runs the built `planrun` binary as a user would, for end-to-end tests of the CLI.
///
/// The binary is found beside the test bundle (`.build/<triple>/debug/planrun`), or at `$PLANRUN_BINARY`.
/// It is spawned by `ChildProcess` (posix_spawn, output in files), never Foundation's `Process`.
public enum BinaryRunner {
    public struct Output: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        /// Whether the run was killed for taking longer than its timeout.
        public var timedOut: Bool
        /// planrun's peak resident memory in KB.
        public var peakMemoryKB: Int = 0
    }

    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "no planrun binary at \(path); run swift build first" }
    }

    /// The run store the binary records into unless a test names its own (`PLANRUN_STATE`).
    public static let testStore = NSTemporaryDirectory() + "planrun-test-state-\(getpid())"

    /// The path of the built binary.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["PLANRUN_BINARY"] { return path }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        // On macOS the test bundle's binary sits inside `X.xctest/Contents/MacOS`.
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("planrun").path
    }

    /// Starts `planrun arguments…` in `directory` (default: the current one) with `environment` added to this
    /// process's environment and the `removed` variables taken out; for tests that signal it mid-run.
    public static func start(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        removing removed: [String] = [], stdin: String? = nil
    ) throws -> ChildProcess {
        let binary = binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw Missing(path: binary) }
        var env = ProcessInfo.processInfo.environment
        // Every run is recorded: tests record into a store of this test process, never the user's.
        if env["PLANRUN_STATE"] == nil { env["PLANRUN_STATE"] = testStore }
        for key in removed { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        return try ChildProcess(binary, arguments, workingDirectory: directory, stdin: stdin ?? "", environment: env)
    }

    /// Runs `planrun arguments…` to its end. Throws `Missing` when the binary is not built. A run past
    /// `timeout` seconds is killed (SIGKILL) and reported with `timedOut`.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        removing removed: [String] = [], stdin: String? = nil, timeout: Double = 30
    ) async throws -> Output {
        let child = try start(arguments, in: directory, environment: environment, removing: removed, stdin: stdin)
        let result = await child.wait(timeout: timeout)
        return Output(
            exitCode: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut,
            peakMemoryKB: result.peakMemoryKB)
    }
}
