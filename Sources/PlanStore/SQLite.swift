import CSQLite
import Synchronization

/// One connection to a SQLite database, used under its own lock: planrun's run store needs a handful of
/// statements, so this is the few calls of the C API it uses, not a query builder.
final class SQLite: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        /// SQLite's result code (`SQLITE_BUSY` when another connection holds the lock).
        var code: Int32 = SQLITE_ERROR
        var description: String { message }
    }

    /// A bound parameter or a read column.
    enum Datum: Sendable, Equatable {
        case null
        case int(Int64)
        case double(Double)
        case text(String)
        /// UTF-8 text already in bytes (an event log), bound as text without making a `String` of it.
        case utf8([UInt8])

        var int: Int64? { if case .int(let i) = self { i } else if case .double(let d) = self { Int64(d) } else { nil } }
        var double: Double? { if case .double(let d) = self { d } else if case .int(let i) = self { Double(i) } else { nil } }
        var text: String? { if case .text(let s) = self { s } else { nil } }
    }

    private let handle: OpaquePointer
    private let lock = Mutex(())

    /// Opens (creating) the database at `path`. A write waits up to `CSQLITE_BUSY_TIMEOUT_MS` for another
    /// process's write to end before it fails.
    init(path: String) throws(Failure) {
        _ = Self.configured
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw Failure(message: "cannot open \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, CSQLITE_BUSY_TIMEOUT_MS)
        _ = csqlite_no_checkpoint_on_close(db)
    }

    /// SQLite's process-wide settings, made once before the first connection: no memory statistics (planrun
    /// never reads them, and keeping them took a global mutex at every allocation: about 0.1 M instructions of
    /// a recorded run's start).
    private static let configured: Void = { _ = csqlite_no_memory_statistics() }()

    /// Checkpoints the WAL into the database and truncates it once a commit leaves it `pages` frames long or
    /// longer (`csqlite_truncating_checkpoints`).
    func checkpointAndTruncate(atPages pages: Int32) {
        lock.withLock { _ in csqlite_truncating_checkpoints(handle, pages) }
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs statements that return no rows (`;`-separated).
    func execute(_ sql: String) throws(Failure) {
        try lock.withLock { _ throws(Failure) in try unlockedExecute(sql) }
    }

    private func unlockedExecute(_ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw Failure(message: "\(message) in: \(sql)", code: code)
        }
    }

    /// Runs one statement with `parameters` bound to `?1…`, returning its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [Datum] = []) throws(Failure) -> [[Datum]] {
        try lock.withLock { _ throws(Failure) in try unlockedQuery(sql, parameters) }
    }

    /// Runs `body` inside one write transaction (BEGIN IMMEDIATE: it waits for other writers up front, so it
    /// never fails half-way on a lock); rolls back when `body` throws.
    func transaction<T>(_ body: (Transaction) throws(Failure) -> T) throws(Failure) -> T {
        try lock.withLock { _ throws(Failure) in
            _ = try unlockedQuery("BEGIN IMMEDIATE", [])
            do throws(Failure) {
                let value = try body(Transaction(connection: self))
                _ = try unlockedQuery("COMMIT", [])
                return value
            } catch {
                _ = try? unlockedQuery("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The statements of one `transaction`, run while its lock is held.
    struct Transaction {
        fileprivate let connection: SQLite

        @discardableResult
        func query(_ sql: String, _ parameters: [Datum] = []) throws(Failure) -> [[Datum]] {
            try connection.unlockedQuery(sql, parameters)
        }

        func execute(_ sql: String) throws(Failure) {
            try connection.unlockedExecute(sql)
        }

        /// The row id of this transaction's last insert (the C call: no `SELECT last_insert_rowid()` to compile).
        var lastInsertID: Int64 { sqlite3_last_insert_rowid(connection.handle) }
    }

    /// The row id of the last insert on this connection.
    var lastInsertID: Int64 { lock.withLock { _ in sqlite3_last_insert_rowid(handle) } }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    private func unlockedQuery(_ sql: String, _ parameters: [Datum]) throws(Failure) -> [[Datum]] {
        let statement = try compile(sql)
        defer { sqlite3_finalize(statement) }
        return try run(statement, sql, parameters)
    }

    private func compile(_ sql: String) throws(Failure) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(message: "\(lastError) in: \(sql)")
        }
        return statement
    }

    /// Binds `parameters` to a compiled statement and steps it to the end; `sql` is for the error message.
    private func run(_ statement: OpaquePointer, _ sql: String, _ parameters: [Datum]) throws(Failure) -> [[Datum]] {
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            switch parameter {
            case .null: sqlite3_bind_null(statement, index)
            case .int(let value): sqlite3_bind_int64(statement, index, value)
            case .double(let value): sqlite3_bind_double(statement, index, value)
            case .text(let value): sqlite3_bind_text(statement, index, value, -1, csqlite_transient())
            case .utf8(let bytes):
                _ = bytes.withUnsafeBytes { raw in
                    if let start = raw.baseAddress {
                        sqlite3_bind_text(statement, index, start.assumingMemoryBound(to: CChar.self), Int32(raw.count), csqlite_transient())
                    } else {
                        sqlite3_bind_text(statement, index, "", 0, csqlite_transient())
                    }
                }
            }
        }
        var rows: [[Datum]] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw Failure(message: "\(lastError) in: \(sql)") }
            var row: [Datum] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, column)))
                case SQLITE_NULL: row.append(.null)
                default: row.append(.text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""))
                }
            }
            rows.append(row)
        }
        return rows
    }
}
