import PlanEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `planrun mcp`: a Model Context Protocol server on stdio that offers each operation of each valid plan as
/// a tool, and runs a called tool as `planrun run` would.
///
/// It speaks the subset of MCP a tool server needs (JSON-RPC 2.0 lines on stdin and stdout): `initialize`,
/// `ping`, `tools/list`, `tools/call`, `notifications/cancelled`, `notifications/progress` and
/// `notifications/tools/list_changed`. stdout carries
/// only the protocol; what the operator should know (plans not offered and why) goes to stderr.
public final class MCPServer {
    /// Newest first; a client asking for another version gets the newest.
    public static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    private let catalog: ToolCatalog
    private let reader: LineReader
    private let writer: MessageWriter
    private let calls = RunningCalls()
    private let watcher: ToolWatcher
    private let stateDirectory: String?

    /// - Parameters:
    ///   - directories: where the plans are, searched recursively; the first plan of a name wins.
    ///   - inventoryFile: nodes and groups that replace or extend every plan's, as `run --inventory`.
    ///   - stateDirectory: the run store's directory, where each call's run is recorded; nil records nothing.
    ///   - watchInterval: seconds between two looks at the plan files for `notifications/tools/list_changed`.
    public init(
        directories: [String], inventoryFile: String?, stateDirectory: String?, watchInterval: Double = 2,
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO
    ) {
        self.stateDirectory = stateDirectory
        catalog = ToolCatalog(directories: directories, inventoryFile: inventoryFile, log: Self.log)
        reader = LineReader(descriptor: input)
        writer = MessageWriter(descriptor: output)
        watcher = ToolWatcher(catalog: catalog, writer: writer, interval: watchInterval)
    }

    /// Serves until the client closes stdin or `stop` is called, then stops every running call (their
    /// commands' process groups, as Ctrl-C does) and returns once they have all ended.
    public func serve() async {
        let tools = catalog.tools()
        Self.log("serving \(tools.count) tool\(tools.count == 1 ? "" : "s") from "
            + catalog.directories.joined(separator: ", "))
        for await line in reader.lines {
            guard let line else {
                writer.fail(JSONRPCError(.parseError, "message longer than \(LineReader.maxLineBytes) bytes; dropped"))
                continue
            }
            switch JSONRPCMessage.parse(line) {
            case .failure(let error): writer.fail(error)
            case .success(.response): break
            case .success(.notification(let method, let params)): notification(method, params)
            case .success(.request(let id, let method, let params)): request(id, method, params)
            }
        }
        watcher.stop()
        await calls.stopAll()
    }

    /// Ends `serve` as if the client had gone (for SIGINT and SIGTERM); safe to call from any thread.
    public var stop: @Sendable () -> Void {
        { [reader] in reader.finish() }
    }

    private func request(_ id: Value, _ method: String, _ params: Value.Object) {
        switch method {
        case "initialize":
            writer.respond(to: id, with: initializeResult(params))
        case "ping":
            writer.respond(to: id, with: .object(Value.Object()))
        case "tools/list":
            let tools = catalog.tools()
            watcher.listed(tools)
            writer.respond(to: id, with: .object(Value.Object([("tools", .array(tools.map(\.definition)))])))
        case "tools/call":
            call(id, params)
        default:
            writer.fail(JSONRPCError(
                .methodNotFound, "unknown method '\(method)'; planrun serves initialize, ping, tools/list and tools/call",
                id: id))
        }
    }

    private func notification(_ method: String, _ params: Value.Object) {
        guard method == "notifications/cancelled", let id = params["requestId"], id.isRequestID else { return }
        if let tool = calls.cancel(id: id) {
            Self.log("request \(id.jsonText()) (\(tool)) cancelled by the client; stopping its commands")
        }
    }

    private func initializeResult(_ params: Value.Object) -> Value {
        var version = Self.protocolVersions[0]
        if case .string(let asked)? = params["protocolVersion"], Self.protocolVersions.contains(asked) { version = asked }
        return .object(Value.Object([
            ("protocolVersion", .string(version)),
            ("capabilities", .object(Value.Object([("tools", .object(Value.Object([("listChanged", .bool(true))])))]))),
            ("serverInfo", .object(Value.Object([("name", .string("planrun")), ("version", .string(PlanrunVersion.current))]))),
            ("instructions", .string(
                "Each tool runs one operation of a planrun plan (a YAML procedure of checked steps on local and SSH "
                    + "nodes) and returns one result JSON. Inputs are typed and checked; a call with bad inputs "
                    + "runs nothing. Pass dry_run: true to see the commands a run would start before running a "
                    + "destructive tool; destructive steps run only when the plan's guard holds.")),
        ]))
    }

    private func call(_ id: Value, _ params: Value.Object) {
        guard case .string(let name)? = params["name"] else {
            writer.fail(JSONRPCError(.invalidParams, "tools/call needs the tool's name", id: id))
            return
        }
        let tools = catalog.tools()
        guard let tool = tools.first(where: { $0.name == name }) else {
            let guess = Suggest.closest(to: name, among: tools.map(\.name))
            writer.fail(JSONRPCError(
                .invalidParams, "unknown tool '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""), id: id))
            return
        }
        let arguments: Value.Object
        switch params["arguments"] {
        case nil, .null?: arguments = Value.Object()
        case .object(let given)?: arguments = given
        default:
            writer.fail(JSONRPCError(.invalidParams, "the arguments of tools/call must be an object", id: id))
            return
        }
        var token: Value?
        if case .object(let meta)? = params["_meta"], let given = meta["progressToken"], given.isRequestID { token = given }
        let toolCall = ToolCall(
            tool: tool, arguments: arguments, inventoryFile: catalog.inventoryFile, stateDirectory: stateDirectory,
            progressToken: token, writer: writer)
        let started = calls.start(id: id, tool: tool.name, { await toolCall.run() }) { [writer] result in
            writer.respond(to: id, with: result)
        }
        if !started {
            writer.fail(JSONRPCError(.invalidRequest, "request id \(id.jsonText()) is already in use by a running call", id: id))
        }
    }

    static func log(_ message: String) {
        StandardStream.write("planrun mcp: " + message + "\n", to: STDERR_FILENO)
    }
}
