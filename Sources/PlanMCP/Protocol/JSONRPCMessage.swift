import PlanEngine

/// One JSON-RPC 2.0 message from the client. MCP over stdio frames messages as lines of JSON, one object
/// a line; a batch (a JSON array) is not part of MCP since 2025-06-18 and is refused.
enum JSONRPCMessage {
    /// A request: it gets exactly one response with the same `id` (an integer or a string).
    case request(id: Value, method: String, params: Value.Object)
    /// A notification: no `id`, never answered.
    case notification(method: String, params: Value.Object)
    /// A response to a request of ours; planrun sends none, so it is ignored.
    case response

    /// The message of one line, or the error to answer it with (its id, when the line had a usable one).
    static func parse(_ line: String) -> Result<JSONRPCMessage, JSONRPCError> {
        let value: Value
        do {
            value = try Value.parseJSON(line)
        } catch {
            return .failure(JSONRPCError(.parseError, "not JSON: \(error.message)"))
        }
        guard case .object(let object) = value else {
            return .failure(JSONRPCError(.invalidRequest, "a message must be a JSON object (batches are not supported)"))
        }
        let id = object["id"]
        if let id, !id.isRequestID {
            return .failure(JSONRPCError(.invalidRequest, "the id must be a string or an integer"))
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return .failure(JSONRPCError(.invalidRequest, "jsonrpc must be \"2.0\"", id: id))
        }
        guard let methodValue = object["method"] else {
            if id != nil, object["result"] != nil || object["error"] != nil { return .success(.response) }
            return .failure(JSONRPCError(.invalidRequest, "a request needs a method", id: id))
        }
        guard case .string(let method) = methodValue else {
            return .failure(JSONRPCError(.invalidRequest, "the method must be a string", id: id))
        }
        let params: Value.Object
        switch object["params"] {
        case nil, .null?: params = Value.Object()
        case .object(let given)?: params = given
        default: return .failure(JSONRPCError(.invalidParams, "params must be an object", id: id))
        }
        if let id { return .success(.request(id: id, method: method, params: params)) }
        return .success(.notification(method: method, params: params))
    }
}

/// A JSON-RPC error response: the standard codes, a message in planrun's diagnostic style, and the id of
/// the request it answers (null when the request could not be read).
struct JSONRPCError: Error {
    enum Code: Int {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
    }

    var code: Code
    var message: String
    var id: Value?

    init(_ code: Code, _ message: String, id: Value? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }
}

extension Value {
    /// Whether the value can be a JSON-RPC request id: a string or an integer (MCP forbids null).
    var isRequestID: Bool {
        switch self {
        case .string, .int: return true
        default: return false
        }
    }
}
