#include "subscribers.h"

#include <ctype.h>
#include <libxml/xmlstring.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
#include "csv.h"
#include "token.h"

/* header columns, in the order export writes them */
enum column { COL_EMAIL, COL_NAME, COL_LANG, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = { "email", "name", "lang" };

struct import_ctx {
	struct store *st;
	const struct subscribers_import_options *opt;
	subscribers_note_fn note;
	void *data;
	struct subscribers_import_report *report;
	int column_of[NCOLUMNS];        /* field index of each column, -1 if absent */
	size_t nheader;
	sqlite3_stmt *seen_find;
	sqlite3_stmt *seen_add;
	sqlite3_stmt *find;
	sqlite3_stmt *insert;
	sqlite3_stmt *update;
	struct buf raw, email, lang, reason, message, token;
};

static void trim(const char *s, struct buf *out)
{
	const char *end = s + strlen(s);

	while (*s && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	buf_reset(out);
	buf_add(out, s, (size_t)(end - s));
}

static int check_name(const char *name, long max_bytes, struct buf *err)
{
	const unsigned char *p;

	if ((long)strlen(name) > max_bytes) {
		buf_addf(err, "invalid name (longer than %ld bytes)", max_bytes);
		return -1;
	}
	if (!xmlCheckUTF8((const xmlChar *)name)) {
		buf_addstr(err, "invalid name (not UTF-8)");
		return -1;
	}
	/* names reach mail headers: CR, LF and friends are never harmless */
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			buf_addstr(err, "invalid name (control character)");
			return -1;
		}
	}
	return 0;
}

static int check_lang(const char *lang, const char *default_lang,
		      struct buf *out, struct buf *err)
{
	size_t i, letters = 0;

	buf_reset(out);
	if (!*lang)
		lang = default_lang;
	for (i = 0; lang[i] && isalpha((unsigned char)lang[i]); i++)
		letters++;
	if (letters < 2 || letters > 3 ||
	    (lang[i] && (lang[i] != '-' || !isalpha((unsigned char)lang[i + 1]) ||
			 !isalpha((unsigned char)lang[i + 2]) || lang[i + 3]))) {
		buf_addstr(err, "invalid language (expected a tag such as 'en', 'fr' or 'fr-CA')");
		return -1;
	}
	for (i = 0; lang[i]; i++)
		buf_addch(out, i < letters ? tolower((unsigned char)lang[i])
					   : (lang[i] == '-' ? '-' : toupper((unsigned char)lang[i])));
	return 0;
}

int subscribers_check(const char *email, const char *name, const char *lang,
		      const char *default_lang, long max_bytes,
		      struct buf *email_out, struct buf *lang_out, struct buf *err)
{
	struct buf reason = BUF_INIT;
	int ret = -1;

	if (address_normalize(email, email_out, &reason) < 0) {
		buf_addf(err, "invalid address (%s)", reason.s);
		goto out;
	}
	if (check_name(name, max_bytes, err) < 0 ||
	    check_lang(lang, default_lang, lang_out, err) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&reason);
	return ret;
}

static int new_token(struct store *st, struct buf *token, struct buf *err)
{
	if (token_new(token, err) < 0) {
		st->code = STORE_EIO;
		return -1;
	}
	return 0;
}

int subscribers_add(struct store *st, const char *email, const char *name,
		    const char *lang, const char *default_lang, long max_bytes,
		    int *bad_input, struct buf *err)
{
	struct buf addr = BUF_INIT, tag = BUF_INIT, clean_name = BUF_INIT, token = BUF_INIT;
	sqlite3_stmt *stmt = NULL;
	long long now = (long long)time(NULL);
	int ret = -1;
	int rc;

	*bad_input = 0;
	trim(name ? name : "", &clean_name);
	{
		struct buf clean_email = BUF_INIT;

		trim(email, &clean_email);
		rc = subscribers_check(clean_email.s, clean_name.s, lang ? lang : "",
				       default_lang, max_bytes, &addr, &tag, err);
		buf_release(&clean_email);
	}
	if (rc < 0) {
		*bad_input = 1;
		goto out;
	}
	if (store_begin(st, err) < 0)
		goto out;
	if (store_prepare(st, "SELECT status, name, lang FROM subscribers WHERE email = ?",
			  &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, addr.s, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		ret = SUBSCRIBER_ADDED;
	} else if (rc != SQLITE_ROW) {
		store_fail(st, "cannot read subscribers", err);
		goto out;
	} else if (strcmp((const char *)sqlite3_column_text(stmt, 0), "active")) {
		ret = SUBSCRIBER_RESUBSCRIBED;
	} else if ((name && strcmp((const char *)sqlite3_column_text(stmt, 1), clean_name.s)) ||
		   (lang && strcmp((const char *)sqlite3_column_text(stmt, 2), tag.s))) {
		ret = SUBSCRIBER_UPDATED;
	} else {
		ret = SUBSCRIBER_UNCHANGED;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (ret == SUBSCRIBER_UNCHANGED)
		goto commit;
	if (ret == SUBSCRIBER_ADDED) {
		if (new_token(st, &token, err) < 0 ||
		    store_prepare(st, "INSERT INTO subscribers (email, name, lang, token, "
				  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				  &stmt, err) < 0) {
			ret = -1;
			goto out;
		}
		sqlite3_bind_text(stmt, 4, token.s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, now);
		sqlite3_bind_int64(stmt, 6, now);
	} else {
		/* an omitted name or language keeps what was stored */
		if (store_prepare(st, "UPDATE subscribers SET name = coalesce(?2, name), "
				  "lang = coalesce(?3, lang), status = 'active', "
				  "updated_at = ?4 WHERE email = ?1", &stmt, err) < 0) {
			ret = -1;
			goto out;
		}
		sqlite3_bind_int64(stmt, 4, now);
	}
	sqlite3_bind_text(stmt, 1, addr.s, -1, SQLITE_STATIC);
	if (name || ret == SUBSCRIBER_ADDED)
		sqlite3_bind_text(stmt, 2, clean_name.s, -1, SQLITE_STATIC);
	if (lang || ret == SUBSCRIBER_ADDED)
		sqlite3_bind_text(stmt, 3, tag.s, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(st, "cannot store the subscriber", err);
		ret = -1;
		goto out;
	}
commit:
	if (store_commit(st, err) < 0)
		ret = -1;
out:
	sqlite3_finalize(stmt);
	if (ret < 0)
		store_rollback(st);
	buf_release(&addr);
	buf_release(&tag);
	buf_release(&clean_name);
	buf_release(&token);
	return ret;
}

static int set_status(struct store *st, const char *sql, const char *key,
		      struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;

	if (store_prepare(st, sql, &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(st, "cannot update the subscriber", err);
		goto out;
	}
	ret = sqlite3_changes(st->db) > 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

int subscribers_remove(struct store *st, const char *email, struct buf *err)
{
	struct buf clean = BUF_INIT, normal = BUF_INIT, reason = BUF_INIT;
	int ret;

	trim(email, &clean);
	/* match the stored form (A-label domain); an address that does not
	 * parse may still be in an old store as typed */
	ret = set_status(st, "UPDATE subscribers SET status = 'removed', updated_at = ?2 "
			 "WHERE email = ?1 AND status = 'active'",
			 address_normalize(clean.s, &normal, &reason) == 0 ? normal.s : clean.s,
			 err);
	buf_release(&clean);
	buf_release(&normal);
	buf_release(&reason);
	return ret;
}

int subscribers_unsubscribe(struct store *st, const char *token,
			    struct buf *email_out, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;
	int rc;

	if (!token_valid(token))
		return 0;
	if (store_prepare(st, "SELECT email, status FROM subscribers WHERE token = ?",
			  &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_fail(st, "cannot read subscribers", err);
		goto out;
	}
	buf_reset(email_out);
	buf_addstr(email_out, (const char *)sqlite3_column_text(stmt, 0));
	if (strcmp((const char *)sqlite3_column_text(stmt, 1), "active")) {
		ret = 2;
		goto out;
	}
	ret = set_status(st, "UPDATE subscribers SET status = 'unsubscribed', "
			 "updated_at = ?2 WHERE token = ?1", token, err);
out:
	sqlite3_finalize(stmt);
	return ret;
}

static void note_row(struct import_ctx *ctx, int is_error, unsigned long line,
		     const char *email, const char *reason)
{
	buf_reset(&ctx->message);
	buf_addf(&ctx->message, "line %lu: '", line);
	buf_addsanitized(&ctx->message, email);
	buf_addf(&ctx->message, "': %s", reason);
	ctx->note(is_error, ctx->message.s, ctx->data);
}

static int read_header(struct import_ctx *ctx, struct csv_reader *r, struct buf *err)
{
	struct buf name = BUF_INIT;
	size_t i;
	int c;
	int ret = -1;

	for (c = 0; c < NCOLUMNS; c++)
		ctx->column_of[c] = -1;
	for (i = 0; i < r->nfields; i++) {
		trim(r->fields[i].s, &name);
		for (c = 0; c < NCOLUMNS; c++)
			if (!strcasecmp(name.s, column_names[c]))
				break;
		if (c == NCOLUMNS) {
			buf_addf(err, "line %lu: unknown column '", r->line);
			buf_addsanitized(err, name.s);
			buf_addstr(err, "' (the columns are email, name and lang; only email is required)");
			goto out;
		}
		if (ctx->column_of[c] >= 0) {
			buf_addf(err, "line %lu: column '%s' appears twice", r->line,
				 column_names[c]);
			goto out;
		}
		ctx->column_of[c] = (int)i;
	}
	if (ctx->column_of[COL_EMAIL] < 0) {
		buf_addf(err, "line %lu: no 'email' column (the first line must be a "
			 "header such as 'email,name,lang')", r->line);
		goto out;
	}
	ctx->nheader = r->nfields;
	ret = 0;
out:
	buf_release(&name);
	return ret;
}

static const char *field(struct import_ctx *ctx, struct csv_reader *r, enum column c)
{
	return ctx->column_of[c] >= 0 ? r->fields[ctx->column_of[c]].s : "";
}

/* One data row: skip it with a note, or insert or update the subscriber. */
static int import_row(struct import_ctx *ctx, struct csv_reader *r, struct buf *err)
{
	struct subscribers_import_report *rep = ctx->report;
	struct buf name = BUF_INIT;
	const char *status;
	int ret = -1;
	int rc;

	trim(field(ctx, r, COL_EMAIL), &ctx->raw);
	if (r->nfields != ctx->nheader) {
		buf_reset(&ctx->reason);
		buf_addf(&ctx->reason, "%zu fields, but the header has %zu", r->nfields,
			 ctx->nheader);
		goto reject;
	}
	trim(field(ctx, r, COL_NAME), &name);
	buf_reset(&ctx->reason);
	rc = subscribers_check(ctx->raw.s, name.s, field(ctx, r, COL_LANG),
			       ctx->opt->default_lang, ctx->opt->max_field_bytes,
			       &ctx->email, &ctx->lang, &ctx->reason);
	if (rc < 0)
		goto reject;

	/* the same address earlier in this file? */
	sqlite3_reset(ctx->seen_find);
	sqlite3_bind_text(ctx->seen_find, 1, ctx->email.s, -1, SQLITE_STATIC);
	rc = sqlite3_step(ctx->seen_find);
	if (rc == SQLITE_ROW) {
		buf_reset(&ctx->reason);
		buf_addf(&ctx->reason, "duplicate of line %lld, skipped",
			 (long long)sqlite3_column_int64(ctx->seen_find, 0));
		note_row(ctx, 0, r->line, ctx->raw.s, ctx->reason.s);
		rep->duplicates++;
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_DONE)
		goto store_error;
	sqlite3_reset(ctx->seen_add);
	sqlite3_bind_text(ctx->seen_add, 1, ctx->email.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ctx->seen_add, 2, (sqlite3_int64)r->line);
	if (sqlite3_step(ctx->seen_add) != SQLITE_DONE)
		goto store_error;

	sqlite3_reset(ctx->find);
	sqlite3_bind_text(ctx->find, 1, ctx->email.s, -1, SQLITE_STATIC);
	rc = sqlite3_step(ctx->find);
	if (rc == SQLITE_ROW) {
		status = (const char *)sqlite3_column_text(ctx->find, 1);
		if (strcmp(status, "active")) {
			buf_reset(&ctx->reason);
			buf_addf(&ctx->reason, "%s earlier, not resubscribed (use "
				 "'subscribers add' to resubscribe)", status);
			note_row(ctx, 0, r->line, ctx->raw.s, ctx->reason.s);
			rep->suppressed++;
			ret = 0;
			goto out;
		}
		/* a column the file does not have keeps what is stored */
		if (ctx->column_of[COL_NAME] < 0)
			buf_addstr(&name, (const char *)sqlite3_column_text(ctx->find, 2));
		if (ctx->column_of[COL_LANG] < 0) {
			buf_reset(&ctx->lang);
			buf_addstr(&ctx->lang, (const char *)sqlite3_column_text(ctx->find, 3));
		}
		if (!strcmp((const char *)sqlite3_column_text(ctx->find, 2), name.s) &&
		    !strcmp((const char *)sqlite3_column_text(ctx->find, 3), ctx->lang.s)) {
			rep->unchanged++;
			ret = 0;
			goto out;
		}
		sqlite3_reset(ctx->update);
		sqlite3_bind_text(ctx->update, 1, name.s, -1, SQLITE_STATIC);
		sqlite3_bind_text(ctx->update, 2, ctx->lang.s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ctx->update, 3, (sqlite3_int64)time(NULL));
		sqlite3_bind_int64(ctx->update, 4, sqlite3_column_int64(ctx->find, 0));
		if (sqlite3_step(ctx->update) != SQLITE_DONE)
			goto store_error;
		rep->updated++;
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_DONE)
		goto store_error;
	if (new_token(ctx->st, &ctx->token, err) < 0)
		goto out;
	sqlite3_reset(ctx->insert);
	sqlite3_bind_text(ctx->insert, 1, ctx->email.s, -1, SQLITE_STATIC);
	sqlite3_bind_text(ctx->insert, 2, name.s, -1, SQLITE_STATIC);
	sqlite3_bind_text(ctx->insert, 3, ctx->lang.s, -1, SQLITE_STATIC);
	sqlite3_bind_text(ctx->insert, 4, ctx->token.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ctx->insert, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(ctx->insert) != SQLITE_DONE)
		goto store_error;
	rep->added++;
	ret = 0;
	goto out;
reject:
	note_row(ctx, 1, r->line, ctx->raw.s, ctx->reason.s);
	rep->rejected++;
	ret = 0;
	goto out;
store_error:
	store_fail(ctx->st, "cannot store a subscriber", err);
out:
	buf_release(&name);
	return ret;
}

static void import_release(struct import_ctx *ctx)
{
	sqlite3_finalize(ctx->seen_find);
	sqlite3_finalize(ctx->seen_add);
	sqlite3_finalize(ctx->find);
	sqlite3_finalize(ctx->insert);
	sqlite3_finalize(ctx->update);
	ctx->seen_find = ctx->seen_add = ctx->find = ctx->insert = ctx->update = NULL;
	buf_release(&ctx->raw);
	buf_release(&ctx->email);
	buf_release(&ctx->lang);
	buf_release(&ctx->reason);
	buf_release(&ctx->message);
	buf_release(&ctx->token);
}

static int import_prepare(struct import_ctx *ctx, struct buf *err)
{
	struct store *st = ctx->st;

	/* the addresses seen in this file: a temporary table keeps memory flat
	 * however long the file is */
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS import_seen ("
			  "email TEXT PRIMARY KEY COLLATE NOCASE, line INTEGER NOT NULL);"
			  "DELETE FROM temp.import_seen", err) < 0 ||
	       store_prepare(st, "SELECT line FROM temp.import_seen WHERE email = ?",
			     &ctx->seen_find, err) < 0 ||
	       store_prepare(st, "INSERT INTO temp.import_seen (email, line) VALUES (?, ?)",
			     &ctx->seen_add, err) < 0 ||
	       store_prepare(st, "SELECT id, status, name, lang FROM subscribers "
			     "WHERE email = ?", &ctx->find, err) < 0 ||
	       store_prepare(st, "INSERT INTO subscribers (email, name, lang, token, "
			     "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
			     &ctx->insert, err) < 0 ||
	       store_prepare(st, "UPDATE subscribers SET name = ?, lang = ?, "
			     "updated_at = ? WHERE id = ?", &ctx->update, err) < 0 ? -1 : 0;
}

int subscribers_import_csv(struct store *st, FILE *in,
			   const struct subscribers_import_options *opt,
			   subscribers_note_fn note, void *data,
			   struct progress *progress,
			   struct subscribers_import_report *report,
			   int *bad_input, struct buf *err)
{
	struct import_ctx ctx = { 0 };
	struct csv_reader r;
	int header_done = 0;
	int ret = -1;
	int rc;

	memset(report, 0, sizeof(*report));
	*bad_input = 0;
	ctx.st = st;
	ctx.opt = opt;
	ctx.note = note;
	ctx.data = data;
	ctx.report = report;
	buf_init(&ctx.raw, 0);
	buf_init(&ctx.email, 0);
	buf_init(&ctx.lang, 0);
	buf_init(&ctx.reason, 0);
	buf_init(&ctx.message, 0);
	buf_init(&ctx.token, 0);
	/* a header or row with this many fields is not a subscriber list */
	csv_reader_init(&r, in, (size_t)opt->max_field_bytes, 64);
	if (store_begin(st, err) < 0)
		goto out;
	if (import_prepare(&ctx, err) < 0)
		goto out;
	while ((rc = csv_read(&r, err)) != CSV_EOF) {
		if (rc == CSV_FATAL) {
			*bad_input = 1;
			goto out;
		}
		if (progress)
			progress_update(progress, r.offset);
		if (!header_done) {
			if (rc == CSV_BADROW || read_header(&ctx, &r, err) < 0) {
				*bad_input = 1;
				goto out;
			}
			header_done = 1;
			continue;
		}
		if (++report->rows > opt->max_rows) {
			buf_addf(err, "line %lu: more than %ld rows (raise [subscribers] "
				 "max_import_rows, or split the file)", r.line, opt->max_rows);
			*bad_input = 1;
			goto out;
		}
		if (rc == CSV_BADROW) {
			/* csv_read said why; the row goes to the report, not the err */
			note(1, err->s, data);
			buf_reset(err);
			report->rejected++;
			continue;
		}
		if (import_row(&ctx, &r, err) < 0)
			goto out;
	}
	if (!header_done) {
		buf_addstr(err, "empty file: expected a header line 'email,name,lang' "
			   "and one subscriber per line");
		*bad_input = 1;
		goto out;
	}
	import_release(&ctx);
	if (opt->dry_run)
		store_rollback(st);
	else if (store_commit(st, err) < 0)
		goto out;
	ret = 0;
out:
	import_release(&ctx);
	if (ret < 0)
		store_rollback(st);
	csv_reader_release(&r);
	return ret;
}

int subscribers_foreach(struct store *st, int all, subscribers_row_fn fn,
			void *data, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	struct subscriber_row row;
	int ret = -1;
	int rc;

	if (store_prepare(st, all ?
			  "SELECT id, email, name, lang, status, token, created_at, "
			  "updated_at FROM subscribers ORDER BY id" :
			  "SELECT id, email, name, lang, status, token, created_at, "
			  "updated_at FROM subscribers WHERE status = 'active' ORDER BY id",
			  &stmt, err) < 0)
		goto out;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.email = (const char *)sqlite3_column_text(stmt, 1);
		row.name = (const char *)sqlite3_column_text(stmt, 2);
		row.lang = (const char *)sqlite3_column_text(stmt, 3);
		row.status = (const char *)sqlite3_column_text(stmt, 4);
		row.token = (const char *)sqlite3_column_text(stmt, 5);
		row.created_at = sqlite3_column_int64(stmt, 6);
		row.updated_at = sqlite3_column_int64(stmt, 7);
		ret = fn(&row, data);
		if (ret)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "cannot read subscribers", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

struct export_ctx {
	FILE *out;
	struct buf line;
};

static int export_row(const struct subscriber_row *row, void *data)
{
	struct export_ctx *ctx = data;

	buf_reset(&ctx->line);
	csv_add_field(&ctx->line, row->email);
	buf_addch(&ctx->line, ',');
	csv_add_field(&ctx->line, row->name);
	buf_addch(&ctx->line, ',');
	csv_add_field(&ctx->line, row->lang);
	buf_addstr(&ctx->line, "\r\n");
	return fwrite(ctx->line.s, 1, ctx->line.len, ctx->out) == ctx->line.len ? 0 : 1;
}

int subscribers_export_csv(struct store *st, FILE *out, struct buf *err)
{
	struct export_ctx ctx = { out, BUF_INIT };
	int ret = -1;
	int rc;

	if (fputs("email,name,lang\r\n", out) < 0)
		goto write_error;
	rc = subscribers_foreach(st, 0, export_row, &ctx, err);
	if (rc < 0)
		goto out;
	if (rc > 0 || fflush(out) != 0 || ferror(out))
		goto write_error;
	ret = 0;
	goto out;
write_error:
	buf_addstr(err, "cannot write the subscriber list");
out:
	buf_release(&ctx.line);
	return ret;
}
