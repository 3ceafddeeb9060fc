import PlanEngine
import Synchronization

/// The tool calls in progress, by request id, so `notifications/cancelled` can stop one and the end of the
/// session can stop them all. Calls start and are cancelled from the server's read loop; each removes itself
/// when it ends.
final class RunningCalls: Sendable {
    private struct Entry {
        var tool: String
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Runs `body` in a task of its own and hands its result to `respond`, unless the call was cancelled
    /// first (MCP: a cancelled request gets no response). False when a call with this id is still running.
    func start(
        id: Value, tool: String, _ body: @escaping @Sendable () async -> Value,
        respond: @escaping @Sendable (Value) -> Void
    ) -> Bool {
        let key = id.jsonText()
        let fresh = entries.withLock { entries in
            guard entries[key] == nil else { return false }
            entries[key] = Entry(tool: tool)
            return true
        }
        guard fresh else { return false }
        let task = Task {
            let result = await body()
            let cancelled = self.entries.withLock { $0.removeValue(forKey: key)?.cancelled ?? true }
            if !cancelled { respond(result) }
        }
        entries.withLock { entries in
            // A call may already have ended (and removed itself); then there is nothing left to cancel.
            if entries[key] != nil { entries[key]!.task = task }
        }
        return true
    }

    /// Stops the call's run as Ctrl-C would; returns its tool, or nil when no such call is running.
    @discardableResult
    func cancel(id: Value) -> String? {
        let found = entries.withLock { entries -> (String, Task<Void, Never>?)? in
            let key = id.jsonText()
            guard entries[key] != nil else { return nil }
            entries[key]!.cancelled = true
            return (entries[key]!.tool, entries[key]!.task)
        }
        found?.1?.cancel()
        return found?.0
    }

    /// Stops every running call and waits until each has stopped its commands.
    func stopAll() async {
        let tasks = entries.withLock { entries in
            for key in entries.keys { entries[key]!.cancelled = true }
            return entries.values.compactMap(\.task)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
