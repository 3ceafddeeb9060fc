import PlanEngine

/// `cache:` results, per node and rendered command.
extension RunStore {
    func cachedResult(node: String, command: String, maxAge: Double) -> CachedCommand? {
        let now = RunEvents.wallClock()
        guard let row = try? database.query(
            "SELECT recorded_at, exit_code, stdout, stderr FROM step_cache WHERE node = ? AND command = ? AND recorded_at >= ?",
            [.text(node), .text(command), .double(now - maxAge)]).first,
            let at = row[0].double, let code = row[1].int
        else { return nil }
        return CachedCommand(exitCode: Int32(code), stdout: row[2].text ?? "", stderr: row[3].text ?? "", age: max(0, now - at))
    }

    /// Keeps a step's result, and drops the results older than a day: the table grows only here, so a run
    /// that caches nothing does not pay for its upkeep.
    func keep(node: String, command: String, _ result: CachedCommand) throws(SQLite.Failure) {
        try database.transaction { db throws(SQLite.Failure) in
            try Self.expireCache(db)
            try db.query(
                "INSERT OR REPLACE INTO step_cache (node, command, recorded_at, exit_code, stdout, stderr) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(node), .text(command), .double(RunEvents.wallClock()), .int(Int64(result.exitCode)),
                 .text(result.stdout), .text(result.stderr)])
        }
    }

    static func expireCache(_ db: SQLite.Transaction) throws(SQLite.Failure) {
        try db.query("DELETE FROM step_cache WHERE recorded_at < ?", [.double(RunEvents.wallClock() - 86_400)])
    }
}
