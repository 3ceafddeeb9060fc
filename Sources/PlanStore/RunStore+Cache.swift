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

    func keep(node: String, command: String, _ result: CachedCommand) throws(SQLite.Failure) {
        try database.query(
            "INSERT OR REPLACE INTO step_cache (node, command, recorded_at, exit_code, stdout, stderr) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(node), .text(command), .double(RunEvents.wallClock()), .int(Int64(result.exitCode)),
             .text(result.stdout), .text(result.stderr)])
    }
}
