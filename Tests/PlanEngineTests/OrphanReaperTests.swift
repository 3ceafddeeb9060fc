import Foundation
@testable import PlanEngine
import Testing

/// The watcher that stops planrun's process groups when planrun dies: what it still lists at that moment,
/// and what it costs while planrun lives.
@Suite(.serialized)
struct OrphanReaperTests {
    /// Thousands of groups started and swept (a long run, a wide fan-out) before planrun's end: every swept
    /// group must be off the list the watcher reads then — a `-` line lost would later signal whoever reuses
    /// the id — and the group still running must be on it.
    @Test func aBurstOfLinesLeavesNoSweptGroupListed() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reaper-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: out) }
        // At end-of-file this watcher writes its list instead of signalling it (the ids below are made up).
        let script = OrphanReaper.keepList + "\nprintf '[%s]' \"$g\" > '\(out.path).tmp' && mv '\(out.path).tmp' '\(out.path)'"
        do {
            let reaper = OrphanReaper(script: script)
            let ids = (0..<5_000).map { pid_t(4_000_000 + $0) }
            for id in ids { reaper.started(id) }
            for id in ids { reaper.swept(id) }
            reaper.started(42)
            reaper.started(43)
            reaper.swept(43)
            reaper.emptyIfNothingListed()  // 42 is listed: the list stays
        }  // the reaper is gone: its descriptors closed, as at planrun's death
        var listed: String?
        for _ in 0..<600 where listed == nil {  // at most a minute
            listed = try? String(contentsOf: out, encoding: .utf8)
            if listed == nil { usleep(100_000) }
        }
        // Only the group still running is listed (a short count on failure, not thousands of ids).
        let entries = listed.map { $0.dropFirst().dropLast().split(whereSeparator: \.isWhitespace) } ?? []
        #expect(entries.count == 1)
        #expect(entries.first == "42")
    }

    /// At a run's end every group is swept and the list is emptied: the watcher ends at planrun's exit without
    /// reading it (no `awk`), and so never gets to the command after the read (here: write a file).
    @Test func anEmptiedListEndsTheWatcherWithoutReadingIt() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reaper-empty-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: out) }
        var watcher: pid_t = 0
        do {
            let reaper = OrphanReaper(script: OrphanReaper.keepList + "\n: > '\(out.path)'")
            reaper.started(4_200_000)
            reaper.swept(4_200_000)
            reaper.emptyIfNothingListed()
            watcher = try #require(reaper.watcherPID)
        }
        // The watcher is this process's child: reaped once it has ended (at most a minute).
        var status: Int32 = 0
        var ended = false
        for _ in 0..<600 where !ended {
            ended = waitpid(watcher, &status, WNOHANG) == watcher
            if !ended { usleep(100_000) }
        }
        #expect(ended, "the watcher is still running")
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.path), "the watcher read the list after it was emptied")
    }

    /// The list is a file the watcher reads only at planrun's end: a command wakes no other process. (Lines
    /// sent to the watcher woke it twice per command, and on two cores that wake-up often took the CPU from
    /// planrun's own thread.) Counted as the context switches of the watcher and its children.
    @Test func commandsDoNotWakeTheWatcher() throws {
        let reaper = OrphanReaper(script: OrphanReaper.keepList)
        reaper.started(4_100_000)
        reaper.swept(4_100_000)
        let pid = try #require(reaper.watcherPID)
        usleep(200_000)  // let the watcher reach its wait; its start-up's switches are not counted
        let before = Self.switches(of: pid)
        for id in pid_t(4_100_001)...4_100_200 {
            reaper.started(id)
            usleep(1_000)
            reaper.swept(id)
            usleep(1_000)
        }
        let after = Self.switches(of: pid)
        #expect(after - before < 20, "the watcher woke \(after - before) times for 400 lines")
    }

    /// Voluntary and involuntary context switches of `pid` and its children, from /proc.
    private static func switches(of pid: pid_t) -> Int {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let pids = [String(pid)] + children.split(separator: " ").map(String.init)
        return pids.reduce(0) { total, pid in
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let counts = status.split(separator: "\n").filter { $0.contains("ctxt_switches:") }
            return total + counts.compactMap { Int($0.split(separator: "\t").last ?? "") }.reduce(0, +)
        }
    }
}
