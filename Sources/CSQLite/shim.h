#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro Swift cannot import: bound text is copied by SQLite at once.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// The last connection to close would checkpoint the WAL into the database (two fsyncs, tens of
/// milliseconds on a busy disk) at the end of every run; SQLite's automatic checkpoint (every 64 pages, set
/// by RunStore) does it now and then instead. sqlite3_db_config is variadic, which Swift cannot call.
static inline int csqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// Turns SQLite's memory statistics off (before its first use in the process): they take a global mutex at
/// every allocation and planrun never reads them. sqlite3_config is variadic, which Swift cannot call.
static inline int csqlite_no_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
