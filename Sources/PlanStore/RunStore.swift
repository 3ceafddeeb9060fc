import CSQLite
import PlanEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The run store: every run's record, event log and reusable step results, in one SQLite database
/// (`runs.sqlite` in `$PLANRUN_STATE`, default `$XDG_STATE_HOME/planrun`, i.e. `~/.local/state/planrun`).
///
/// Why SQLite through the system library (`CSQLite`, Debian's libsqlite3) and not GRDB.swift or sqlite-nio:
/// the store needs a dozen statements, and the C API is a few calls; GRDB brings a large query layer and
/// sqlite-nio brings SwiftNIO's event loops (and their threads) into a CLI that must start in a few
/// milliseconds. SQLite gives what a file of JSON lines could not: several runs writing at once (WAL mode,
/// a busy timeout), a `kill -9` that cannot leave a half-written record (each write is a transaction), and
/// indexed look-ups for `history PLAN` and the cache.
public final class RunStore: Sendable {
    let database: SQLite
    public let path: String
    /// The store's directory: `runs.sqlite`, and the markers of runs without a row yet (`RunMarker`).
    let directory: String

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The default retention: `prune` after each run keeps this many of the newest runs.
    public static let defaultKeep = 1000

    /// The store's directory from the environment.
    public static func directory(environment: [String: String]) -> String {
        if let dir = environment["PLANRUN_STATE"], !dir.isEmpty { return dir }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/planrun" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/planrun"
    }

    /// Opens the store in `directory` (created when missing), brings its schema forward, and marks the runs
    /// whose planrun died without ending them (`kill -9`, a crash, a reboot) as `interrupted`.
    public convenience init(directory: String) throws(Failure) {
        try self.init(directory: directory, reconcile: true)
    }

    /// `reconcile: false` leaves marking dead runs to `begin`, in the transaction that writes the new run's
    /// row: a run's start then takes the write lock once.
    init(directory: String, reconcile: Bool) throws(Failure) {
        try Self.makeDirectory(directory)
        self.directory = directory
        path = directory + "/runs.sqlite"
        do {
            database = try SQLite(path: path)
            // NORMAL sync in WAL mode: a commit writes the WAL without an fsync; only a checkpoint syncs (the
            // WAL, then the database). A crashed or killed planrun loses nothing it committed (the WAL is in
            // the OS's cache); a power cut or a kernel crash may lose the last commits, never the database's
            // consistency. For a run log that is enough, and it keeps fsyncs out of a run's start and end.
            try database.execute("PRAGMA synchronous = NORMAL")
            // A connection that opens the store alone rebuilds the WAL's index by reading every frame since
            // the last checkpoint (nothing checkpoints at close): at SQLite's default of 1,000 pages that was
            // up to 4 MB read at every start. `walPagesKept` keeps it under 1 MB; the checkpoint comes every
            // few runs instead of never, and leaves the WAL empty. A run being recorded holds it back to its
            // end (`holdCheckpointsBack`).
            database.checkpointAndTruncate(atPages: Self.walPagesKept)
            try migrate()
            // The write lock only when some run is still `running` (`history` beside a run waits for no writer).
            if reconcile, try !database.query(Self.runningRuns).isEmpty || !RunMarker.orphans(in: directory).isEmpty {
                try database.transaction { db throws(SQLite.Failure) in try Self.reconcile(db, directory: directory) }
            }
        } catch {
            throw Failure(message: "run store \(directory): \(error.message)")
        }
    }

    /// Creates the directory and its missing parents. It nearly always exists: one `mkdir` says so, without
    /// splitting the path (a generic `String.append(contentsOf:)` whose first use cost 0.2 M instructions).
    static func makeDirectory(_ directory: String) throws(Failure) {
        if mkdir(directory, 0o700) == 0 || errno == EEXIST { return }
        var prefix = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw Failure(message: "cannot create the run store directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads `user_version` and, only when it is behind, runs the missing migrations: a store that is current
    /// (every start but the first) costs one pragma, not a `CREATE … IF NOT EXISTS` per table.
    private func migrate() throws(SQLite.Failure) {
        let current = try database.query("PRAGMA user_version").first?.first?.int ?? 0
        guard current < StoreSchema.migrations.count else {
            if current > StoreSchema.migrations.count {
                throw SQLite.Failure(message: "the store has schema version \(current); this planrun knows up to \(StoreSchema.migrations.count)")
            }
            return
        }
        // WAL is a property of the database file, kept across connections: set once, when the file is new
        // (version 0), not re-asked at every open. It cannot change inside a transaction.
        if current == 0 { try Self.switchToWAL(database) }
        try database.transaction { db throws(SQLite.Failure) in
            // Another planrun may have migrated while this one waited for the write lock.
            var version = Int(try db.query("PRAGMA user_version").first?.first?.int ?? 0)
            while version < StoreSchema.migrations.count {
                try db.execute(StoreSchema.migrations[version])
                version += 1
                try db.query("PRAGMA user_version = \(version)")
            }
        }
    }

    /// Sets WAL mode on a new store. Two planruns creating the store at once both get here, and the switch fails
    /// at once, without the busy timeout, while the other holds the file's write lock (as it does while it
    /// switches): 6 runs in 40 pairs on a new store went unrecorded with "database is locked". It is retried for
    /// up to the busy timeout; a store already in WAL mode stays as it is.
    private static func switchToWAL(_ database: SQLite) throws(SQLite.Failure) {
        var waited = 0
        while true {
            do {
                try database.execute("PRAGMA journal_mode = WAL")
                return
            } catch where error.code & 0xFF == SQLITE_BUSY && waited < CSQLITE_BUSY_TIMEOUT_MS {
                usleep(1000)
                waited += 1
            }
        }
    }

    /// The runs still `running`, read from the `runs_running` index alone.
    static let runningRuns = "SELECT id, pid FROM runs WHERE status = 'running'"

    /// Runs left `running` by a process that is gone were cut short: mark them `interrupted`, ending at
    /// their last event. A run killed before its row was written left only its marker: it becomes an
    /// `interrupted` row that ends where it started (nothing of its log was written). Inside a write
    /// transaction, so two planruns never record one marker twice.
    private static func reconcile(_ db: SQLite.Transaction, directory: String) throws(SQLite.Failure) {
        let running = try db.query(runningRuns)
        for row in running {
            guard let id = row[0].int, let pid = row[1].int else { continue }
            if RunMarker.isAlive(pid_t(pid)) { continue }
            try db.query(
                """
                UPDATE runs SET status = 'interrupted', ended_at = (SELECT max(last_at) FROM events WHERE run_id = ?1)
                WHERE id = ?1 AND status = 'running'
                """, [.int(id)])
        }
        for marker in RunMarker.orphans(in: directory) {
            // Read inside the write lock: another planrun may have recorded it and taken it away meanwhile.
            if let start = marker.start {
                _ = try insert(start, pid: marker.pid, ending: Ending(status: "interrupted", endedAt: start.startedAt), db)
            }
            marker.remove()
        }
    }

    /// How a row that is written ended: its status and time, and for a run that ran to its end, what it left.
    private struct Ending {
        var status: String
        var endedAt: Double
        var exitCode: Int32? = nil
        var validationStatus: String? = nil
        var result: String? = nil
        var learned: String? = nil
        var log: EventLog = EventLog()
    }

    /// Inserts a run's row: `running` without an `ending`; returns its id.
    private static func insert(
        _ start: Start, pid: Int32, ending: Ending?, _ db: SQLite.Transaction
    ) throws(SQLite.Failure) -> Int {
        try db.query(
            """
            INSERT INTO runs (status, pid, started_at, ended_at, plan_name, plan_path, plan_digest, operation, inputs,
                              rerun_of, exit_code, validation_status, result, learned, log)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(ending?.status ?? "running"), .int(Int64(pid)), .double(start.startedAt),
             ending.map { .double($0.endedAt) } ?? .null, .text(start.planName), .text(start.planPath),
             .text(start.planDigest), .text(start.operation), .text(start.inputs.jsonText()),
             start.rerunOf.map { .int(Int64($0)) } ?? .null, ending?.exitCode.map { .int(Int64($0)) } ?? .null,
             ending?.validationStatus.map { .text($0) } ?? .null, ending?.result.map { .text($0) } ?? .null,
             ending?.learned.map { .text($0) } ?? .null, ending.map { $0.log.isEmpty ? .null : .utf8($0.log.lines) } ?? .null])
        return Int(db.lastInsertID)
    }

    // MARK: Writing a run

    /// What is known when a run starts.
    public struct Start: Sendable {
        public var planName: String
        public var planPath: String
        public var planDigest: String
        public var operation: String
        /// Masked.
        public var inputs: Value
        public var rerunOf: Int?
        /// Seconds since 1970: when the run started, which may be well before its row is written.
        public var startedAt: Double

        public init(
            planName: String, planPath: String, planDigest: String, operation: String, inputs: Value, rerunOf: Int?,
            startedAt: Double = RunEvents.wallClock()
        ) {
            self.planName = planName
            self.planPath = planPath
            self.planDigest = planDigest
            self.operation = operation
            self.inputs = inputs
            self.rerunOf = rerunOf
            self.startedAt = startedAt
        }

        /// The start as its run's marker holds it (`RunMarker`).
        var json: Value {
            .object(Value.Object([
                ("plan_name", .string(planName)), ("plan_path", .string(planPath)), ("plan_digest", .string(planDigest)),
                ("operation", .string(operation)), ("inputs", inputs), ("rerun_of", rerunOf.map { .int($0) } ?? .null),
                ("started_at", .double(startedAt)),
            ]))
        }

        init?(json: Value) {
            guard case .object(let o) = json, case .string(let name)? = o["plan_name"], case .string(let path)? = o["plan_path"],
                  case .string(let digest)? = o["plan_digest"], case .string(let operation)? = o["operation"],
                  let inputs = o["inputs"]
            else { return nil }
            let started: Double
            switch o["started_at"] {
            case .double(let seconds)?: started = seconds
            case .int(let seconds)?: started = Double(seconds)
            default: return nil
            }
            var rerunOf: Int?
            if case .int(let id)? = o["rerun_of"] { rerunOf = id }
            self.init(planName: name, planPath: path, planDigest: digest, operation: operation, inputs: inputs,
                      rerunOf: rerunOf, startedAt: started)
        }
    }

    /// Marks dead runs `interrupted`, writes the run's row as `running` with this process's pid and the `events`
    /// so far (one row of `events`), and applies the retention (all but the newest `keep` runs go, this one
    /// counted), in one transaction; returns its id.
    ///
    /// The retention is here, not at the run's end: on a full store its deletes rewrite the first page of the
    /// database (the free-page list) and the root of `runs`, which the new row's insert rewrites as well when
    /// it takes a page; in one transaction each is written once (14 WAL frames a one-step run on a full store
    /// → 12, so the checkpoint and its two fsyncs come a sixth less often). The newest `keep` runs are kept
    /// after every run as before, the one running among them.
    func begin(
        _ start: Start, keep: Int = defaultKeep, events: EventLog = EventLog(), marker: RunMarker? = nil
    ) throws(Failure) -> Int {
        do {
            return try database.transaction { db throws(SQLite.Failure) in
                try Self.reconcile(db, directory: directory)
                let id = try Self.insert(start, pid: getpid(), ending: nil, db)
                try Self.append(run: id, log: events, db)
                _ = try Self.pruneRows(keep: max(keep, 1), db)
                // The row says all the marker did; gone before the commit, so no later reconcile writes it twice.
                marker?.remove()
                return id
            }
        } catch {
            throw Failure(message: "cannot record the run: \(error.message)")
        }
    }

    /// Writes a whole run at once, ended, with its (masked) result and all its `events` in the row's `log`:
    /// what `begin` and `finish` write, in one transaction. A run that ends before the recorder's first flush
    /// (0.2 s; a one-step run, a 100-step local run) is recorded this way, so its start does not wait for the
    /// store: opening it (the WAL read back, the schema) and a write transaction were most of a millisecond
    /// before the first step, for a row that a run this short would rewrite a moment later.
    func record(
        _ start: Start, result: RunResult, masked json: Value, learned: Value, events: EventLog, keep: Int = defaultKeep,
        marker: RunMarker? = nil
    ) throws(Failure) -> Int {
        do {
            return try database.transaction { db throws(SQLite.Failure) in
                try Self.reconcile(db, directory: directory)
                let id = try Self.insert(start, pid: getpid(), ending: Ending(
                    status: Self.status(result), endedAt: RunEvents.wallClock(), exitCode: result.exitCode,
                    validationStatus: result.validationStatus.rawValue, result: json.jsonText(), learned: learned.jsonText(),
                    log: events), db)
                _ = try Self.pruneRows(keep: max(keep, 1), db)
                marker?.remove()
                return id
            }
        } catch {
            throw Failure(message: "cannot record the run: \(error.message)")
        }
    }

    /// A finished run's `status`.
    private static func status(_ result: RunResult) -> String {
        result.ending == .interrupted ? "interrupted" : "finished"
    }

    /// The WAL's length in pages past which a commit checkpoints it, and at a recorded run's end.
    ///
    /// 256 pages (1 MB), not 64: a checkpoint's cost is its fsyncs (the WAL and the database, then the WAL's
    /// new header and its directory at the next run's first commit), 1–3 ms each on the benchmark machine's
    /// disk and more while it writes back other files, and hardly its pages; the WAL's frames cost the next
    /// opening about 2 µs each to read back (BENCHMARKS.md, the stop of 2026-12-05 13:51). A 500-step run
    /// writes about 60 pages, so at 64 every such run ended with a checkpoint; at 256 one in four does, and a
    /// one-step run (5–12 pages) one in twenty or more, for at most 0.5 ms of reading back at the next opening.
    static let walPagesKept: Int32 = 256

    /// While a run is recorded, its flushes' commits checkpoint only past SQLite's own 1,000 pages: each
    /// checkpoint is two fsyncs (at 64 pages a 500-step run's flushes made four), and the run's last commit,
    /// after `resumeCheckpoints`, checkpoints once for all of them.
    func holdCheckpointsBack() {
        database.checkpointAndTruncate(atPages: 1000)
    }

    /// Commits checkpoint past `walPagesKept` again: a recorded run's last commit, whose WAL holds the held-back
    /// flushes' pages too. The WAL a run leaves behind is what the next start reads.
    func resumeCheckpoints() {
        database.checkpointAndTruncate(atPages: Self.walPagesKept)
    }

    /// Appends the events of one flush while the run goes on, as one row of `events`.
    func append(run: Int, log: EventLog) throws(Failure) {
        guard !log.isEmpty else { return }
        do {
            _ = try database.transaction { db throws(SQLite.Failure) in try Self.append(run: run, log: log, db) }
        } catch {
            throw Failure(message: "cannot record events: \(error.message)")
        }
    }

    private static func append(run: Int, log: EventLog, _ db: SQLite.Transaction) throws(SQLite.Failure) {
        guard !log.isEmpty else { return }
        try db.query(
            "INSERT INTO events (run_id, seq, lines, last_at) VALUES (?, ?, ?, ?)",
            [.int(Int64(run)), .int(Int64(log.firstSeq)), .utf8(log.lines), .double(log.lastAt)])
    }

    /// Ends the run's record with its (masked) result and its last `events`, in one transaction. The last events
    /// go in the run's own row (`log`), not in a row of `events`: a run shorter than the flush interval (most
    /// runs) then writes its log with the page it rewrites anyway, not an `events` leaf, its overflow page and
    /// their parent besides.
    func finish(run: Int, result: RunResult, masked json: Value, learned: Value, events: EventLog = EventLog()) throws(Failure) {
        do {
            _ = try database.transaction { db throws(SQLite.Failure) in
                try db.query(
                    """
                    UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, validation_status = ?, result = ?, learned = ?, log = ?
                    WHERE id = ?
                    """,
                    [.text(Self.status(result)), .double(RunEvents.wallClock()),
                     .int(Int64(result.exitCode)), .text(result.validationStatus.rawValue), .text(json.jsonText()),
                     .text(learned.jsonText()), events.isEmpty ? .null : .utf8(events.lines), .int(Int64(run))])
            }
        } catch {
            throw Failure(message: "cannot record the run's end: \(error.message)")
        }
    }

    /// Deletes all but the newest `keep` runs (their events too) and cached step results older than a day;
    /// returns how many runs went.
    public func prune(keep: Int) throws(Failure) -> Int {
        do {
            return try database.transaction { db throws(SQLite.Failure) in
                try Self.expireCache(db)
                return try Self.pruneRows(keep: keep, db)
            }
        } catch {
            throw Failure(message: "cannot prune the run store: \(error.message)")
        }
    }

    /// Deletes all but the newest `keep` runs and their events. Counts the runs first (`count(*)` reads the
    /// narrow `runs_by_plan` index, not the rows), then walks only the runs that go, oldest first: finding the
    /// cut with `ORDER BY id DESC … OFFSET keep` read a thousand rows at the end of every run once the store
    /// was full.
    private static func pruneRows(keep: Int, _ db: SQLite.Transaction) throws(SQLite.Failure) -> Int {
        let count = try db.query("SELECT count(*) FROM runs").first?.first?.int ?? 0
        let excess = count - Int64(max(keep, 0))
        guard excess > 0,
              let oldest = try db.query("SELECT id FROM runs ORDER BY id LIMIT 1 OFFSET ?", [.int(excess - 1)]).first?.first?.int
        else { return 0 }
        try db.query("DELETE FROM events WHERE run_id <= ?", [.int(oldest)])
        try db.query("DELETE FROM runs WHERE id <= ?", [.int(oldest)])
        return Int(excess)
    }
}
