/// The run store's tables, as a list of migrations: entry N takes a database from `PRAGMA user_version` N
/// to N + 1. A store written by an older planrun is brought forward when it is opened; one written by a newer
/// planrun (a higher version than `migrations.count`) is refused rather than misread.
enum StoreSchema {
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after prune
            status TEXT NOT NULL,                  -- running | finished | interrupted
            pid INTEGER NOT NULL,                  -- of the planrun that runs it: a dead one means interrupted
            started_at REAL NOT NULL,              -- seconds since 1970, UTC
            ended_at REAL,
            plan_name TEXT NOT NULL,
            plan_path TEXT NOT NULL,               -- absolute
            plan_digest TEXT NOT NULL,             -- sha256 of the plan file
            operation TEXT NOT NULL,
            inputs TEXT NOT NULL,                  -- JSON object, secrets masked
            exit_code INTEGER,
            validation_status TEXT,
            result TEXT,                           -- the result JSON, secrets masked
            learned TEXT,                          -- JSON {nodes, vars} at the end: what a rerun starts from
            rerun_of INTEGER
        );
        CREATE INDEX runs_by_plan ON runs (plan_path, id);
        CREATE TABLE events (
            run_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            event TEXT NOT NULL,                   -- one object of schemas/events.schema.json
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE step_cache (
            node TEXT NOT NULL,
            command TEXT NOT NULL,                 -- as rendered; steps whose command holds a secret are never cached
            recorded_at REAL NOT NULL,
            exit_code INTEGER NOT NULL,
            stdout TEXT NOT NULL,
            stderr TEXT NOT NULL,
            PRIMARY KEY (node, command)
        ) WITHOUT ROWID;
        """,
        // Every run's start looks for runs left `running` by a dead planrun: without this index that read
        // every row of `runs` (a thousand at the default retention, hundreds of pages) at each start.
        """
        CREATE INDEX runs_running ON runs (pid) WHERE status = 'running';  -- holds id and pid: the look-up reads no row
        """,
        // The event log as NDJSON, not a row per event (an INSERT per event was most of what the store cost a
        // 100-step run): the events of each periodic flush while a run goes on are one row of `events`, and those
        // left at its end go in its own row, `runs.log` (all of them for a run shorter than the 0.2 s between
        // flushes). `events` is made anew (an added column would sit under the old one's comment); an older row
        // (one event) becomes a row of one line, and `last_at` is filled for the runs still `running`, the only
        // ones whose end is read from it.
        """
        CREATE TABLE event_log (
            run_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,                  -- the run's number of the first event in `lines` (1 for its first)
            lines TEXT NOT NULL,                   -- NDJSON: objects of schemas/events.schema.json, one a line, in order
            last_at REAL,                          -- the time of the last of them, seconds since 1970, UTC
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO event_log (run_id, seq, lines, last_at)
            SELECT run_id, seq, event || char(10),
                   CASE WHEN run_id IN (SELECT id FROM runs WHERE status = 'running')
                        THEN (julianday(json_extract(event, '$.time')) - 2440587.5) * 86400.0 END
            FROM events;
        DROP TABLE events;
        ALTER TABLE event_log RENAME TO events;
        ALTER TABLE runs ADD COLUMN log TEXT;
        """,
    ]
}
