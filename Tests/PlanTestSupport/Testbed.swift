import Foundation

/// The two-node SSH test bed of `scripts/testbed`, for end-to-end tests of `plans/node-coordinator.yaml`.
///
/// A suite makes one in its `init`, so each test has a bed of its own (Swift Testing makes a suite instance
/// per test); `reset()` puts both nodes back to their default state, and a test changes a node with `set`.
public final class Testbed: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    public var inventory: String { directory + "/inventory.yaml" }

    private static var script: String { SchemaCheck.packageRoot + "/scripts/testbed" }

    public static func up() async throws -> Testbed {
        var template = Array("/tmp/planrun-testbed-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw Failure(description: "cannot create a directory for the test bed")
        }
        let directory = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bed = Testbed(directory: directory)
        do {
            try await bed.script(["up", directory])
        } catch {
            bed.down()  // a half-started bed: stop whichever sshd did start, remove the directory
            throw error
        }
        return bed
    }

    private init(directory: String) {
        self.directory = directory
    }

    /// Stops both sshd by pid and removes the directory. Blocking, for a suite's `deinit`.
    public func down() {
        _ = try? ChildProcess("/bin/bash", [Self.script, "down", directory]).waitBlocking(timeout: 120)
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func reset() async throws { try await script(["reset", directory]) }

    /// `scripts/testbed set DIR NODE KEY [VALUE]`: a state value, a failure mode (`on`/`off`), or a git action.
    public func set(_ node: String, _ key: String, _ value: String? = nil) async throws {
        try await script(["set", directory, node, key] + (value.map { [$0] } ?? []))
    }

    public func stopNode(_ node: String) async throws { try await script(["stop-node", directory, node]) }
    public func startNode(_ node: String) async throws { try await script(["start-node", directory, node]) }

    /// A state file of a node (`restarts`, `service`, …), trimmed; nil when it does not exist.
    public func state(_ node: String, _ file: String) -> String? {
        (try? String(contentsOfFile: "\(directory)/nodes/\(node)/state/\(file)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A copy of the inventory where, in `node`'s entry only, `target` is replaced: a wrong key, a bad host.
    public func inventory(node: String, replacing target: String, with replacement: String) throws -> String {
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
        guard let start = text.range(of: "\n  \(node):\n") else { throw Failure(description: "no node \(node)") }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n  [a-z]", options: .regularExpression)?.lowerBound
            ?? rest.range(of: "\ngroups:")?.lowerBound ?? rest.endIndex
        let section = String(rest[..<end]).replacingOccurrences(of: target, with: replacement)
        let edited = String(text[..<start.upperBound]) + section + String(rest[end...])
        let path = directory + "/inventory-\(UUID().uuidString).yaml"
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    private func script(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess("/bin/bash", [Self.script] + arguments).wait(timeout: 120)
        guard result.status == 0 else {
            throw Failure(description: "scripts/testbed \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }
}
