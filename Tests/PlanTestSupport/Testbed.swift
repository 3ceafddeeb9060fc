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
        let (text, entry) = try self.entry(of: node)
        let section = String(text[entry]).replacingOccurrences(of: target, with: replacement)
        let edited = String(text[..<entry.lowerBound]) + section + String(text[entry.upperBound...])
        let path = directory + "/inventory-\(UUID().uuidString).yaml"
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An inventory of aliases: each name (`web1`) is a node of its own that reaches the bed's node it maps to
    /// (`genesis`), with that node's settings and vars; `groups` as written. For plans that address a fleet.
    public func inventory(aliases: [(name: String, node: String)], groups: [String: [String]]) throws -> String {
        var out = "nodes:\n"
        for (name, node) in aliases {
            let (text, entry) = try self.entry(of: node)
            out += "  \(name):\n" + text[entry] + "\n"
        }
        out += "groups:\n"
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            out += "  \(group): [\(members.joined(separator: ", "))]\n"
        }
        let path = directory + "/aliases-\(UUID().uuidString).yaml"
        try out.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The inventory's text and the lines of `node`'s entry (its settings, without the `  NAME:` line).
    private func entry(of node: String) throws -> (String, Range<String.Index>) {
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
        guard let start = text.range(of: "\n  \(node):\n") else { throw Failure(description: "no node \(node)") }
        let rest = text[start.upperBound...]
        // The entry ends where the next node or the groups begin, whichever comes first.
        let ends = [rest.range(of: "\n  [a-z]", options: .regularExpression), rest.range(of: "\ngroups:")]
        let end = ends.compactMap { $0?.lowerBound }.min() ?? rest.endIndex
        return (text, start.upperBound..<end)
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
