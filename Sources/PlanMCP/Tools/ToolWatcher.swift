import Dispatch
import PlanEngine
import Synchronization

/// Tells the client when the offered tools change on disk (`notifications/tools/list_changed`), so it lists
/// them again unasked. Every `interval` seconds the catalog walks the directories as a listing does (only a
/// changed file is decoded again); a change since the client's last `tools/list` is notified once.
final class ToolWatcher: @unchecked Sendable {
    // @unchecked: the timer source is only resumed and cancelled, both thread-safe; the rest is locked.
    private struct Seen {
        /// The fingerprint of the tools the client was last given; nil before its first listing.
        var listed: Int?
        var notified = false
    }

    private let seen = Mutex(Seen())
    private let timer: any DispatchSourceTimer

    init(catalog: ToolCatalog, writer: MessageWriter, interval: Double) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "planrun.mcp.watcher"))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.look(at: catalog, telling: writer) }
        timer.resume()
    }

    private func look(at catalog: ToolCatalog, telling writer: MessageWriter) {
        let now = Self.fingerprint(catalog.tools())
        let changed = seen.withLock { seen in
            guard let listed = seen.listed, listed != now, !seen.notified else { return false }
            seen.notified = true
            return true
        }
        if changed { writer.notify("notifications/tools/list_changed", Value.Object()) }
    }

    /// Records the tools of a `tools/list` answer: what the client knows from now on.
    func listed(_ tools: [Tool]) {
        let fingerprint = Self.fingerprint(tools)
        seen.withLock { $0 = Seen(listed: fingerprint) }
    }

    func stop() {
        timer.cancel()
    }

    private static func fingerprint(_ tools: [Tool]) -> Int {
        Value.array(tools.map(\.definition)).hashValue
    }
}
