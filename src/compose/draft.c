/*
 * Writing the editor's draft (see draft.h). The front matter is emitted
 * with libyaml, so titles with quotes, colons or accents come out as valid
 * YAML; the Markdown comes from templates/draft.md with every value from a
 * feed escaped here, for Markdown text, link destinations or the inside
 * of an HTML comment, depending on where the template puts it.
 */
#include "draft.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "atomic.h"
#include "template.h"
#include "xalloc.h"

static void comment_safe(const char *s, struct buf *out);
static int url_safe(const char *url, struct buf *out);
static void md_link(const char *text, const char *url, struct buf *out);
static void day(long long t, char *out, size_t size);
static int yaml_to_buf(void *data, unsigned char *buffer, size_t size);
static int emit_pair(yaml_emitter_t *e, const char *key, const char *value, int plain);
static int front_matter(const struct config *cfg, const struct compose_selection *sel,
			long issue, struct buf *out, struct buf *err);
static void fill_context(const struct config *cfg, const struct topics *t,
			 const struct compose_selection *sel, struct tpl_context *c,
			 struct buf *tmp);
static int recorded_hash(struct store *st, const char *week, char hex[65], long *issue,
			 int *sending, struct buf *err);
static int record(struct store *st, const char *week, const char *path, const char *hex,
		  long issue, struct buf *err);
static int make_parent(const char *path, struct buf *err);
static int parse_meta(struct draft_doc *d, const char *yaml, size_t len, unsigned line0,
		      struct buf *err);

void draft_md_escape(const char *s, struct buf *out)
{
	const char *p, *ordered;

	if (!s)
		return;
	/* a line-start marker would make a heading, a list or a quote ('>'
	 * is escaped below anyway), and so would "1." */
	if (*s == '#' || *s == '+' || *s == '-' || *s == '=')
		buf_addch(out, '\\');
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	ordered = p > s && p - s <= 9 && *p == '.' ? p : NULL;
	for (p = s; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			buf_addch(out, ' ');
			continue;
		}
		if (p == ordered)
			buf_addch(out, '\\');
		if (strchr("\\`*_[]<>!&|~{}()", *p))
			buf_addch(out, '\\');
		buf_addch(out, *p);
	}
}

/* Inside an HTML comment "--" ends it in some readers and "-->" in all. */
static void comment_safe(const char *s, struct buf *out)
{
	const char *p;

	for (p = s ? s : ""; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			buf_addch(out, ' ');
		else if (*p == '-' && p[1] == '-')
			buf_addstr(out, "- ");
		else if (*p == '"')
			buf_addch(out, '\'');
		else
			buf_addch(out, *p);
	}
}

/* An http(s) URL with the bytes that would end a Markdown link destination
 * percent-encoded; -1 (nothing written) for any other URL. */
static int url_safe(const char *url, struct buf *out)
{
	const char *p;

	if (!url || (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)))
		return -1;
	for (p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || strchr("()<>\\\"", *p))
			buf_addf(out, "%%%02X", (unsigned char)*p);
		else
			buf_addch(out, *p);
	}
	return 0;
}

static void md_link(const char *text, const char *url, struct buf *out)
{
	size_t mark = out->len;

	buf_addch(out, '[');
	draft_md_escape(text && *text ? text : url, out);
	buf_addstr(out, "](");
	if (url_safe(url, out) < 0) {
		/* no address worth a link: the text alone */
		buf_setlen(out, mark);
		draft_md_escape(text, out);
		return;
	}
	buf_addch(out, ')');
}

/* Sentences shorter than this do not end at a '.': "U.S. officials". */
#define MIN_SENTENCE 40
void draft_first_sentence(const char *s, struct buf *out)
{
	const char *p;

	buf_reset(out);
	if (!s)
		return;
	for (p = s; *p; p++) {
		if (!strchr(".!?", *p) || p - s < MIN_SENTENCE || p[1] != ' ')
			continue;
		if ((p[2] >= 'A' && p[2] <= 'Z') || (p[2] >= '0' && p[2] <= '9') ||
		    p[2] == '"' || (unsigned char)p[2] >= 0xc3) {
			buf_add(out, s, (size_t)(p + 1 - s));
			return;
		}
	}
	buf_addstr(out, s);
}

static void day(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

static int yaml_to_buf(void *data, unsigned char *buffer, size_t size)
{
	return buf_add(data, buffer, size) == 0;
}

static int emit_pair(yaml_emitter_t *e, const char *key, const char *value, int plain)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)key, -1, 1, 1,
				     YAML_PLAIN_SCALAR_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	/* strings double-quoted: a title like "Yes: no" stays a string */
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)value, -1, plain, !plain,
				     plain ? YAML_PLAIN_SCALAR_STYLE
					   : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int front_matter(const struct config *cfg, const struct compose_selection *sel,
			long issue, struct buf *out, struct buf *err)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	char week[16], from[16], to[16], today[16], num[32];
	struct buf subject = BUF_INIT;
	int ret = -1;

	compose_week_name(&sel->week, week, sizeof(week));
	day(sel->from, from, sizeof(from));
	day(sel->to - 1, to, sizeof(to));
	day((long long)time(NULL), today, sizeof(today));
	snprintf(num, sizeof(num), "%ld", issue);
	buf_addf(&subject, "%s #%ld, %s", cfg->compose.title, issue, week);
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, yaml_to_buf, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(&e, &ev))
		goto fail;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(&e, &ev))
		goto fail;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	if (!yaml_emitter_emit(&e, &ev) ||
	    emit_pair(&e, "title", cfg->compose.title, 0) < 0 ||
	    emit_pair(&e, "issue", num, 1) < 0 ||
	    emit_pair(&e, "week", week, 1) < 0 ||
	    emit_pair(&e, "from", from, 1) < 0 ||
	    emit_pair(&e, "to", to, 1) < 0 ||
	    emit_pair(&e, "date", today, 1) < 0 ||
	    emit_pair(&e, "subject", subject.s, 0) < 0)
		goto fail;
	yaml_mapping_end_event_initialize(&ev);
	if (!yaml_emitter_emit(&e, &ev))
		goto fail;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(&e, &ev))
		goto fail;
	yaml_stream_end_event_initialize(&ev);
	if (!yaml_emitter_emit(&e, &ev))
		goto fail;
	ret = 0;
	goto out;
fail:
	buf_addf(err, "cannot write the front matter: %s",
		 e.problem ? e.problem : "libyaml failed");
out:
	yaml_emitter_delete(&e);
	buf_release(&subject);
	return ret;
}

/* Set name in c to what fill wrote into tmp. */
#define SET(c, name) tpl_set_str((c), (name), tmp->s)

static void fill_context(const struct config *cfg, const struct topics *t,
			 const struct compose_selection *sel, struct tpl_context *c,
			 struct buf *tmp)
{
	const struct compose_item *it;
	const struct compose_section *sec;
	struct tpl_context *s, *i, *a;
	struct buf sentence = BUF_INIT;
	char text[32];
	size_t k, j, m;

	compose_week_name(&sel->week, text, sizeof(text));
	tpl_set_str(c, "week", text);
	day(sel->from, text, sizeof(text));
	tpl_set_str(c, "from", text);
	day(sel->to - 1, text, sizeof(text));
	tpl_set_str(c, "to", text);
	snprintf(text, sizeof(text), "%zu", sel->nitems);
	tpl_set_str(c, "count", text);
	snprintf(text, sizeof(text), "%ld", cfg->compose.min_items);
	tpl_set_str(c, "min_items", text);
	tpl_set_str(c, "quiet_week", cfg->compose.quiet_week == QUIET_WEEK_SEND ? "send" : "skip");
	tpl_set_bool(c, "quiet", sel->stories < (size_t)cfg->compose.min_items);
	{
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm);
		tpl_set_str(c, "written", text);
	}
	tpl_set_bool(c, "has_failing", sel->nfailing > 0);
	tpl_set_list(c, "failing");
	for (k = 0; k < sel->nfailing; k++) {
		i = tpl_add_item(c, "failing");
		buf_reset(tmp);
		comment_safe(sel->failing[k].title, tmp);
		SET(i, "title");
		buf_reset(tmp);
		comment_safe(sel->failing[k].url, tmp);
		SET(i, "url");
		buf_reset(tmp);
		comment_safe(sel->failing[k].error, tmp);
		SET(i, "error");
		snprintf(text, sizeof(text), "%ld", sel->failing[k].failures);
		tpl_set_str(i, "failures", text);
	}
	tpl_set_bool(c, "has_near", sel->nnear > 0);
	tpl_set_list(c, "near");
	for (k = 0; k < sel->nnear; k++) {
		it = &sel->near[k];
		i = tpl_add_item(c, "near");
		buf_reset(tmp);
		comment_safe(it->title, tmp);
		SET(i, "title");
		buf_reset(tmp);
		if (url_safe(it->url, tmp) < 0)
			buf_reset(tmp);
		SET(i, "url");
		buf_reset(tmp);
		comment_safe(it->source, tmp);
		SET(i, "source");
		snprintf(text, sizeof(text), "%.2f", it->score);
		tpl_set_str(i, "score", text);
		buf_reset(tmp);
		comment_safe(it->topics, tmp);
		SET(i, "topics");
	}
	tpl_set_list(c, "sections");
	for (k = 0; k < sel->nsections; k++) {
		sec = &sel->sections[k];
		s = tpl_add_item(c, "sections");
		buf_reset(tmp);
		draft_md_escape(t->v[sec->topic].title, tmp);
		SET(s, "title");
		buf_reset(tmp);
		draft_md_escape(t->v[sec->topic].title_fr, tmp);
		SET(s, "title_fr");
		if (sec->dropped) {
			snprintf(text, sizeof(text), "%zu", sec->dropped);
			tpl_set_str(s, "dropped", text);
		} else {
			tpl_set_bool(s, "dropped", 0);
		}
		tpl_set_list(s, "items");
		for (j = 0; j < sec->n; j++) {
			it = &sec->items[j];
			i = tpl_add_item(s, "items");
			buf_reset(tmp);
			md_link(it->title, it->url, tmp);
			SET(i, "link");
			buf_reset(tmp);
			draft_md_escape(it->source, tmp);
			SET(i, "source");
			day(it->when, text, sizeof(text));
			tpl_set_str(i, "date", text);
			buf_reset(tmp);
			draft_first_sentence(it->summary, &sentence);
			draft_md_escape(sentence.s, tmp);
			if (tmp->len)
				SET(i, "summary");
			else
				tpl_set_bool(i, "summary", 0);
			snprintf(text, sizeof(text), "%lld", it->id);
			tpl_set_str(i, "id", text);
			buf_reset(tmp);
			comment_safe(it->topics, tmp);
			SET(i, "topics");
			snprintf(text, sizeof(text), "%.2f", it->score);
			tpl_set_str(i, "score", text);
			buf_reset(tmp);
			comment_safe(it->evidence, tmp);
			SET(i, "evidence");
			tpl_set_bool(i, "has_also", it->nalso > 0);
			tpl_set_list(i, "also");
			for (m = 0; m < it->nalso; m++) {
				a = tpl_add_item(i, "also");
				buf_reset(tmp);
				md_link(it->also[m].name, it->also[m].url, tmp);
				SET(a, "link");
				tpl_set_bool(a, "last", m + 1 == it->nalso);
			}
		}
	}
	buf_release(&sentence);
}

int draft_file_hash(const char *path, char hex[65], struct buf *err)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE], chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n, i;

	if (!f) {
		if (errno == ENOENT)
			return 1;
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	sha256_init(&ctx);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sha256_update(&ctx, n, chunk);
	if (ferror(f)) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

/* What compose last wrote for week (hex empty when nothing), its issue
 * number (0 when none), and whether its send has begun. */
static int recorded_hash(struct store *st, const char *week, char hex[65], long *issue,
			 int *sending, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	hex[0] = '\0';
	*issue = 0;
	*sending = 0;
	if (store_prepare(st, "SELECT coalesce(written_hash, ''), coalesce(issue, 0), "
			  "send_started_at IS NOT NULL FROM digests WHERE week = ?", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, week, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		snprintf(hex, 65, "%s", (const char *)sqlite3_column_text(q, 0));
		*issue = sqlite3_column_int(q, 1);
		*sending = sqlite3_column_int(q, 2);
	} else if (rc != SQLITE_DONE) {
		store_fail(st, "reading the digests", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	return ret;
}

static int record(struct store *st, const char *week, const char *path, const char *hex,
		  long issue, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1;

	/* a new draft is not approved, whatever its week's was */
	if (store_prepare(st, "INSERT INTO digests (week, path, written_hash, issue) "
			  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (week) DO UPDATE SET "
			  "path = ?2, written_hash = ?3, issue = ?4, approved_hash = NULL, "
			  "approved_at = NULL", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, week, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, issue);
	if (sqlite3_step(q) != SQLITE_DONE)
		store_fail(st, "recording the draft", err);
	else
		ret = 0;
	sqlite3_finalize(q);
	return ret;
}

/* mkdir -p of path's folder: digests/ may not exist yet in a new place. */
static int make_parent(const char *path, struct buf *err)
{
	char *dir = xstrdup(path), *slash, *p, c;
	int ret = -1;

	slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		ret = 0;
		goto out;
	}
	*slash = '\0';
	/* each leading folder, then the folder itself */
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			buf_addf(err, "cannot create the folder '%s': %s", dir, strerror(errno));
			goto out;
		}
		*p = c;
		if (!c)
			break;
	}
	ret = 0;
out:
	free(dir);
	return ret;
}

void draft_report_release(struct draft_report *rep)
{
	free(rep->backup);
	memset(rep, 0, sizeof(*rep));
}

int draft_write(struct store *st, const struct config *cfg, const struct topics *t,
		const struct compose_selection *sel, const char *path, int flags,
		struct draft_report *rep, struct buf *err)
{
	struct buf tpl_path = BUF_INIT, text = BUF_INIT, fm = BUF_INIT, tmp = BUF_INIT;
	struct template *tpl = NULL;
	struct tpl_context *c = NULL;
	struct atomic_file af = { 0 };
	char week[16], on_disk[65], written[65], stamp[32];
	long long max_issue = 0;
	time_t now = time(NULL);
	struct tm tm;
	int rc, k, sending, ret = -1;

	memset(rep, 0, sizeof(*rep));
	compose_week_name(&sel->week, week, sizeof(week));
	rep->failed = DRAFT_FAILED_FILE;
	rc = draft_file_hash(path, on_disk, err);
	if (rc < 0)
		goto out;
	rep->failed = DRAFT_FAILED_STORE;
	if (recorded_hash(st, week, written, &rep->issue, &sending, err) < 0)
		goto out;
	if (sending && !(flags & DRAFT_ELSEWHERE)) {
		/* the journal sends the approved bytes; this file must stay them */
		ret = DRAFT_SENDING;
		goto out;
	}
	if (flags & DRAFT_ELSEWHERE)
		written[0] = '\0';
	if (rc == 0 && strcmp(on_disk, written)) {
		/* someone edited it (or wrote it by hand) since compose did */
		if (!(flags & DRAFT_FORCE)) {
			ret = DRAFT_EDITED;
			goto out;
		}
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		rep->failed = DRAFT_FAILED_FILE;
		/* link(2) never replaces a file: an earlier backup of the same
		 * second gets a numbered sibling instead; the draft is only
		 * unlinked once its backup exists */
		for (k = 0; ; k++) {
			buf_reset(&tmp);
			buf_addf(&tmp, "%s.bak-%s", path, stamp);
			if (k)
				buf_addf(&tmp, "-%d", k);
			if (link(path, tmp.s) == 0)
				break;
			if (errno != EEXIST || k >= 1000) {
				buf_addf(err, "cannot keep '%s' as '%s': %s", path, tmp.s,
					 strerror(errno));
				goto out;
			}
		}
		rep->backup = buf_detach(&tmp);
		if (unlink(path) < 0) {
			buf_addf(err, "cannot replace '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	rep->rewrote = rc == 0 && !rep->backup;
	if (!rep->issue) {
		rep->failed = DRAFT_FAILED_STORE;
		if (store_query_int(st, "SELECT coalesce(max(issue), 0) FROM digests",
				    "numbering the issue", &max_issue, err) < 0)
			goto out;
		rep->issue = (long)max_issue + 1;
	}
	rep->quiet = sel->stories < (size_t)cfg->compose.min_items;
	rep->failed = DRAFT_FAILED_TEMPLATE;
	buf_addf(&tpl_path, "%s/draft.md", cfg->compose.templates);
	tpl = template_load(tpl_path.s, TPL_TEXT, err);
	if (!tpl)
		goto out;
	if (front_matter(cfg, sel, rep->issue, &fm, err) < 0)
		goto out;
	c = tpl_context_new();
	tpl_set_str(c, "front_matter", fm.s);
	fill_context(cfg, t, sel, c, &tmp);
	if (template_render(tpl, c, &text, err) < 0)
		goto out;
	rep->failed = DRAFT_FAILED_FILE;
	if (make_parent(path, err) < 0 || atomic_open(&af, path, 0644, err) < 0)
		goto out;
	if (fwrite(text.s, 1, text.len, af.f) != text.len) {
		buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		atomic_abort(&af);
		goto out;
	}
	if (atomic_commit(&af, err) < 0)
		goto out;
	if (draft_file_hash(path, written, err) != 0)
		goto out;
	rep->failed = DRAFT_FAILED_STORE;
	if (!(flags & DRAFT_ELSEWHERE) && record(st, week, path, written, rep->issue, err) < 0)
		goto out;
	rep->failed = 0;
	ret = 0;
out:
	template_free(tpl);
	tpl_context_free(c);
	buf_release(&tpl_path);
	buf_release(&text);
	buf_release(&fm);
	buf_release(&tmp);
	return ret;
}

int draft_compose(struct store *st, const struct config *cfg, const struct topics *t,
		  const struct compose_week *w, const char *path, int flags,
		  struct draft_report *rep, struct buf *line, struct buf *err)
{
	struct compose_selection sel;
	size_t i, filled = 0;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (compose_select(st, cfg, t, w, &sel, err) < 0) {
		rep->failed = DRAFT_FAILED_STORE;
		return -1;
	}
	ret = draft_write(st, cfg, t, &sel, path, flags, rep, err);
	for (i = 0; i < sel.nsections; i++)
		filled += sel.sections[i].n > 0;
	if (ret == 0) {
		buf_addf(line, "wrote %s: issue %ld, %zu items in %zu sections, %zu near "
			 "misses, %zu failing feeds%s%s", path, rep->issue, sel.nitems,
			 filled, sel.nnear, sel.nfailing,
			 rep->quiet ? " (a quiet week)" : "",
			 rep->rewrote ? " (replaced the unedited draft)" : "");
		if (rep->backup)
			buf_addf(line, "; the edited draft was kept as %s", rep->backup);
	}
	compose_selection_release(&sel);
	return ret;
}

const char *draft_meta(const struct draft_doc *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nmeta; i++)
		if (!strcmp(d->meta[i].key, key))
			return d->meta[i].value;
	return NULL;
}

void draft_doc_release(struct draft_doc *d)
{
	size_t i;

	for (i = 0; i < d->nmeta; i++) {
		free(d->meta[i].key);
		free(d->meta[i].value);
	}
	free(d->meta);
	free(d->text);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* The front matter's mapping, through libyaml's events: only scalars, no
 * nesting, no key twice. line0 is the file line of the YAML's first line. */
static int parse_meta(struct draft_doc *d, const char *yaml, size_t len, unsigned line0,
		      struct buf *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	char *key = NULL;
	unsigned key_line = 0;
	size_t alloc = 0;
	int depth = 0, done = 0, ret = -1;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			buf_addf(err, "%s:%lu: front matter: %s", d->path,
				 (unsigned long)(line0 + p.problem_mark.line),
				 p.problem ? p.problem : "not YAML");
			goto out;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
			if (++depth > 1) {
				buf_addf(err, "%s:%lu: front matter: '%s' holds a mapping; "
					 "values must be plain text", d->path,
					 (unsigned long)(line0 + ev.start_mark.line),
					 key ? key : "?");
				goto fail_event;
			}
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SEQUENCE_START_EVENT:
			buf_addf(err, "%s:%lu: front matter: '%s' holds a list; values must "
				 "be plain text", d->path,
				 (unsigned long)(line0 + ev.start_mark.line), key ? key : "?");
			goto fail_event;
		case YAML_ALIAS_EVENT:
			buf_addf(err, "%s:%lu: front matter: aliases are not accepted", d->path,
				 (unsigned long)(line0 + ev.start_mark.line));
			goto fail_event;
		case YAML_SCALAR_EVENT:
			if (depth != 1) {
				buf_addf(err, "%s:%lu: front matter must be 'key: value' lines",
					 d->path, (unsigned long)(line0 + ev.start_mark.line));
				goto fail_event;
			}
			if (!key) {
				key = xstrndup((const char *)ev.data.scalar.value,
					       ev.data.scalar.length);
				key_line = line0 + (unsigned)ev.start_mark.line;
				if (draft_meta(d, key)) {
					buf_addf(err, "%s:%u: front matter: '%s' is set twice",
						 d->path, key_line, key);
					goto fail_event;
				}
				break;
			}
			xgrow(&d->meta, &alloc, d->nmeta + 1, sizeof(*d->meta));
			d->meta[d->nmeta].key = key;
			d->meta[d->nmeta].value = xstrndup((const char *)ev.data.scalar.value,
							   ev.data.scalar.length);
			d->meta[d->nmeta].line = key_line;
			d->nmeta++;
			key = NULL;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	ret = 0;
	goto out;
fail_event:
	yaml_event_delete(&ev);
out:
	free(key);
	yaml_parser_delete(&p);
	return ret;
}

int draft_read(const char *path, struct draft_doc *d, struct buf *err)
{
	FILE *f = NULL;
	const char *p, *end, *close;
	unsigned line = 2;
	long size;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	f = fopen(path, "rb");
	if (!f) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (size > DRAFT_MAX_BYTES) {
		buf_addf(err, "%s: larger than %d bytes", path, DRAFT_MAX_BYTES);
		goto out;
	}
	d->text = xmalloc((size_t)size + 1);
	d->len = fread(d->text, 1, (size_t)size, f);
	d->text[d->len] = '\0';
	if (ferror(f) || memchr(d->text, '\0', d->len)) {
		buf_addf(err, "cannot read '%s': %s", path,
			 ferror(f) ? strerror(errno) : "it holds a NUL byte");
		goto out;
	}
	end = d->text + d->len;
	if (strncmp(d->text, "---\n", 4) && strncmp(d->text, "---\r\n", 5)) {
		buf_addf(err, "%s:1: no front matter: the draft must start with a '---' line",
			 path);
		goto out;
	}
	p = strchr(d->text, '\n') + 1;
	/* the closing '---' line */
	for (close = p; close < end; line++) {
		if (!strncmp(close, "---", 3) && (close[3] == '\n' || close[3] == '\r' ||
						  !close[3]))
			break;
		close = strchr(close, '\n');
		close = close ? close + 1 : end;
	}
	if (close >= end) {
		buf_addf(err, "%s:1: the front matter has no closing '---' line", path);
		goto out;
	}
	if (parse_meta(d, p, (size_t)(close - p), 2, err) < 0)
		goto out;
	p = strchr(close, '\n');
	d->body = p ? (size_t)(p + 1 - d->text) : d->len;
	d->body_line = line + 1;
	ret = 0;
out:
	if (f)
		fclose(f);
	return ret;
}
