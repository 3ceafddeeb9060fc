import Foundation

/// Checks JSON documents against a JSON Schema with a real validator (`check-jsonschema`, from PyPI).
///
/// A missing validator is a failure, never a skip: CI installs it, and a test that silently passes without
/// it would prove nothing.
public enum SchemaCheck {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The package root, found from this file's place in the tree.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Validates `json` against `schema` (a path relative to the package root). Returns the validator's
    /// complaint, or nil when the document conforms.
    public static func problems(_ json: String, schema: String) async throws -> String? {
        let file = NSTemporaryDirectory() + "planrun-schema-\(UUID().uuidString).json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await validate([file], schema: schema)
        return result.status == 0 ? nil : result.output
    }

    /// Runs the validator on `files` (YAML or JSON) against `schema` (relative to the package root): its exit
    /// status (0 all conform, 1 some do not) and what it printed.
    public static func validate(_ files: [String], schema: String) async throws -> (status: Int32, output: String) {
        try await run(["--schemafile", packageRoot + "/" + schema] + files)
    }

    /// Runs `check-jsonschema` with `arguments`.
    public static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        guard let validator = locate("check-jsonschema") else {
            throw Failure(description: "check-jsonschema is not installed (pip install check-jsonschema)")
        }
        let result = try await ChildProcess(validator, arguments).wait(timeout: 120)
        return (result.status, result.stdout + result.stderr)
    }

    /// Runs another validator from PyPI (`kubernetes-validate`, …) found on PATH; missing is a failure.
    public static func runTool(_ name: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        guard let tool = locate(name) else {
            throw Failure(description: "\(name) is not installed (pip install \(name))")
        }
        let result = try await ChildProcess(tool, arguments).wait(timeout: 120)
        return (result.status, result.stdout + result.stderr)
    }

    /// The first executable called `name` on PATH (pyenv shims included).
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
