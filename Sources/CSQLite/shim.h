#include <sqlite3.h>

/// How long, in milliseconds, a connection waits for another's write lock (`SQLite.init`); the checkpoint
/// hook below sets it to 0 for its checkpoint and back to this.
#define CSQLITE_BUSY_TIMEOUT_MS 5000

/// SQLITE_TRANSIENT is a cast macro Swift cannot import: bound text is copied by SQLite at once.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// The last connection to close would checkpoint the WAL into the database (two fsyncs, tens of
/// milliseconds on a busy disk) at the end of every run; the checkpoint after a commit that leaves the WAL
/// long (`csqlite_truncating_checkpoints`) does it now and then instead. sqlite3_db_config is variadic, which
/// Swift cannot call.
static inline int csqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// Turns SQLite's memory statistics off (before its first use in the process): they take a global mutex at
/// every allocation and planrun never reads them. sqlite3_config is variadic, which Swift cannot call.
static inline int csqlite_no_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// After a commit (the WAL hook), once the WAL holds `pages` frames or more: checkpoint it and truncate it to
/// nothing, without waiting for another connection (busy: it is tried again after the next commit).
///
/// Why not SQLite's automatic checkpoint: it leaves the WAL's frames in place, and only the next write of the
/// same connection starts the WAL over. A planrun writes once (a run shorter than the recorder's first flush)
/// and exits; the next opens the store alone and reads the WAL back from its start, not knowing its frames
/// are in the database already, so no write ever started it over: the WAL grew by every run and every commit
/// checkpointed all of it again (two fsyncs a run). Truncated, it is read back from nothing.
static inline int csqlite_truncate_when_long(void *pages, sqlite3 *db, const char *name, int frames) {
    if (frames >= (int)(long)pages) {
        sqlite3_busy_timeout(db, 0);
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, (int *)0, (int *)0);
        sqlite3_busy_timeout(db, CSQLITE_BUSY_TIMEOUT_MS);
    }
    return SQLITE_OK;
}

static inline void csqlite_truncating_checkpoints(sqlite3 *db, int pages) {
    sqlite3_wal_hook(db, csqlite_truncate_when_long, (void *)(long)pages);
}
