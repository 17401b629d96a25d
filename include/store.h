#ifndef NEWSDIGEST_STORE_H
#define NEWSDIGEST_STORE_H
/*
 * The store: one SQLite file in WAL mode with foreign keys on, its schema
 * versioned with PRAGMA user_version and migrated forward on open. Outside
 * scripts read the tables feeds, items, subscribers and deliveries; their
 * names and meanings are a contract.
 *
 * Writers also take the run lock (a file beside the store, flock(2)), so two
 * newsdigest processes that write never interleave.
 */
#include <sqlite3.h>

#include "buf.h"

enum store_error {
	STORE_OK = 0,
	STORE_ENOTDB,     /* the file is not an SQLite database */
	STORE_EREADONLY,  /* the file or its folder cannot be written */
	STORE_ENEWER,     /* made by a newer newsdigest */
	STORE_ELOCKED,    /* another newsdigest holds the run lock */
	STORE_EIO,        /* cannot create or open the file */
	STORE_ESQL        /* any other SQLite failure */
};

struct store {
	sqlite3 *db;
	char *path;
	int lock_fd;               /* -1 while the run lock is not held */
	enum store_error code;     /* set by the call that failed */
};

/* The schema version this program writes. */
#define STORE_SCHEMA_VERSION 6

/*
 * Open (creating it, mode 0600) and migrate the store at `path`. SQLite waits
 * busy_timeout_ms for a writer before failing. Returns 0, or -1 with
 * st->code set and "store 'PATH': ..." appended to err; st is then closed.
 */
int store_open(struct store *st, const char *path, long busy_timeout_ms,
	       struct buf *err);
/* Migrate no further than `version` (for tests that build older stores). */
int store_open_version(struct store *st, const char *path, long busy_timeout_ms,
		       int version, struct buf *err);
/* Close and release the run lock. Safe on a store that failed to open. */
void store_close(struct store *st);

/*
 * Take the run lock, waiting up to timeout_s seconds. Returns 0, or -1 with
 * st->code = STORE_ELOCKED and "another newsdigest is running (pid N)".
 */
int store_lock(struct store *st, long timeout_s, struct buf *err);

/* Transactions (BEGIN IMMEDIATE: the write lock is taken at once). */
int store_begin(struct store *st, struct buf *err);
int store_commit(struct store *st, struct buf *err);
/* Roll back if a transaction is open; never fails. */
void store_rollback(struct store *st);

/* Prepare `sql`; returns 0 or -1 with the reason in err. */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		  struct buf *err);
/* Run a query whose answer is one integer (a count, a pragma). Returns 0,
 * or -1 with the reason (`what` failed) in err. */
int store_query_int(struct store *st, const char *sql, const char *what,
		    long long *value, struct buf *err);
/* A copy of column col of the current row (free it), or NULL for SQL NULL. */
char *store_column_dup(sqlite3_stmt *stmt, int col);
/* Run SQL without results; returns 0 or -1 with the reason in err. */
int store_exec(struct store *st, const char *sql, struct buf *err);
/* Append "store 'PATH': <what>: <SQLite's message>" to err; returns -1. */
int store_fail(struct store *st, const char *what, struct buf *err);

/* The meta table: small named values (what was seeded, and when). */
int store_meta_get(struct store *st, const char *key, struct buf *value,
		   struct buf *err);   /* 1 found, 0 absent, -1 error */
int store_meta_set(struct store *st, const char *key, const char *value,
		   struct buf *err);

/* The exit status (sysexits.h) for an error code. */
int store_exitcode(enum store_error code);

#endif
