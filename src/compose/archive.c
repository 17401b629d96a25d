/*
 * The public archive (see archive.h). index.html and feed.xml are rebuilt
 * whole from issues.tsv on every add rather than patched, so a failed or
 * interrupted add is repaired by the next one.
 */
#include "archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/xmlwriter.h>

#include "atomic.h"
#include "compose.h"
#include "date.h"
#include "render.h"
#include "template.h"
#include "xalloc.h"

#define MANIFEST "issues.tsv"
#define MANIFEST_VERSION "1"
#define BODY_START "<!-- newsdigest:body -->\n"
#define BODY_END "<!-- /newsdigest:body -->"
#define ATOM_NS "http://www.w3.org/2005/Atom"
#define FILE_MODE 0644          /* published: everyone may read them */

enum { F_WEEK, F_ISSUE, F_DATE, F_TITLE, F_SUBJECT, NFIELDS };
static const char *const field_keys[NFIELDS] = { "week", "issue", "date", "title", "subject" };

struct issue {
	char *f[NFIELDS];
	char updated[32];       /* the date as RFC 3339 */
};

struct manifest {
	char *feed_id;          /* NULL until the first issue */
	struct issue *v;
	size_t n, alloc;
};

/* What one add works with, so the writers take one argument. */
struct archive {
	const struct config *cfg;
	const char *dir;
	struct buf base;        /* archive_url without trailing '/', or "" */
	struct manifest m;
	struct issue cur;       /* the issue being added */
	struct buf body;        /* its rendered Markdown */
	struct template *page_tpl, *index_tpl;
};

static int read_bounded(const char *path, size_t max, struct buf *out, struct buf *err);
static void tsv_escape(const char *s, struct buf *out);
static int tsv_unescape(char *s);
static int number_valid(const char *s);
static int issue_check(struct issue *is, struct buf *why);
static void issue_release(struct issue *is);
static void issue_copy(struct issue *dst, const struct issue *src);
static int issue_cmp(const void *a, const void *b);
static int manifest_parse(struct manifest *m, char *text, const char *path, struct buf *err);
static int manifest_read(struct archive *ar, struct buf *err);
static int manifest_write(const struct archive *ar, struct buf *err);
static void manifest_release(struct manifest *m);
static void manifest_put(struct manifest *m, const struct issue *is);
static void manifest_prune(struct archive *ar);
static int feed_id_choose(const struct config *cfg, const struct issue *first,
			  struct buf *out, struct buf *err);
static void path_in(const struct archive *ar, const char *name, const char *ext, struct buf *out);
static void link_to(const struct archive *ar, const char *name, const char *ext, struct buf *out);
static int write_text(const char *path, const struct buf *text, struct buf *err);
static int write_page(struct archive *ar, struct buf *err);
static int write_index(struct archive *ar, struct buf *err);
static int write_feed(struct archive *ar, struct buf *err);
static int page_body(const struct archive *ar, const char *week, struct buf *out);
static void xml_clean(const char *s, size_t len, struct buf *out);
static int xml_element(xmlTextWriterPtr w, const char *name, const char *text,
		       struct buf *scratch);
static int xml_link(xmlTextWriterPtr w, const char *rel, const char *type, const char *href,
		    struct buf *scratch);
static int feed_entry(xmlTextWriterPtr w, const struct archive *ar, const struct issue *is,
		      struct buf *scratch);

/* Returns 0, 1 when path does not exist, -1 with the reason in err. */
static int read_bounded(const char *path, size_t max, struct buf *out, struct buf *err)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int ret = -1;

	buf_reset(out);
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			buf_addf(err, "cannot read '%s': larger than %zu bytes", path, max);
			goto out;
		}
		buf_add(out, chunk, n);
	}
	if (ferror(f)) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (memchr(out->s, '\0', out->len)) {
		buf_addf(err, "cannot read '%s': it holds a NUL byte", path);
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

static void tsv_escape(const char *s, struct buf *out)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_addstr(out, "\\\\"); break;
		case '\t': buf_addstr(out, "\\t"); break;
		case '\n': buf_addstr(out, "\\n"); break;
		case '\r': buf_addstr(out, "\\r"); break;
		default: buf_addch(out, *s);
		}
	}
}

/* In place; -1 on a backslash that escapes nothing we write. */
static int tsv_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *o++ = '\\'; break;
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		default: return -1;
		}
	}
	*o = '\0';
	return 0;
}

static int number_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n > 0 && n < 19;
}

/* Check the fields and fill is->updated; -1 with the reason in why. */
static int issue_check(struct issue *is, struct buf *why)
{
	struct compose_week w;
	long long t;
	int i;

	for (i = 0; i < NFIELDS; i++) {
		if (!is->f[i] || !*is->f[i]) {
			buf_addf(why, "no '%s'", field_keys[i]);
			return -1;
		}
	}
	/* the week names a file: only the strict form is accepted */
	if (compose_week_parse(is->f[F_WEEK], &w) < 0) {
		buf_addf(why, "week '%s' is not an ISO week such as 2026-W48", is->f[F_WEEK]);
		return -1;
	}
	if (!number_valid(is->f[F_ISSUE])) {
		buf_addf(why, "issue '%s' is not a number", is->f[F_ISSUE]);
		return -1;
	}
	if (date_parse(is->f[F_DATE], &t) < 0) {
		buf_addf(why, "date '%s' is not a date such as 2026-11-27", is->f[F_DATE]);
		return -1;
	}
	date_format_rfc3339(t, is->updated, sizeof(is->updated));
	return 0;
}

static void issue_release(struct issue *is)
{
	int i;

	for (i = 0; i < NFIELDS; i++)
		free(is->f[i]);
	memset(is, 0, sizeof(*is));
}

static void issue_copy(struct issue *dst, const struct issue *src)
{
	int i;

	for (i = 0; i < NFIELDS; i++)
		dst->f[i] = xstrdup(src->f[i]);
	memcpy(dst->updated, src->updated, sizeof(dst->updated));
}

/* Newest first: "YYYY-Www" sorts as text. */
static int issue_cmp(const void *a, const void *b)
{
	const struct issue *x = a, *y = b;

	return strcmp(y->f[F_WEEK], x->f[F_WEEK]);
}

static int manifest_parse(struct manifest *m, char *text, const char *path, struct buf *err)
{
	struct buf why = BUF_INIT;
	char *line, *next, *field[NFIELDS + 2];
	unsigned lineno = 0;
	int version = 0, ret = -1;
	size_t nf, i, len;

	for (line = text; *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || *line == '#')
			continue;
		nf = 0;
		field[nf++] = line;
		for (i = 0; i < len && nf < NFIELDS + 2; i++) {
			if (line[i] == '\t') {
				line[i] = '\0';
				field[nf++] = line + i + 1;
			}
		}
		for (i = 0; i < nf; i++) {
			if (tsv_unescape(field[i]) < 0) {
				buf_addf(&why, "a backslash escapes nothing (\\\\, \\t, \\n, \\r)");
				goto fail;
			}
		}
		if (!strcmp(field[0], "version")) {
			if (nf != 2 || strcmp(field[1], MANIFEST_VERSION)) {
				buf_addf(&why, "version '%s' is not %s (written by a newer newsdigest?)",
					 nf > 1 ? field[1] : "", MANIFEST_VERSION);
				goto fail;
			}
			version = 1;
		} else if (!version) {
			buf_addstr(&why, "the first record is not 'version'");
			goto fail;
		} else if (!strcmp(field[0], "feed-id")) {
			if (nf != 2 || !*field[1] || m->feed_id) {
				buf_addstr(&why, "expected one 'feed-id' with one value");
				goto fail;
			}
			m->feed_id = xstrdup(field[1]);
		} else if (!strcmp(field[0], "issue")) {
			struct issue is;

			memset(&is, 0, sizeof(is));
			if (nf != NFIELDS + 1) {
				buf_addf(&why, "expected %d tab-separated fields after 'issue' "
					 "(week, issue, date, title, subject)", NFIELDS);
				goto fail;
			}
			if (m->n >= ARCHIVE_MAX_ISSUES) {
				buf_addf(&why, "more than %d issues", ARCHIVE_MAX_ISSUES);
				goto fail;
			}
			for (i = 0; i < NFIELDS; i++)
				is.f[i] = field[i + 1];
			if (issue_check(&is, &why) < 0)
				goto fail;
			for (i = 0; i < m->n; i++) {
				if (!strcmp(m->v[i].f[F_WEEK], is.f[F_WEEK])) {
					buf_addf(&why, "week '%s' twice", is.f[F_WEEK]);
					goto fail;
				}
			}
			xgrow(&m->v, &m->alloc, m->n + 1, sizeof(*m->v));
			issue_copy(&m->v[m->n++], &is);
		} else {
			buf_addf(&why, "unknown record '%s'", field[0]);
			goto fail;
		}
	}
	ret = 0;
	goto out;
fail:
	buf_addf(err, "cannot read '%s': line %u: ", path, lineno);
	buf_addsanitized(err, why.s);
out:
	buf_release(&why);
	return ret;
}

static int manifest_read(struct archive *ar, struct buf *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc;

	path_in(ar, MANIFEST, "", &path);
	rc = read_bounded(path.s, ARCHIVE_MAX_READ, &text, err);
	if (rc == 0)
		rc = manifest_parse(&ar->m, text.s, path.s, err);
	else if (rc == 1)
		rc = 0;
	if (rc == 0 && ar->m.n > 1)
		qsort(ar->m.v, ar->m.n, sizeof(*ar->m.v), issue_cmp);
	buf_release(&path);
	buf_release(&text);
	return rc;
}

static int manifest_write(const struct archive *ar, struct buf *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	size_t i;
	int j, ret;

	buf_addstr(&text, "# newsdigest archive manifest: index.html and feed.xml are built "
		   "from it (see archive.h)\n");
	buf_addstr(&text, "# issue\tweek\tissue\tdate\ttitle\tsubject\n");
	buf_addstr(&text, "version\t" MANIFEST_VERSION "\n");
	buf_addstr(&text, "feed-id\t");
	tsv_escape(ar->m.feed_id, &text);
	buf_addch(&text, '\n');
	for (i = 0; i < ar->m.n; i++) {
		buf_addstr(&text, "issue");
		for (j = 0; j < NFIELDS; j++) {
			buf_addch(&text, '\t');
			tsv_escape(ar->m.v[i].f[j], &text);
		}
		buf_addch(&text, '\n');
	}
	path_in(ar, MANIFEST, "", &path);
	ret = write_text(path.s, &text, err);
	buf_release(&path);
	buf_release(&text);
	return ret;
}

static void manifest_release(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		issue_release(&m->v[i]);
	free(m->v);
	free(m->feed_id);
	memset(m, 0, sizeof(*m));
}

/* Replace the entry of is's week, or add one; the order is kept newest first. */
static void manifest_put(struct manifest *m, const struct issue *is)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (!strcmp(m->v[i].f[F_WEEK], is->f[F_WEEK])) {
			issue_release(&m->v[i]);
			issue_copy(&m->v[i], is);
			return;
		}
	}
	xgrow(&m->v, &m->alloc, m->n + 1, sizeof(*m->v));
	issue_copy(&m->v[m->n++], is);
	qsort(m->v, m->n, sizeof(*m->v), issue_cmp);
}

/* Drop the issues whose page was deleted: that is how one is unpublished. */
static void manifest_prune(struct archive *ar)
{
	struct buf path = BUF_INIT;
	struct stat st;
	size_t i, kept = 0;

	for (i = 0; i < ar->m.n; i++) {
		buf_reset(&path);
		path_in(ar, ar->m.v[i].f[F_WEEK], ".html", &path);
		if (stat(path.s, &st) < 0 && errno == ENOENT &&
		    strcmp(ar->m.v[i].f[F_WEEK], ar->cur.f[F_WEEK])) {
			issue_release(&ar->m.v[i]);
			continue;
		}
		ar->m.v[kept++] = ar->m.v[i];
	}
	ar->m.n = kept;
	buf_release(&path);
}

/*
 * tag:DOMAIN,YEAR:LIST-ID (RFC 4151): it names the digest wherever its
 * pages are hosted, so moving the archive does not make feed readers show
 * every issue again. DOMAIN is the sender's, which the organisation owns.
 */
static int feed_id_choose(const struct config *cfg, const struct issue *first,
			  struct buf *out, struct buf *err)
{
	const char *from = cfg->mail.from, *at, *end, *p, *list;
	size_t n;

	at = strrchr(from, '@');
	end = at ? at + 1 + strcspn(at + 1, "> \t") : NULL;
	if (!at || end == at + 1) {
		buf_addf(err, "cannot choose the feed's id: [mail] from '%s' has no domain", from);
		return -1;
	}
	for (p = at + 1; p < end; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
			buf_addf(err, "cannot choose the feed's id: [mail] from '%s' has no "
				 "domain name after '@'", from);
			return -1;
		}
	}
	buf_addstr(out, "tag:");
	for (p = at + 1; p < end; p++)
		buf_addch(out, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	buf_addf(out, ",%.4s:", first->updated);
	list = *cfg->mail.list_id ? cfg->mail.list_id : "newsdigest";
	n = strlen(list);
	if (*list == '<' && n > 2 && list[n - 1] == '>') {
		list++;
		n -= 2;
	}
	for (p = list; p < list + n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_addch(out, *p);
		else
			buf_addf(out, "%%%02X", (unsigned char)*p);
	}
	return 0;
}

/* DIR/NAME.EXT */
static void path_in(const struct archive *ar, const char *name, const char *ext, struct buf *out)
{
	size_t n = strlen(ar->dir);

	buf_addf(out, "%s%s%s%s", ar->dir, n && ar->dir[n - 1] == '/' ? "" : "/", name, ext);
}

/* ARCHIVE_URL/NAME.EXT, or NAME.EXT relative to the folder. */
static void link_to(const struct archive *ar, const char *name, const char *ext, struct buf *out)
{
	buf_reset(out);
	if (ar->base.len)
		buf_addf(out, "%s/", ar->base.s);
	buf_addf(out, "%s%s", name, ext);
}

static int write_text(const char *path, const struct buf *text, struct buf *err)
{
	struct atomic_file af;

	if (atomic_open(&af, path, FILE_MODE, err) < 0)
		return -1;
	if (fwrite(text->s, 1, text->len, af.f) != text->len) {
		buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af, err);
}

static int write_page(struct archive *ar, struct buf *err)
{
	struct tpl_context *c = tpl_context_new();
	struct buf out = BUF_INIT, path = BUF_INIT, link = BUF_INIT;
	int i, ret = -1;

	for (i = 0; i < NFIELDS; i++)
		tpl_set_str(c, field_keys[i], ar->cur.f[i]);
	tpl_set_str(c, "updated", ar->cur.updated);
	buf_addstr(&out, BODY_START);
	buf_add(&out, ar->body.s, ar->body.len);
	buf_addstr(&out, BODY_END);
	tpl_set_str(c, "body", out.s);
	buf_reset(&out);
	/* the page's own links stay relative: it works wherever it is opened */
	tpl_set_str(c, "index_url", "index.html");
	tpl_set_str(c, "feed_url", "feed.xml");
	if (ar->base.len) {
		link_to(ar, ar->cur.f[F_WEEK], ".html", &link);
		tpl_set_str(c, "page_url", link.s);
	} else {
		tpl_set_bool(c, "page_url", 0);
	}
	if (template_render(ar->page_tpl, c, &out, err) < 0)
		goto out;
	path_in(ar, ar->cur.f[F_WEEK], ".html", &path);
	ret = write_text(path.s, &out, err);
out:
	tpl_context_free(c);
	buf_release(&out);
	buf_release(&path);
	buf_release(&link);
	return ret;
}

static int write_index(struct archive *ar, struct buf *err)
{
	struct tpl_context *c = tpl_context_new(), *item;
	struct buf out = BUF_INIT, path = BUF_INIT, link = BUF_INIT;
	size_t i;
	int j, ret = -1;

	tpl_set_str(c, "title", ar->cfg->compose.title);
	tpl_set_str(c, "feed_url", "feed.xml");
	tpl_set_str(c, "updated", ar->m.n ? ar->m.v[0].updated : "");
	if (ar->base.len) {
		link_to(ar, "index", ".html", &link);
		tpl_set_str(c, "index_url", link.s);
	} else {
		tpl_set_bool(c, "index_url", 0);
	}
	tpl_set_bool(c, "has_issues", ar->m.n > 0);
	tpl_set_list(c, "issues");
	for (i = 0; i < ar->m.n; i++) {
		item = tpl_add_item(c, "issues");
		for (j = 0; j < NFIELDS; j++)
			tpl_set_str(item, field_keys[j], ar->m.v[i].f[j]);
		buf_reset(&link);
		buf_addf(&link, "%s.html", ar->m.v[i].f[F_WEEK]);
		tpl_set_str(item, "href", link.s);
	}
	if (template_render(ar->index_tpl, c, &out, err) < 0)
		goto out;
	path_in(ar, "index", ".html", &path);
	ret = write_text(path.s, &out, err);
out:
	tpl_context_free(c);
	buf_release(&out);
	buf_release(&path);
	buf_release(&link);
	return ret;
}

/*
 * The body an older page carries, between the comments write_page puts
 * around it. Returns 0, or -1 when the page cannot be read or was changed
 * so that the body cannot be found (its entry then goes without content:
 * RFC 4287 allows that when there is an alternate link).
 */
static int page_body(const struct archive *ar, const char *week, struct buf *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT, ignored = BUF_INIT;
	const char *start, *end;
	int ret = -1;

	path_in(ar, week, ".html", &path);
	if (read_bounded(path.s, ARCHIVE_MAX_READ, &text, &ignored) != 0)
		goto out;
	start = strstr(text.s, BODY_START);
	if (!start)
		goto out;
	start += strlen(BODY_START);
	end = strstr(start, BODY_END);
	if (!end)
		goto out;
	buf_add(out, start, (size_t)(end - start));
	ret = 0;
out:
	buf_release(&path);
	buf_release(&text);
	buf_release(&ignored);
	return ret;
}

/*
 * Valid UTF-8 holding only characters XML 1.0 allows: anything else
 * (control characters a YAML escape or a hand-edited page can bring,
 * broken sequences) becomes U+FFFD, so the feed is always well-formed.
 */
static void xml_clean(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned long cp, min;
	size_t n, k;

	while (p < e) {
		if (*p < 0x80) {
			if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
				buf_addch(out, *p);
			else
				buf_addstr(out, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF) {
			n = 2; cp = *p & 0x1F; min = 0x80;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			n = 3; cp = *p & 0x0F; min = 0x800;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			n = 4; cp = *p & 0x07; min = 0x10000;
		} else {
			buf_addstr(out, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		for (k = 1; k < n && p + k < e && (p[k] & 0xC0) == 0x80; k++)
			cp = (cp << 6) | (p[k] & 0x3F);
		if (k < n || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
		    cp == 0xFFFE || cp == 0xFFFF) {
			buf_addstr(out, "\xEF\xBF\xBD");
			p += k;
			continue;
		}
		buf_add(out, p, n);
		p += n;
	}
}

static int xml_element(xmlTextWriterPtr w, const char *name, const char *text,
		       struct buf *scratch)
{
	buf_reset(scratch);
	xml_clean(text, strlen(text), scratch);
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST scratch->s) < 0 ? -1 : 0;
}

static int xml_link(xmlTextWriterPtr w, const char *rel, const char *type, const char *href,
		    struct buf *scratch)
{
	buf_reset(scratch);
	xml_clean(href, strlen(href), scratch);
	if (xmlTextWriterStartElement(w, BAD_CAST "link") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST scratch->s) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

static int feed_entry(xmlTextWriterPtr w, const struct archive *ar, const struct issue *is,
		      struct buf *scratch)
{
	struct buf s = BUF_INIT, body = BUF_INIT;
	int has_body, ret = -1;

	if (!strcmp(is->f[F_WEEK], ar->cur.f[F_WEEK])) {
		buf_add(&body, ar->body.s, ar->body.len);
		has_body = 1;
	} else {
		has_body = page_body(ar, is->f[F_WEEK], &body) == 0;
	}
	if (xmlTextWriterStartElement(w, BAD_CAST "entry") < 0)
		goto out;
	buf_addf(&s, "%s/%s", ar->m.feed_id, is->f[F_WEEK]);
	if (xml_element(w, "id", s.s, scratch) < 0 ||
	    xml_element(w, "title", is->f[F_SUBJECT], scratch) < 0 ||
	    xml_element(w, "updated", is->updated, scratch) < 0)
		goto out;
	link_to(ar, is->f[F_WEEK], ".html", &s);
	if (xml_link(w, "alternate", "text/html", s.s, scratch) < 0)
		goto out;
	if (has_body) {
		buf_reset(scratch);
		xml_clean(body.s, body.len, scratch);
		if (xmlTextWriterStartElement(w, BAD_CAST "content") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "html") < 0 ||
		    xmlTextWriterWriteString(w, BAD_CAST scratch->s) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			goto out;
	}
	if (xmlTextWriterEndElement(w) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&s);
	buf_release(&body);
	return ret;
}

static int write_feed(struct archive *ar, struct buf *err)
{
	struct atomic_file af = { NULL, NULL, NULL };
	struct buf path = BUF_INIT, link = BUF_INIT, scratch = BUF_INIT;
	xmlOutputBufferPtr ob = NULL;
	xmlTextWriterPtr w = NULL;
	const char *updated, *title;
	size_t i, n;
	int ret = -1;

	path_in(ar, "feed", ".xml", &path);
	if (atomic_open(&af, path.s, FILE_MODE, err) < 0)
		goto out;
	/* the output buffer only flushes af.f; atomic_commit closes it */
	ob = xmlOutputBufferCreateFile(af.f, NULL);
	if (!ob)
		xdie_oom();
	w = xmlNewTextWriter(ob);
	if (!w) {
		xmlOutputBufferClose(ob);
		xdie_oom();
	}
	n = ar->m.n < ARCHIVE_FEED_ENTRIES ? ar->m.n : ARCHIVE_FEED_ENTRIES;
	/* the feed changes when an issue is added: its newest entry's date */
	updated = ar->m.v[0].updated;
	for (i = 1; i < n; i++)
		if (strcmp(ar->m.v[i].updated, updated) > 0)
			updated = ar->m.v[i].updated;
	title = *ar->cfg->compose.title ? ar->cfg->compose.title : "newsdigest";
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "feed") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST ATOM_NS) < 0 ||
	    xml_element(w, "id", ar->m.feed_id, &scratch) < 0 ||
	    xml_element(w, "title", title, &scratch) < 0 ||
	    xml_element(w, "updated", updated, &scratch) < 0)
		goto fail;
	link_to(ar, "feed", ".xml", &link);
	if (xml_link(w, "self", "application/atom+xml", link.s, &scratch) < 0)
		goto fail;
	link_to(ar, "index", ".html", &link);
	if (xml_link(w, "alternate", "text/html", link.s, &scratch) < 0)
		goto fail;
	/* RFC 4287 4.1.1: a feed names an author unless every entry does */
	if (xmlTextWriterStartElement(w, BAD_CAST "author") < 0 ||
	    xml_element(w, "name", title, &scratch) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xml_element(w, "generator", "newsdigest", &scratch) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (feed_entry(w, ar, &ar->m.v[i], &scratch) < 0)
			goto fail;
	if (xmlTextWriterEndDocument(w) < 0 || xmlTextWriterFlush(w) < 0)
		goto fail;
	xmlFreeTextWriter(w);
	w = NULL;
	ret = atomic_commit(&af, err);
	goto out;
fail:
	buf_addf(err, "cannot write '%s': libxml2's writer failed", path.s);
out:
	if (w)
		xmlFreeTextWriter(w);
	if (ret < 0)
		atomic_abort(&af);
	buf_release(&path);
	buf_release(&link);
	buf_release(&scratch);
	return ret;
}

int archive_add(const struct config *cfg, const struct draft_doc *d, const char *dir,
		struct buf *err)
{
	struct archive ar;
	struct render_options ro = RENDER_OPTIONS_INIT;
	struct render_doc *doc = NULL;
	struct buf why = BUF_INIT, path = BUF_INIT, id = BUF_INIT;
	const char *v;
	size_t n;
	int i, ret = -1;

	memset(&ar, 0, sizeof(ar));
	ar.cfg = cfg;
	ar.dir = dir;
	buf_init(&ar.base, 0);
	buf_init(&ar.body, 0);
	for (i = 0; i < NFIELDS; i++) {
		v = draft_meta(d, field_keys[i]);
		ar.cur.f[i] = xstrdup(v ? v : "");
	}
	if (issue_check(&ar.cur, &why) < 0) {
		buf_addf(err, "cannot archive '%s': ", d->path);
		buf_addsanitized(err, why.s);
		goto out;
	}
	buf_addstr(&ar.base, cfg->mail.archive_url);
	while (ar.base.len && ar.base.s[ar.base.len - 1] == '/')
		buf_setlen(&ar.base, ar.base.len - 1);

	ro.allow_raw_html = cfg->compose.allow_raw_html;
	doc = render_parse(d->text + d->body, d->len - d->body);
	if (!doc || render_html(doc, &ro, &ar.body) < 0) {
		buf_addf(err, "%s: cannot render the Markdown (too large?)", d->path);
		goto out;
	}
	buf_addf(&path, "%s/archive-page.html", cfg->compose.templates);
	ar.page_tpl = template_load(path.s, TPL_HTML, err);
	if (!ar.page_tpl)
		goto out;
	buf_reset(&path);
	buf_addf(&path, "%s/archive-index.html", cfg->compose.templates);
	ar.index_tpl = template_load(path.s, TPL_HTML, err);
	if (!ar.index_tpl)
		goto out;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		buf_addf(err, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (manifest_read(&ar, err) < 0)
		goto out;
	if (!ar.m.feed_id) {
		n = ar.m.n;
		/* the year of the archive's first issue, before this one */
		if (feed_id_choose(cfg, n ? &ar.m.v[n - 1] : &ar.cur, &id, err) < 0)
			goto out;
		ar.m.feed_id = buf_detach(&id);
	}
	if (write_page(&ar, err) < 0)
		goto out;
	manifest_put(&ar.m, &ar.cur);
	manifest_prune(&ar);
	if (manifest_write(&ar, err) < 0 || write_index(&ar, err) < 0 ||
	    write_feed(&ar, err) < 0)
		goto out;
	ret = 0;
out:
	render_doc_free(doc);
	template_free(ar.page_tpl);
	template_free(ar.index_tpl);
	manifest_release(&ar.m);
	issue_release(&ar.cur);
	buf_release(&ar.base);
	buf_release(&ar.body);
	buf_release(&why);
	buf_release(&path);
	buf_release(&id);
	return ret;
}
