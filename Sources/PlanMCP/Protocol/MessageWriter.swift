import PlanEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes JSON-RPC messages to the client, one line each. Responses and progress notifications come from
/// several runs at once; the lock keeps each line whole. Nothing else may write to this descriptor: on
/// stdio, stdout carries only the protocol.
final class MessageWriter: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
    }

    func respond(to id: Value, with result: Value) {
        send(.object(Value.Object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)])))
    }

    func fail(_ error: JSONRPCError) {
        let body = Value.Object([("code", .int(error.code.rawValue)), ("message", .string(error.message))])
        send(.object(Value.Object([("jsonrpc", .string("2.0")), ("id", error.id ?? .null), ("error", .object(body))])))
    }

    func notify(_ method: String, _ params: Value.Object) {
        send(.object(Value.Object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", .object(params))])))
    }

    /// Compact JSON never contains a raw line break (strings escape theirs), so one message is one line.
    private func send(_ message: Value) {
        let line = message.jsonText() + "\n"
        lock.withLock { _ in StandardStream.write(line, to: descriptor) }
    }
}
