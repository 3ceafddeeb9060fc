import Foundation
@testable import PlanMCP
import PlanTestSupport

/// An `MCPServer` in this process, talking JSON-RPC lines over two pipes, for the protocol's own tests.
final class ServerHarness {
    private let toServer: Int32
    private let fromServer: Int32
    private let replies: LineReader
    private var iterator: AsyncStream<String?>.AsyncIterator
    private let serving: Task<Void, Never>
    /// Notifications seen while waiting for responses, in order.
    private(set) var notifications: [[String: Any]] = []

    init(directories: [String], inventoryFile: String? = nil, stateDirectory: String? = nil, watchInterval: Double = 2) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        precondition(pipe(&input) == 0 && pipe(&output) == 0)
        toServer = input[1]
        fromServer = output[0]
        let server = MCPServer(
            directories: directories, inventoryFile: inventoryFile, stateDirectory: stateDirectory,
            watchInterval: watchInterval, input: input[0],
            output: output[1])
        let (serverInput, serverOutput) = (input[0], output[1])
        serving = Task {
            await server.serve()
            close(serverInput)
            close(serverOutput)  // the reader below sees the end
        }
        replies = LineReader(descriptor: fromServer)
        iterator = replies.lines.makeAsyncIterator()
    }

    func send(_ line: String) {
        _ = line.appending("\n").withCString { write(toServer, $0, strlen($0)) }
    }

    func send(_ message: [String: Any]) throws {
        send(String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
    }

    /// The next message from the server; nil when it closed its output.
    func next() async throws -> [String: Any]? {
        guard let line = await iterator.next() else { return nil }
        return try JSONSerialization.jsonObject(with: Data((line ?? "").utf8)) as? [String: Any]
    }

    /// The response to request `id`; notifications on the way are kept in `notifications`.
    func response(to id: Int) async throws -> [String: Any]? {
        while let message = try await next() {
            if message["method"] != nil {
                notifications.append(message)
                continue
            }
            if message["id"] as? Int == id { return message }
        }
        return nil
    }

    /// Sends a request and waits for its response.
    func request(_ id: Int, _ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any]? {
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        return try await response(to: id)
    }

    /// Closes the server's stdin, as a client does to end the session, and waits until it has stopped.
    /// Returns every message it wrote after that.
    func end() async throws -> [[String: Any]] {
        Glibc.close(toServer)
        await serving.value
        var rest: [[String: Any]] = []
        while let message = try await next() { rest.append(message) }
        Glibc.close(fromServer)
        return rest
    }
}
