import Foundation
@testable import PlanEngine
@testable import PlanStore
import Testing

/// The store on its own: the digest, migrations, reconciling dead runs, retention, the cache's age.
struct RunStoreUnitTests {
    private func directory() -> String { NSTemporaryDirectory() + "planrun-store-unit-\(UUID().uuidString)" }

    /// An event as `RunEvents` hands it to the sinks.
    private func event(_ kind: String, time: Double = 1_000) -> EventText {
        EventText(json: Array(#"{"event":"\#(kind)","time":"\#(RunEvents.timestamp(time))"}"#.utf8), time: time)
    }

    private func start(_ name: String = "p") -> RunStore.Start {
        RunStore.Start(planName: name, planPath: "/p/\(name).yaml", planDigest: "d", operation: "op",
                       inputs: .object(Value.Object()), rerunOf: nil)
    }

    /// A digest's input, `count` times `text`: the test's log names it by that, not by its thousand characters.
    struct DigestInput: CustomTestStringConvertible, Sendable {
        var text: String
        var count = 1
        var bytes: [UInt8] { Array(String(repeating: text, count: count).utf8) }
        var testDescription: String { count == 1 ? "\"\(text)\"" : "\(count) × \"\(text)\"" }
    }

    @Test(arguments: [
        (DigestInput(text: ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (DigestInput(text: "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (DigestInput(text: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256(_ input: DigestInput, _ digest: String) {
        #expect(SHA256.hex(input.bytes) == digest)
    }

    @Test func aRunLeftRunningByADeadProcessIsMarkedInterruptedOnTheNextOpen() throws {
        let dir = directory()
        let store = try RunStore(directory: dir)
        let id = try store.begin(start())
        // As if its planrun had been killed: a pid that no longer exists (pid_max is below 2^22).
        try store.database.query("UPDATE runs SET pid = 4999999 WHERE id = ?", [.int(Int64(id))])
        let alive = try store.begin(start())
        let reopened = try RunStore(directory: dir)
        #expect(try reopened.run(id)?.status == .interrupted)
        #expect(try reopened.run(alive)?.status == .running)  // this process is alive
    }

    /// Nothing checkpoints at close, and the next run to open the store alone reads every WAL frame since the
    /// last checkpoint: the WAL must stay short however many runs were recorded (SQLite's default let it
    /// grow to 4 MB, read at every start).
    @Test func theWriteAheadLogStaysShortAcrossManyRuns() throws {
        let dir = directory()
        // About 10 pages a run: 80 runs write three times what the WAL keeps.
        for _ in 0..<80 {
            let store = try RunStore(directory: dir)
            let id = try store.begin(start())
            try store.database.query("UPDATE runs SET result = ? WHERE id = ?", [.text(String(repeating: "x", count: 16_000)), .int(Int64(id))])
        }
        var info = stat()
        #expect(stat(dir + "/runs.sqlite-wal", &info) == 0)
        #expect(info.st_size < (Int(RunStore.walPagesKept) + 16) * Self.walFrameBytes, "WAL of \(info.st_size) bytes")
    }

    /// A run shorter than the first flush writes once, then its planrun exits: SQLite's own automatic checkpoint
    /// leaves the WAL's frames for the connection's next write to start over, which never comes, and the next
    /// planrun reads them all back. The WAL grew by every run, and each commit checkpointed all of it again (two
    /// fsyncs a run); checkpointed and truncated, it stays short.
    @Test func theWriteAheadLogStaysShortWhenEachRunWritesOnce() throws {
        let dir = directory()
        // About 5 pages a run: 120 runs write twice what the WAL keeps.
        for _ in 0..<120 {
            let store = try RunStore(directory: dir)
            _ = try store.record(
                start(), result: finished(), masked: .string(String(repeating: "x", count: 16_000)), learned: .null, events: EventLog())
        }
        var info = stat()
        #expect(stat(dir + "/runs.sqlite-wal", &info) == 0)
        #expect(info.st_size < (Int(RunStore.walPagesKept) + 8) * Self.walFrameBytes, "WAL of \(info.st_size) bytes")
    }

    /// A run whose end leaves the WAL under `walPagesKept` does not checkpoint it: the fsyncs come with a
    /// later run's end, once for several runs.
    @Test func aRunsEndLeavesAShortWALForALaterOne() throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start())
        // About 100 pages: more than the 64 pages a run's end once checkpointed at, under the 256 it does now.
        for _ in 0..<100 { recorder.receive(Self.pageOfEvent) }
        recorder.finish(finished(), json: .null)
        var info = stat()
        #expect(stat(dir + "/runs.sqlite-wal", &info) == 0)
        #expect(info.st_size > 90 * 4096, "the run's end checkpointed a WAL of \(info.st_size) bytes")
        #expect(try RunStore(directory: dir).run(recorder.run ?? -1)?.status == .finished)
    }

    /// One WAL frame: a 24-byte header and a page of SQLite's default 4,096 bytes (the store sets no other).
    private static let walFrameBytes = 24 + 4_096

    /// An event of about a page.
    private static let pageOfEvent = EventText(
        json: Array(#"{"event":"step_started","pad":"\#(String(repeating: "x", count: 4_000))"}"#.utf8), time: 1_000)

    /// A recorded run's flushes do not checkpoint the WAL (two fsyncs each); its end does, once, and leaves the
    /// WAL empty for the next start to read.
    @Test func aRecordedRunCheckpointsOnceAtItsEnd() throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start())
        // About 300 pages of events a flush: each flush alone passes the 256 pages a commit checkpoints at.
        for _ in 0..<2 {
            for _ in 0..<300 { recorder.receive(Self.pageOfEvent) }
            recorder.flush()
        }
        var info = stat()
        #expect(stat(dir + "/runs.sqlite-wal", &info) == 0)
        #expect(info.st_size > 500 * 4096, "the WAL was checkpointed during the run: \(info.st_size) bytes")
        recorder.finish(finished(), json: .null)
        #expect(stat(dir + "/runs.sqlite-wal", &info) == 0)
        #expect(info.st_size == 0)
        #expect(try RunStore(directory: dir).run(recorder.run ?? -1)?.status == .finished)
    }

    @Test func aStoreFromANewerPlanrunIsRefusedAndOneFromAnOlderIsBroughtForward() throws {
        let dir = directory()
        let store = try RunStore(directory: dir)
        #expect(try store.database.query("PRAGMA user_version").first?.first == .int(Int64(StoreSchema.migrations.count)))
        try store.database.execute("PRAGMA user_version = 99")
        #expect(throws: RunStore.Failure.self) { try RunStore(directory: dir) }
        let journal = try store.database.query("PRAGMA journal_mode").first?.first
        #expect(journal == .text("wal"))
    }

    /// The version alone says the schema is current: the migrations are not run again (the index dropped here
    /// stays dropped), so an open costs one pragma, not a `CREATE` per table.
    @Test func aCurrentStoreIsOpenedWithoutRunningItsMigrations() throws {
        let dir = directory()
        let store = try RunStore(directory: dir)
        try store.database.execute("DROP INDEX runs_running")
        let reopened = try RunStore(directory: dir)
        #expect(try reopened.database.query("SELECT count(*) FROM sqlite_schema WHERE name = 'runs_running'").first?.first == .int(0))
    }

    /// A store written by the first schema (no `runs_running` index) is brought forward when opened, and its
    /// dead runs are still found.
    @Test func aStoreOfTheFirstSchemaIsMigratedAndItsDeadRunsMarked() throws {
        let dir = directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let old = try SQLite(path: dir + "/runs.sqlite")
            try old.execute("PRAGMA journal_mode = WAL")
            try old.execute(StoreSchema.migrations[0] + "; PRAGMA user_version = 1")
            try old.query(
                """
                INSERT INTO runs (status, pid, started_at, plan_name, plan_path, plan_digest, operation, inputs)
                VALUES ('running', 4999999, 1, 'p', '/p/p.yaml', 'd', 'op', '{}')
                """)
        }
        let store = try RunStore(directory: dir)
        #expect(try store.database.query("PRAGMA user_version").first?.first == .int(Int64(StoreSchema.migrations.count)))
        #expect(try store.database.query("SELECT count(*) FROM sqlite_schema WHERE name = 'runs_running'").first?.first == .int(1))
        #expect(try store.run(1)?.status == .interrupted)
    }

    /// Looking for runs left running reads the partial index, not every row of `runs` (a thousand of them at
    /// the default retention, read at every start).
    @Test func runsLeftRunningAreFoundThroughTheirIndex() throws {
        let store = try RunStore(directory: directory())
        let plan = try store.database.query("EXPLAIN QUERY PLAN " + RunStore.runningRuns).map { $0.last?.text ?? "" }
        #expect(plan.contains { $0.contains("runs_running") }, "\(plan)")
    }

    /// A run's start opens the store without reconciling and marks dead runs in the transaction that writes its
    /// own row.
    @Test func theStartOfARunMarksDeadRunsInterrupted() throws {
        let dir = directory()
        let first = try RunStore(directory: dir)
        let dead = try first.begin(start())
        try first.database.query("UPDATE runs SET pid = 4999999 WHERE id = ?", [.int(Int64(dead))])
        let store = try RunStore(directory: dir, reconcile: false)
        #expect(try store.run(dead)?.status == .running)
        _ = try store.begin(start())
        #expect(try store.run(dead)?.status == .interrupted)
    }

    /// The periodic flush stops when cancelled without writing: the events still pending go with the record's
    /// end, in its transaction.
    @Test func cancellingThePeriodicFlushWritesNothing() async throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start())
        recorder.flush()  // the run's row, with no events yet
        let id = try #require(recorder.run)
        let store = try RunStore(directory: dir)
        let flusher = recorder.flushPeriodically(every: .milliseconds(100))
        recorder.receive(event("x"))
        flusher.cancel()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try store.events(of: id).isEmpty)
        recorder.flush()
        #expect(try store.events(of: id).count == 1)
    }

    /// Until it is cancelled, the periodic flush writes what came in: a `kill -9` loses at most an interval.
    @Test func thePeriodicFlushWritesTheEventsAsTheyCome() async throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start())
        recorder.flush()  // the run's row, with no events yet
        let id = try #require(recorder.run)
        let store = try RunStore(directory: dir)
        let flusher = recorder.flushPeriodically(every: .milliseconds(20))
        defer { flusher.cancel() }
        recorder.receive(event("x"))
        let deadline = ContinuousClock.now + .seconds(10)
        while try store.events(of: id).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try store.events(of: id).count == 1)
    }

    /// What a rerun reads keeps a tail of each step's output, at any depth; the rest is kept as it is.
    @Test func learnedOutputIsCutToATailAndTheRestKept() throws {
        let long = String(repeating: "line\n", count: 2000)
        func object(_ pairs: [(String, Value)]) -> Value { .object(Value.Object(pairs)) }
        let learned = Value.Object([
            ("steps", object([("a", object([
                ("stdout", .string(long)), ("stderr", .string("short")),
                ("item", object([("stderr", .string(long))])),
            ]))])),
            ("vars", object([("stdout", .string(long))])),
        ])
        func at(_ value: Value?, _ path: String...) -> Value? {
            path.reduce(value) { value, key in if case .object(let o)? = value { o[key] } else { nil } }
        }
        let out = Value.object(RunRecorder.bounded(learned))
        #expect(at(out, "steps", "a", "stdout") == .string(RunEvents.tail(of: long) ?? ""))
        #expect(RunEvents.tail(of: long) != long)
        #expect(at(out, "steps", "a", "stderr") == .string("short"))
        #expect(at(out, "steps", "a", "item", "stderr") == .string(RunEvents.tail(of: long) ?? ""))
        #expect(at(out, "vars", "stdout") == .string(long))
        let plain = Value.Object([("steps", object([("a", object([("stdout", .string("ok"))]))]))])
        #expect(Value.object(RunRecorder.bounded(plain)) == .object(plain))
    }

    /// Each flush while the run goes on writes its events as one row of NDJSON; the run's end puts the rest in
    /// its own row. Read back, they are one event a line, in order.
    @Test func eachFlushIsOneRowTheEndGoesInTheRunsRowAndTheyReadBackInOrder() throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start())
        recorder.receive(event("a", time: 10))
        recorder.receive(event("b", time: 11))
        recorder.flush()  // the first: the run's row, and these events as one row of `events`
        let run = try #require(recorder.run)
        let store = try RunStore(directory: dir)
        recorder.flush()  // nothing new: no row
        recorder.receive(event("c", time: 12))
        recorder.receive(event("d", time: 13.5))
        recorder.finish(finished(), json: .object(Value.Object()))
        let id = Int64(run)
        #expect(try store.database.query("SELECT seq, last_at FROM events WHERE run_id = ?", [.int(id)]) == [[.int(1), .double(11)]])
        let log = try store.database.query("SELECT log FROM runs WHERE id = ?", [.int(id)]).first?.first?.text ?? ""
        #expect(log.split(separator: "\n").count == 2 && log.hasSuffix("\n"))
        #expect(kinds(try store.events(of: run)) == ["a", "b", "c", "d"])
        #expect(try store.run(run)?.status == .finished)
    }

    private func kinds(_ events: [Value]) -> [String] {
        events.map { event -> String in
            if case .object(let o) = event, case .string(let kind)? = o["event"] { kind } else { "?" }
        }
    }

    private func finished(_ code: Int32 = 0) -> RunResult {
        RunResult(operation: "op", output: Value.Object(), issues: [], recommendations: [], validationStatus: .success,
                  confidence: 1, executionTime: 0, steps: [], ending: .finished, dryRun: false, waves: [])
    }

    /// A run's start opens nothing: a run that ends before the first flush is written whole at its end, with
    /// when it started (not when it was written), all its events in its own row, and what it reran.
    @Test func aRunShorterThanTheFirstFlushIsWrittenWholeAtItsEnd() throws {
        let dir = directory()
        let began = RunEvents.wallClock() - 5
        var start = start("short")
        start.startedAt = began
        start.rerunOf = 7
        let recorder = RunRecorder(directory: dir, start: start)
        recorder.receive(event("a", time: 10))
        recorder.receive(event("b", time: 11))
        #expect(access(dir, F_OK) != 0, "the store was touched before the run's end")
        #expect(recorder.run == nil)
        recorder.finish(finished(), json: .object(Value.Object([("validation_status", .string("success"))])))
        let run = try #require(recorder.run)
        let store = try RunStore(directory: dir)
        let stored = try #require(try store.run(run))
        #expect(stored.status == .finished)
        #expect(abs(stored.startedAt - began) < 0.001)
        #expect((stored.endedAt ?? 0) > began + 4)
        #expect(stored.rerunOf == 7)
        #expect(stored.exitCode == 0 && stored.validationStatus == "success")
        #expect(stored.planName == "short" && stored.pid == Int(getpid()))
        #expect(kinds(try store.events(of: run)) == ["a", "b"])
        #expect(try store.database.query("SELECT count(*) FROM events").first?.first == .int(0))
    }

    /// The first flush writes the run's row, `running`, with the events so far; the end finishes that row.
    @Test func theFirstFlushWritesTheRunningRowAndTheEndFinishesIt() throws {
        let dir = directory()
        let recorder = RunRecorder(directory: dir, start: start("long"))
        recorder.receive(event("a", time: 10))
        recorder.flush()
        let run = try #require(recorder.run)
        let store = try RunStore(directory: dir)
        #expect(try store.run(run)?.status == .running)
        #expect(kinds(try store.events(of: run)) == ["a"])
        recorder.receive(event("b", time: 11))
        recorder.finish(finished(), json: .object(Value.Object()))
        #expect(recorder.run == run)
        #expect(try store.run(run)?.status == .finished)
        #expect(kinds(try store.events(of: run)) == ["a", "b"])
        #expect(try store.database.query("SELECT count(*) FROM runs").first?.first == .int(1))
    }

    /// A planrun killed before its run's row was written leaves the run's marker: the next open of the store
    /// records that run as `interrupted`, with its start, and takes the marker away (once: a second open adds
    /// nothing). A marker cut short by the kill is only taken away.
    @Test func aMarkerLeftByADeadPlanrunBecomesAnInterruptedRecord() throws {
        let dir = directory()
        var start = start("killed")
        start.startedAt = 1_700_000_000.5
        start.rerunOf = 3
        try RunStore.makeDirectory(dir + "/running")
        // As if written by a planrun that is gone (pid_max is below 2^22).
        try #require(FileManager.default.createFile(
            atPath: dir + "/running/4999999-1.json", contents: Data(start.json.jsonText().utf8)))
        try #require(FileManager.default.createFile(atPath: dir + "/running/4999998-1.json", contents: Data("{\"plan_na".utf8)))
        let store = try RunStore(directory: dir)
        let runs = try store.database.query("SELECT id FROM runs")
        #expect(runs.count == 1)
        let stored = try #require(try store.run(Int(runs.first?.first?.int ?? 0)))
        #expect(stored.status == .interrupted)
        #expect(stored.planName == "killed" && stored.rerunOf == 3)
        #expect(stored.startedAt == 1_700_000_000.5 && stored.endedAt == 1_700_000_000.5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/running").isEmpty)
        _ = try RunStore(directory: dir)
        #expect(try store.database.query("SELECT count(*) FROM runs").first?.first == .int(1))
    }

    /// A live run's marker is left alone, and the recorder takes its own away once the row is written.
    @Test func theRecordersMarkerLastsUntilItsRowIsWritten() throws {
        let dir = directory()
        let start = start("live")
        let recorder = RunRecorder(directory: dir, start: start, marker: RunMarker.write(start, in: dir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/running").count == 1)
        let store = try RunStore(directory: dir)  // reconciles: this process is alive
        #expect(try store.database.query("SELECT count(*) FROM runs").first?.first == .int(0))
        recorder.finish(finished(), json: .object(Value.Object()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/running").isEmpty)
        #expect(try store.database.query("SELECT status FROM runs") == [[.text("finished")]])
    }

    /// A store that cannot be made (its directory is a file) leaves the run unrecorded, and says so once.
    @Test func aStoreThatCannotBeOpenedLeavesTheRunUnrecorded() throws {
        let file = directory()
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let recorder = RunRecorder(directory: file + "/state", start: start())
        recorder.receive(event("a"))
        recorder.flush()
        recorder.finish(finished(), json: .object(Value.Object()))
        #expect(recorder.run == nil)
    }

    /// Two planruns creating the store at once: switching a new file to WAL fails at once, without the busy
    /// timeout, while another connection holds its write lock (as the other planrun does while it switches),
    /// and that run went unrecorded ("database is locked", 6 in 40 pairs on a new store). It waits now.
    @Test func aNewStoreIsMadeWhileAnotherConnectionHoldsItsWriteLock() async throws {
        let dir = directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let other = try SQLite(path: dir + "/runs.sqlite")
        try other.execute("BEGIN IMMEDIATE")  // the write lock of the new, empty file
        let opening = Task.detached { () -> Result<RunStore, RunStore.Failure> in
            do throws(RunStore.Failure) { return .success(try RunStore(directory: dir)) } catch { return .failure(error) }
        }
        try await Task.sleep(for: .milliseconds(100))
        try other.execute("COMMIT")
        let store = try await opening.value.get()
        #expect(try store.database.query("PRAGMA user_version").first?.first == .int(Int64(StoreSchema.migrations.count)))
        #expect(try store.database.query("PRAGMA journal_mode").first?.first == .text("wal"))
    }

    /// A store of schema version 2 (a row per event) is brought forward: its events read as before, and a run
    /// it left `running` by a dead planrun is marked `interrupted`, ending at its last event.
    @Test func aStoreOfTheSecondSchemaIsMigratedWithItsEvents() throws {
        let dir = directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let old = try SQLite(path: dir + "/runs.sqlite")
            try old.execute("PRAGMA journal_mode = WAL")
            try old.execute(StoreSchema.migrations[0] + "\n;" + StoreSchema.migrations[1] + "\n; PRAGMA user_version = 2")
            for (id, status) in [(1, "finished"), (2, "running")] {
                try old.query(
                    """
                    INSERT INTO runs (id, status, pid, started_at, plan_name, plan_path, plan_digest, operation, inputs)
                    VALUES (?, ?, 4999999, 1000, 'p', '/p/p.yaml', 'd', 'op', '{}')
                    """, [.int(Int64(id)), .text(status)])
                for (seq, kind, time) in [(1, "run_started", 1000.0), (2, "step_started", 1001.25)] {
                    try old.query("INSERT INTO events (run_id, seq, event) VALUES (?, ?, ?)", [
                        .int(Int64(id)), .int(Int64(seq)), .text(String(decoding: event(kind, time: time).json, as: UTF8.self)),
                    ])
                }
            }
        }
        let store = try RunStore(directory: dir)
        #expect(try store.database.query("PRAGMA user_version").first?.first == .int(Int64(StoreSchema.migrations.count)))
        for id in [1, 2] {
            let kinds = try store.events(of: id).map { event -> Value? in if case .object(let o) = event { o["event"] } else { nil } }
            #expect(kinds == [.string("run_started"), .string("step_started")])
        }
        let interrupted = try #require(try store.run(2))
        #expect(interrupted.status == .interrupted)
        #expect(abs((interrupted.endedAt ?? 0) - 1001.25) < 0.01)
        #expect(try store.run(1)?.status == .finished)
    }

    /// Each run's start applies the retention, counting itself: after every run the newest `keep` are left,
    /// the running one among them, with their events.
    @Test func aRunsStartKeepsTheNewestRunsItselfIncluded() throws {
        let store = try RunStore(directory: directory())
        var ids: [Int] = []
        for _ in 0..<5 {
            let id = try store.begin(start(), keep: 3)
            var log = EventLog()
            log.append(event("x"), seq: 1)
            try store.append(run: id, log: log)
            ids.append(id)
            #expect(try store.runs().map(\.id) == Array(ids.suffix(3).reversed()))
        }
        #expect(try store.events(of: ids[1]).isEmpty)
        #expect(try store.events(of: ids[2]).count == 1)
        #expect(try store.database.query("SELECT count(*) FROM events").first?.first == .int(3))
    }

    @Test func pruneKeepsTheNewestRunsWhateverGapsTheirIdsHave() throws {
        let store = try RunStore(directory: directory())
        var ids: [Int] = []
        for _ in 0..<6 { ids.append(try store.begin(start())) }
        try store.database.query("DELETE FROM runs WHERE id = ?", [.int(Int64(ids[4]))])
        #expect(try store.prune(keep: 5) == 0)
        #expect(try store.prune(keep: 3) == 2)
        #expect(try store.runs().map(\.id) == [ids[5], ids[3], ids[2]])
    }

    @Test func pruneKeepsTheNewestRunsAndTheirEvents() throws {
        let store = try RunStore(directory: directory())
        var ids: [Int] = []
        for _ in 0..<5 {
            let id = try store.begin(start())
            var log = EventLog()
            log.append(event("x"), seq: 1)
            try store.append(run: id, log: log)
            ids.append(id)
        }
        #expect(try store.prune(keep: 2) == 3)
        #expect(try store.runs().map(\.id) == [ids[4], ids[3]])
        #expect(try store.events(of: ids[0]).isEmpty)
        #expect(try store.events(of: ids[4]).count == 1)
    }

    /// Results older than a day go when another is kept (or at `prune`), not at the end of every run.
    @Test func keepingAResultDropsTheResultsOlderThanADay() throws {
        let store = try RunStore(directory: directory())
        try store.keep(node: "n", command: "old", CachedCommand(exitCode: 0, stdout: "", stderr: ""))
        try store.database.query("UPDATE step_cache SET recorded_at = recorded_at - 86401")
        try store.keep(node: "n", command: "new", CachedCommand(exitCode: 0, stdout: "", stderr: ""))
        #expect(try store.database.query("SELECT command FROM step_cache") == [[.text("new")]])
    }

    @Test func aCachedResultIsFoundOnlyWhileYoungerThanItsMaximumAge() throws {
        let store = try RunStore(directory: directory())
        try store.keep(node: "n", command: "status", CachedCommand(exitCode: 0, stdout: "up", stderr: ""))
        #expect(store.cachedResult(node: "n", command: "status", maxAge: 30)?.stdout == "up")
        #expect(store.cachedResult(node: "m", command: "status", maxAge: 30) == nil)
        #expect(store.cachedResult(node: "n", command: "other", maxAge: 30) == nil)
        try store.database.query("UPDATE step_cache SET recorded_at = recorded_at - 31")
        #expect(store.cachedResult(node: "n", command: "status", maxAge: 30) == nil)
        let age = try #require(store.cachedResult(node: "n", command: "status", maxAge: 60)?.age)
        #expect(age >= 31 && age < 40)
    }
}

/// `show`'s renderings of a stored run.
struct RunPageTests {
    @Test func aRollingRolloutsBatchesAreListedAndNamedOnTheirBars() throws {
        let store = try RunStore(directory: NSTemporaryDirectory() + "planrun-page-\(UUID().uuidString)")
        let id = try store.begin(RunStore.Start(
            planName: "roll", planPath: "/p/roll.yaml", planDigest: "d", operation: "op", inputs: .object(Value.Object()),
            rerunOf: nil))
        let result = """
            {"operation":"op","issues":[],"recommendations":[],"validation_status":"success","confidence":1.0,
             "execution_time":0.5,"steps":[
              {"id":"restart","phase":"execute","node":"a","status":"succeeded","attempts":1,"exit_code":0,"duration":0.1,"batch":1},
              {"id":"restart","phase":"execute","node":"b","status":"succeeded","attempts":1,"exit_code":0,"duration":0.1,"batch":1},
              {"id":"restart","phase":"execute","node":"c","status":"not_run","attempts":0,"exit_code":null,"duration":0,"batch":2}]}
            """
        try store.database.query(
            "UPDATE runs SET status = 'finished', ended_at = started_at + 0.5, result = ? WHERE id = ?",
            [.text(result), .int(Int64(id))])
        let run = try #require(try store.run(id))
        let page = RunPage.html(run, events: [])
        #expect(page.contains("<ol id=\"batches\"><li value=\"1\">a, b</li><li value=\"2\">c</li></ol>"))
        #expect(page.contains("title=\"execute/restart: not_run (batch 2)\""))
        #expect(!RunPage.html(run, events: []).contains("<script"))
    }
}
