#ifndef NEWSDIGEST_DRAFT_H
#define NEWSDIGEST_DRAFT_H
/*
 * The editor's draft, digests/YYYY-Www.md: YAML front matter, then
 * Markdown from templates/draft.md. Writing it never loses an edit: the
 * store keeps the SHA-256 of what compose wrote, and a file whose bytes
 * differ was edited by someone.
 */
#include <stddef.h>

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "store.h"
#include "topics.h"

enum draft_flags {
	DRAFT_FORCE = 1 << 0,   /* overwrite an edited draft, keeping it as a backup */
	DRAFT_ELSEWHERE = 1 << 1, /* not the week's draft (-o): nothing recorded, and
				   * an existing file counts as edited */
};

struct draft_report {
	int rewrote;            /* the file existed, unedited, and was replaced */
	char *backup;           /* --force: where the edited file went, or NULL */
	long issue;             /* the issue number in the front matter */
	int quiet;              /* fewer items than [compose] min_items */
	enum {
		DRAFT_FAILED_STORE = 1, /* the store failed: try again */
		DRAFT_FAILED_TEMPLATE,  /* templates/draft.md is missing or wrong */
		DRAFT_FAILED_FILE,      /* the draft could not be read or written */
	} failed;               /* why draft_write returned -1 */
};

/* Backslash-escape s for Markdown text so that it stays literal (a title
 * with '*', '[', '<' or a leading '#' renders as written); appended to out. */
void draft_md_escape(const char *s, struct buf *out);

/* The first sentence of s into out (replacing its contents), for the one
 * line an item gets: up to the first '.', '!' or '?' followed by a space
 * and a capital, a digit or a quote, once 40 bytes long (so "U.S.
 * officials" does not end it); all of s when there is no such end. */
void draft_first_sentence(const char *s, struct buf *out);

/* The SHA-256 of path's bytes as 64 hex digits into hex (65 bytes).
 * Returns 0, 1 when the file does not exist, -1 with the reason in err. */
int draft_file_hash(const char *path, char hex[65], struct buf *err);

/*
 * Write the draft of sel to path (created with its folder's umask, written
 * atomically) and record its hash for week sel->week in the store. When
 * path exists and is not what compose last wrote, nothing is written and
 * DRAFT_EDITED is returned, unless DRAFT_FORCE: then the file is first
 * renamed to PATH.bak-YYYYMMDDTHHMMSS (rep->backup). Returns 0,
 * DRAFT_EDITED, DRAFT_SENDING, or -1 with the reason in err (a template error names its
 * file and line).
 */
#define DRAFT_EDITED 1
/* The week's send has begun: its draft is what subscribers get, and is
 * never rewritten (not even with DRAFT_FORCE). */
#define DRAFT_SENDING 2
int draft_write(struct store *st, const struct config *cfg, const struct topics *t,
		const struct compose_selection *sel, const char *path, int flags,
		struct draft_report *rep, struct buf *err);
void draft_report_release(struct draft_report *rep);

/*
 * The whole stage: select week w's items (compose_select) and write them
 * to path (draft_write), then put a one-line summary in line. Returns what
 * draft_write returns.
 */
int draft_compose(struct store *st, const struct config *cfg, const struct topics *t,
		  const struct compose_week *w, const char *path, int flags,
		  struct draft_report *rep, struct buf *line, struct buf *err);

/* A draft read back: its front matter and where its Markdown starts. */
struct draft_meta {
	char *key, *value;
	unsigned line;          /* in the file */
};

struct draft_doc {
	char *path;
	char *text;             /* the whole file, NUL-terminated */
	size_t len;
	struct draft_meta *meta;
	size_t nmeta;
	size_t body;            /* offset of the Markdown after the front matter */
	unsigned body_line;     /* its first line's number in the file */
};

/* Largest draft read (bytes). */
#define DRAFT_MAX_BYTES (8 * 1024 * 1024)

/*
 * Read path: "---", a YAML mapping of scalars (parsed by libyaml), "---",
 * then Markdown. Returns 0, or -1 with "FILE:LINE: what" in err (no front
 * matter, YAML that is not a flat mapping of scalars, a key twice, a file
 * over DRAFT_MAX_BYTES or not UTF-8).
 */
int draft_read(const char *path, struct draft_doc *d, struct buf *err);
/* The value of key, or NULL. */
const char *draft_meta(const struct draft_doc *d, const char *key);
void draft_doc_release(struct draft_doc *d);

#endif
