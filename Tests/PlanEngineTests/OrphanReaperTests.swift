import Foundation
@testable import PlanEngine
import Testing

/// The watcher that stops planrun's process groups when planrun dies: what it still lists at that moment.
@Suite(.serialized)
struct OrphanReaperTests {
    /// A watcher that starts reading only after a second, so a burst of lines overfills the socket buffer
    /// (a few hundred short writes), as a fan-out does while the watcher waits for the CPU. Every swept group
    /// must still be off its list at the end: a dropped `-` line would later signal whoever reuses the id.
    @Test func aBurstOfLinesLeavesNoSweptGroupListed() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reaper-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: out) }
        // At end-of-file this watcher writes its list instead of signalling it (the ids below are made up).
        let script = "sleep 1\n" + OrphanReaper.keepList + "\nprintf '[%s]' \"$g\" > '\(out.path).tmp' && mv '\(out.path).tmp' '\(out.path)'"
        do {
            let reaper = OrphanReaper(script: script)
            let ids = (0..<2_000).map { pid_t(4_000_000 + $0) }
            for id in ids { reaper.started(id) }
            for id in ids { reaper.swept(id) }
            reaper.started(42)
        }  // the reaper is gone: its socket closed, as at planrun's death
        var listed: String?
        for _ in 0..<600 where listed == nil {  // at most a minute: the watcher first sleeps, then reads 4,001 lines
            listed = try? String(contentsOf: out, encoding: .utf8)
            if listed == nil { usleep(100_000) }
        }
        // Only the group still running is listed (a short count on failure, not thousands of ids).
        let entries = listed.map { $0.dropFirst().dropLast().split(whereSeparator: \.isWhitespace) } ?? []
        #expect(entries.count == 1)
        #expect(entries.first == "42")
    }
}
