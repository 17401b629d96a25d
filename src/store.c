#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

/*
 * Migrations, oldest first: migrations[i] takes the schema from version i to
 * i + 1. Never edit one that has shipped; append a new one.
 */
static const char *const migrations[] = {
	/* 1: feeds and subscribers */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  url TEXT NOT NULL UNIQUE,"
	"  title TEXT,"
	"  html_url TEXT,"
	"  category TEXT NOT NULL DEFAULT '',"
	"  lang TEXT,"
	"  position INTEGER NOT NULL,"
	"  added_at INTEGER NOT NULL,"
	"  etag TEXT,"
	"  last_modified TEXT,"
	"  status TEXT NOT NULL DEFAULT 'never' CHECK (status IN ('never', 'ok', 'error')),"
	"  error TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  last_fetched_at INTEGER,"
	"  next_fetch_at INTEGER,"
	"  disabled INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE subscribers ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  lang TEXT NOT NULL DEFAULT 'en',"
	"  status TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (status IN ('active', 'unsubscribed', 'removed', 'bounced')),"
	"  token TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);",

	/* 2: the pipeline after fetching: items, their topics, digests and the
	 * delivery journal */
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  guid TEXT NOT NULL,"
	"  url TEXT,"
	"  canonical_url TEXT,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  content TEXT,"
	"  author TEXT,"
	"  published_at INTEGER,"
	"  fetched_at INTEGER NOT NULL,"
	"  updated_at INTEGER,"
	"  lang TEXT,"
	"  UNIQUE (feed, guid));"
	"CREATE INDEX items_canonical_url ON items(canonical_url);"
	"CREATE INDEX items_published_at ON items(published_at);"
	"CREATE TABLE item_topics ("
	"  item INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	"  topic TEXT NOT NULL,"
	"  score REAL NOT NULL,"
	"  evidence TEXT,"
	"  PRIMARY KEY (item, topic));"
	"CREATE TABLE digests ("
	"  id INTEGER PRIMARY KEY,"
	"  week TEXT NOT NULL UNIQUE,"
	"  path TEXT NOT NULL,"
	"  written_hash TEXT,"
	"  approved_hash TEXT,"
	"  approved_at INTEGER,"
	"  sent_at INTEGER);"
	"CREATE TABLE deliveries ("
	"  digest INTEGER NOT NULL REFERENCES digests(id),"
	"  subscriber INTEGER NOT NULL REFERENCES subscribers(id),"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sending', 'sent', 'tempfail', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  reply TEXT,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (digest, subscriber));",

	/* 3: what the fetcher keeps of an item beyond the sketch: the plain
	 * excerpt the composer shows, categories, and the feed's own title */
	"ALTER TABLE items ADD COLUMN summary_text TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE items ADD COLUMN categories TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE feeds ADD COLUMN feed_title TEXT;"
	"CREATE INDEX items_feed ON items(feed);",

	/* 4: the curator: when an item was tagged, its score and decision,
	 * the story cluster it belongs to (the id of its first item), and the
	 * topics a feed leans to */
	"ALTER TABLE items ADD COLUMN curated_at INTEGER;"
	"ALTER TABLE items ADD COLUMN score REAL;"
	"ALTER TABLE items ADD COLUMN included INTEGER;"
	"ALTER TABLE items ADD COLUMN cluster INTEGER;"
	"ALTER TABLE feeds ADD COLUMN topics TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX items_curated_at ON items(curated_at);"
	"CREATE INDEX items_cluster ON items(cluster);",

	/* 5: the composer: its window's index (an item's date is when it was
	 * published, else when it was fetched), and issue numbers */
	"CREATE INDEX items_when ON items(coalesce(published_at, fetched_at));"
	"ALTER TABLE digests ADD COLUMN issue INTEGER;",

	/* 6: the sender: when a digest's send began (its messages' Date; the
	 * subscribers it was for were fixed then), and deliveries by
	 * subscriber, for counting an address's bounces */
	"ALTER TABLE digests ADD COLUMN send_started_at INTEGER;"
	"CREATE INDEX deliveries_subscriber ON deliveries(subscriber);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

int store_fail(struct store *st, const char *what, struct buf *err)
{
	int rc = st->db ? sqlite3_extended_errcode(st->db) : SQLITE_ERROR;

	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
		st->code = STORE_ENOTDB;
		buf_addf(err, "store '%s' is damaged: %s: %s (restore it from a backup)",
			 st->path, what, sqlite3_errmsg(st->db));
		return -1;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		st->code = STORE_EIO;
		buf_addf(err, "store '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
		return -1;
	case SQLITE_NOTADB:
		st->code = STORE_ENOTDB;
		buf_addf(err, "store '%s' is not an SQLite database "
			 "(check [store] path, or move the file away)", st->path);
		return -1;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		st->code = (rc & 0xff) == SQLITE_CANTOPEN ? STORE_EIO : STORE_EREADONLY;
		buf_addf(err, "store '%s': %s: %s (the file and its folder must be "
			 "writable: SQLite writes '-wal' and '-shm' files beside it)",
			 st->path, what, sqlite3_errmsg(st->db));
		return -1;
	default:
		st->code = STORE_ESQL;
		buf_addf(err, "store '%s': %s: %s", st->path, what,
			 st->db ? sqlite3_errmsg(st->db) : "cannot open");
		return -1;
	}
}

int store_exec(struct store *st, const char *sql, struct buf *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, "cannot update", err);
	return 0;
}

int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		  struct buf *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_fail(st, "cannot prepare a query", err);
	return 0;
}

int store_begin(struct store *st, struct buf *err)
{
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *st, struct buf *err)
{
	return store_exec(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_query_int(struct store *st, const char *sql, const char *what,
		    long long *value, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		store_fail(st, what, err);
		goto out;
	}
	*value = sqlite3_column_int64(stmt, 0);
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

static int user_version(struct store *st, int *version, struct buf *err)
{
	long long v;

	if (store_query_int(st, "PRAGMA user_version", "cannot read the schema version",
			    &v, err) < 0)
		return -1;
	*version = (int)v;
	return 0;
}

static int migrate(struct store *st, int target, struct buf *err)
{
	char sql[64];
	int version;

	if (user_version(st, &version, err) < 0)
		return -1;
	if (version > STORE_SCHEMA_VERSION) {
		st->code = STORE_ENEWER;
		buf_addf(err, "store '%s' has schema version %d, newer than this "
			 "newsdigest's %d: upgrade newsdigest", st->path, version,
			 STORE_SCHEMA_VERSION);
		return -1;
	}
	while (version < target) {
		if (store_begin(st, err) < 0)
			return -1;
		/* another process may have migrated while we waited for the lock */
		if (user_version(st, &version, err) < 0)
			goto fail;
		if (version >= target)
			break;
		if (sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			store_fail(st, "cannot migrate the schema", err);
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (store_exec(st, sql, err) < 0 || store_commit(st, err) < 0)
			goto fail;
		version++;
	}
	if (!sqlite3_get_autocommit(st->db))
		return store_commit(st, err);
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* SQLite creates files 0644; subscriber addresses are nobody else's business.
 * Its -wal and -shm files copy the mode of the database file. */
static int create_private(struct store *st, struct buf *err)
{
	int fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	st->code = errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO;
	buf_addf(err, "store '%s': cannot create: %s", st->path, strerror(errno));
	return -1;
}

int store_open_version(struct store *st, const char *path, long busy_timeout_ms,
		       int version, struct buf *err)
{
	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	st->path = xstrdup(path);
	if (create_private(st, err) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		store_fail(st, "cannot open", err);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, (int)busy_timeout_ms);
	/* the first statement reads the header: a non-database fails here */
	if (store_exec(st, "PRAGMA foreign_keys = ON", err) < 0 ||
	    store_exec(st, "PRAGMA journal_mode = WAL", err) < 0)
		goto fail;
	if (sqlite3_db_readonly(st->db, "main")) {
		st->code = STORE_EREADONLY;
		buf_addf(err, "store '%s' is read-only: newsdigest needs to write "
			 "it and its folder", path);
		goto fail;
	}
	/* FULL: a delivery marked sent must stay sent after a power cut */
	if (store_exec(st, "PRAGMA synchronous = FULL", err) < 0 ||
	    migrate(st, version, err) < 0)
		goto fail;
	return 0;
fail:
	store_close(st);
	return -1;
}

int store_open(struct store *st, const char *path, long busy_timeout_ms,
	       struct buf *err)
{
	return store_open_version(st, path, busy_timeout_ms, STORE_SCHEMA_VERSION, err);
}

void store_close(struct store *st)
{
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
	free(st->path);
	st->path = NULL;
}

static long lock_holder(int fd)
{
	char pid[32] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

	if (n <= 0)
		return 0;
	pid[n] = '\0';
	return strtol(pid, NULL, 10);
}

int store_lock(struct store *st, long timeout_s, struct buf *err)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct buf lock_path = BUF_INIT;
	char pid[32];
	long waited_ms = 0;
	int fd = -1;
	int ret = -1;
	int len;

	if (st->lock_fd >= 0)
		return 0;
	buf_addf(&lock_path, "%s.lock", st->path);
	fd = open(lock_path.s, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		st->code = STORE_EREADONLY;
		buf_addf(err, "cannot create the run lock '%s': %s", lock_path.s,
			 strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			st->code = STORE_EIO;
			buf_addf(err, "cannot lock '%s': %s", lock_path.s, strerror(errno));
			goto out;
		}
		if (waited_ms >= timeout_s * 1000) {
			st->code = STORE_ELOCKED;
			buf_addf(err, "another newsdigest is running (pid %ld); waited %ld s "
				 "for it (see [store] lock_timeout)", lock_holder(fd), timeout_s);
			goto out;
		}
		nanosleep(&pause, NULL);
		waited_ms += 100;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		st->code = STORE_EIO;
		buf_addf(err, "cannot write the run lock '%s': %s", lock_path.s,
			 strerror(errno));
		goto out;
	}
	st->lock_fd = fd;
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_release(&lock_path);
	return ret;
}

int store_meta_get(struct store *st, const char *key, struct buf *value,
		   struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;
	int rc;

	if (store_prepare(st, "SELECT value FROM meta WHERE key = ?", &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		buf_reset(value);
		buf_addstr(value, (const char *)sqlite3_column_text(stmt, 0));
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		store_fail(st, "cannot read meta", err);
	}
out:
	sqlite3_finalize(stmt);
	return ret;
}

int store_meta_set(struct store *st, const char *key, const char *value,
		   struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;

	if (store_prepare(st, "INSERT INTO meta (key, value) VALUES (?, ?) "
			  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			  &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(st, "cannot write meta", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

int store_exitcode(enum store_error code)
{
	switch (code) {
	case STORE_OK: return EX_OK;
	case STORE_ENOTDB: return EX_DATAERR;
	case STORE_EREADONLY: return EX_CANTCREAT;
	case STORE_ENEWER: return EX_DATAERR;
	case STORE_ELOCKED: return EX_TEMPFAIL;
	case STORE_EIO: return EX_IOERR;
	case STORE_ESQL: return EX_TEMPFAIL;
	}
	return EX_SOFTWARE;
}

char *store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);

	return v ? xstrdup((const char *)v) : NULL;
}
