import Foundation
import PlanEngine
@testable import PlanMCP
import PlanTestSupport
import Testing

/// The JSON-RPC side of `planrun mcp`, in-process over pipes: framing errors, the handshake, method and
/// argument errors, and what ending the session does to running calls.
@Suite(.serialized, .timeLimit(.minutes(2)))
final class ProtocolTests {
    static let plan = """
        planrun: 1
        name: fixture
        inputs:
          marker: { type: string, default: "300" }
          count: { type: int, default: 1, min: 1, max: 3 }
          token: { type: string, default: first-token, enum: [first-token, second-token], secret: true }
        operations:
          quick:
            execute:
              - { id: hello, run: echo hello }
          slow:
            execute:
              - { id: wait, run: "sleep ${{ inputs.marker }}", timeout: 600s }
        """

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "planrun-mcp-protocol-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.plan.write(toFile: directory + "/fixture.yaml", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func error(_ message: [String: Any]?) -> (code: Int?, message: String) {
        let body = message?["error"] as? [String: Any]
        return (body?["code"] as? Int, body?["message"] as? String ?? "")
    }

    @Test(arguments: [
        ("not json", -32700, "not JSON"),
        ("[1, 2]", -32600, "batches are not supported"),
        (#"{"id": 1, "method": "ping"}"#, -32600, "jsonrpc must be \"2.0\""),
        (#"{"jsonrpc": "2.0", "id": null, "method": "ping"}"#, -32600, "the id must be a string or an integer"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": 5}"#, -32600, "the method must be a string"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]}"#, -32602, "params must be an object"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": "resources/list"}"#, -32601, "unknown method 'resources/list'"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}}"#, -32602, "tools/call needs the tool's name"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fixture.quik"}}"#, -32602,
         "unknown tool 'fixture.quik'; did you mean 'fixture.quick'?"),
        (#"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fixture.quick", "arguments": [1]}}"#,
         -32602, "the arguments of tools/call must be an object"),
    ])
    func aBadMessageGetsAJSONRPCError(line: String, code: Int, message: String) async throws {
        let server = ServerHarness(directories: [directory])
        server.send(line)
        let reply = try await server.next()
        #expect(error(reply).code == code)
        #expect(error(reply).message.contains(message), "\(error(reply).message)")
        _ = try await server.end()
    }

    @Test func notificationsAndResponsesAreNeverAnswered() async throws {
        let server = ServerHarness(directories: [directory])
        server.send(#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#)
        server.send(#"{"jsonrpc": "2.0", "id": 9, "result": {}}"#)
        server.send(#"{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 42}}"#)
        let pong = try await server.request(1, "ping")
        #expect(pong?["result"] as? [String: Any] != nil)
        #expect(server.notifications.isEmpty)
        #expect(try await server.end().isEmpty)
    }

    @Test(arguments: [("2025-06-18", "2025-06-18"), ("2024-11-05", "2024-11-05"), ("2099-01-01", "2025-11-25")])
    func initializeAgreesOnAProtocolVersion(asked: String, agreed: String) async throws {
        let server = ServerHarness(directories: [directory])
        let reply = try await server.request(
            1, "initialize", ["protocolVersion": asked, "capabilities": [:], "clientInfo": ["name": "t", "version": "1"]])
        let result = try #require(reply?["result"] as? [String: Any])
        #expect(result["protocolVersion"] as? String == agreed)
        #expect(((result["capabilities"] as? [String: Any])?["tools"] as? [String: Any])?["listChanged"] as? Bool == true)
        #expect((result["serverInfo"] as? [String: Any])?["name"] as? String == "planrun")
        #expect((result["serverInfo"] as? [String: Any])?["version"] as? String == PlanrunVersion.current)
        _ = try await server.end()
    }

    @Test(arguments: [
        (#"{"dry_run": "yes"}"#, "argument 'dry_run' expects true or false, found string"),
        (#"{"operation": "slow"}"#, "fixture.quick always runs the operation 'quick'"),
        (#"{"count": 7}"#, "error: input 'count' is 7, above the maximum of 3 [input.range]"),
        (#"{"cuont": 2}"#, "error: unknown input 'cuont'; did you mean 'count'? [input.unknown]"),
        (#"{"count": "two"}"#, "error: input 'count' expects an integer, found 'two' [input.type]"),
        (#"{"token": "hunter2"}"#, "error: input 'token' is not one of its allowed values (secret, not shown) [input.enum]"),
    ])
    func badArgumentsAreAToolErrorAndRunNothing(arguments: String, message: String) async throws {
        let server = ServerHarness(directories: [directory])
        server.send(#"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fixture.quick", "arguments": \#(arguments), "_meta": {"progressToken": 1}}}"#)
        let result = try #require(try await server.response(to: 1)?["result"] as? [String: Any])
        #expect(result["isError"] as? Bool == true)
        let text = ((result["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(text.contains(message), "\(text)")
        #expect(result["structuredContent"] == nil)
        #expect(server.notifications.isEmpty)  // nothing ran, so no step finished
        _ = try await server.end()
    }

    @Test func aRunningCallsIdCannotBeReusedAndClosingStdinStopsTheCall() async throws {
        let marker = ProcessProbe.marker(61)
        let server = ServerHarness(directories: [directory])
        let call = #"{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "fixture.slow", "arguments": {"marker": "\#(marker)"}}}"#
        server.send(call)
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        server.send(call)
        let reply = try await server.next()
        #expect(error(reply).code == -32600)
        #expect(error(reply).message.contains("request id 7 is already in use"))
        // The client goes away: the run is stopped as Ctrl-C stops it, and the cancelled call gets no answer.
        let rest = try await server.end()
        #expect(rest.isEmpty, "\(rest)")
        #expect(ProcessProbe.pids(withArgument: marker).isEmpty)
    }

    @Test func aCancelledCallGetsNoResponseAndTheNextCallRuns() async throws {
        let marker = ProcessProbe.marker(62)
        let server = ServerHarness(directories: [directory])
        server.send(#"{"jsonrpc": "2.0", "id": "a", "method": "tools/call", "params": {"name": "fixture.slow", "arguments": {"marker": "\#(marker)"}}}"#)
        #expect(await ProcessProbe.wait(upTo: 30) { !ProcessProbe.pids(withArgument: marker).isEmpty })
        server.send(#"{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "a", "reason": "test"}}"#)
        #expect(await ProcessProbe.wait(upTo: 10) { ProcessProbe.pids(withArgument: marker).isEmpty })
        let quick = try #require(try await server.request(2, "tools/call", ["name": "fixture.quick"])?["result"] as? [String: Any])
        #expect(quick["isError"] as? Bool == false)
        #expect((quick["structuredContent"] as? [String: Any])?["validation_status"] as? String == "success")
        let rest = try await server.end()
        #expect(rest.isEmpty, "\(rest)")
    }

    @Test func aChangedPlanIsNotifiedOnceUntilTheClientListsAgain() async throws {
        let server = ServerHarness(directories: [directory], watchInterval: 0.1)
        let first = try #require(try await server.request(1, "tools/list")?["result"] as? [String: Any])
        #expect((first["tools"] as? [[String: Any]])?.count == 2)
        try (Self.plan + "\n  third:\n    execute:\n      - { id: t, run: \"true\" }\n")
            .write(toFile: directory + "/fixture.yaml", atomically: true, encoding: .utf8)
        let notice = try await server.next()
        #expect(notice?["method"] as? String == "notifications/tools/list_changed")
        // Several looks later, still one notification: the next message is the answer to the next listing.
        try await Task.sleep(for: .milliseconds(500))
        let second = try #require(try await server.request(2, "tools/list")?["result"] as? [String: Any])
        #expect(server.notifications.isEmpty)
        #expect((second["tools"] as? [[String: Any]])?.count == 3)
        _ = try await server.end()
    }
}
