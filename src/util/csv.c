/*
 * Accepted: RFC 4180 records, plus what csv.h lists (a UTF-8 BOM at the very
 * start, LF or a lone CR as well as CRLF, blank lines, no final line end).
 * Refused per record (CSV_BADROW, reading goes on): a quote inside an
 * unquoted field, text between a closing quote and the separator, too many
 * fields. Refused for good (CSV_FATAL): NUL bytes, over-long fields, a quote
 * still open at the end of the file, read errors.
 */
#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum csv_state {
	CSV_FIELD_START,
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_AFTER_QUOTE       /* a quote inside a quoted field: "" or the end */
};

enum csv_bad {
	CSV_OK,
	CSV_STRAY_QUOTE,
	CSV_TEXT_AFTER_QUOTE,
	CSV_TOO_MANY_FIELDS
};

static const unsigned char utf8_bom[] = { 0xef, 0xbb, 0xbf };

static int getch(struct csv_reader *r);
static void ungetch(struct csv_reader *r, int c);
static void end_line(struct csv_reader *r, int c);
static size_t skip_bom(struct csv_reader *r);
static int skip_blank_lines(struct csv_reader *r);
static int new_field(struct csv_reader *r);
static int fatal(struct csv_reader *r, struct buf *err, const char *why);
static int too_long(struct csv_reader *r, struct buf *err);
static int read_error(struct csv_reader *r, struct buf *err);
static int badrow(struct csv_reader *r, struct buf *err, enum csv_bad bad,
		  size_t field, size_t count);

static int getch(struct csv_reader *r)
{
	int c = getc(r->in);

	if (c != EOF)
		r->offset++;
	return c;
}

static void ungetch(struct csv_reader *r, int c)
{
	if (c == EOF)
		return;
	ungetc(c, r->in);
	r->offset--;
}

/* c is CR or LF and ends a physical line; a CR takes the LF after it. */
static void end_line(struct csv_reader *r, int c)
{
	int next;

	if (c == '\r') {
		next = getch(r);
		if (next != '\n')
			ungetch(r, next);
	}
	r->next_line++;
}

/*
 * Returns how many bytes of a partial BOM were read: they are the start of
 * the first field, since ungetc() only promises to push back one byte.
 */
static size_t skip_bom(struct csv_reader *r)
{
	size_t i;
	int c;

	for (i = 0; i < sizeof(utf8_bom); i++) {
		c = getch(r);
		if (c != utf8_bom[i]) {
			ungetch(r, c);
			return i;
		}
	}
	return 0;
}

/* Returns the first byte after them, which is left unread, or EOF. */
static int skip_blank_lines(struct csv_reader *r)
{
	int c;

	for (;;) {
		c = getch(r);
		if (c != '\r' && c != '\n')
			break;
		end_line(r, c);
	}
	ungetch(r, c);
	return c;
}

/* Returns -1 when the record already holds max_fields fields. */
static int new_field(struct csv_reader *r)
{
	size_t old = r->fields_alloc;
	size_t i;

	if (r->max_fields && r->nfields == r->max_fields)
		return -1;
	if (r->nfields == r->fields_alloc) {
		xgrow(&r->fields, &r->fields_alloc, r->nfields + 1, sizeof(*r->fields));
		for (i = old; i < r->fields_alloc; i++)
			buf_init(&r->fields[i], r->max_field);
	}
	buf_reset(&r->fields[r->nfields]);
	r->nfields++;
	return 0;
}

static int fatal(struct csv_reader *r, struct buf *err, const char *why)
{
	buf_addf(err, "line %lu: %s", r->line, why);
	r->nfields = 0;
	return CSV_FATAL;
}

static int too_long(struct csv_reader *r, struct buf *err)
{
	buf_addf(err, "line %lu: field longer than %zu bytes (an unterminated quote?)",
		 r->line, r->max_field);
	r->nfields = 0;
	return CSV_FATAL;
}

static int read_error(struct csv_reader *r, struct buf *err)
{
	buf_addf(err, "line %lu: cannot read: %s", r->line, strerror(errno));
	r->nfields = 0;
	return CSV_FATAL;
}

/* field: where the row went wrong; count: how many fields it has */
static int badrow(struct csv_reader *r, struct buf *err, enum csv_bad bad,
		  size_t field, size_t count)
{
	switch (bad) {
	case CSV_STRAY_QUOTE:
		buf_addf(err, "line %lu: field %zu: quote inside an unquoted field "
			 "(quote the whole field and double the quote)", r->line, field);
		break;
	case CSV_TEXT_AFTER_QUOTE:
		buf_addf(err, "line %lu: field %zu: text after the closing quote",
			 r->line, field);
		break;
	case CSV_TOO_MANY_FIELDS:
		buf_addf(err, "line %lu: %zu fields, more than the %zu allowed",
			 r->line, count, r->max_fields);
		break;
	case CSV_OK:
		break;
	}
	r->nfields = 0;
	return CSV_BADROW;
}

void csv_reader_init(struct csv_reader *r, FILE *in, size_t max_field,
		     size_t max_fields)
{
	r->in = in;
	r->max_field = max_field;
	r->max_fields = max_fields;
	r->line = 1;
	r->next_line = 1;
	r->offset = 0;
	r->fields = NULL;
	r->nfields = 0;
	r->fields_alloc = 0;
	r->at_start = 1;
}

/*
 * Once a record is known to be bad, the rest of it is still parsed, so that
 * a quoted line break further on does not end it early, but nothing more is
 * stored. A fatal error found on the way wins over the bad row.
 */
int csv_read(struct csv_reader *r, struct buf *err)
{
	enum csv_state st = CSV_FIELD_START;
	enum csv_bad bad = CSV_OK;
	size_t bad_field = 0;
	size_t field = 1;
	size_t partial = 0;
	struct buf *f;
	int c;

	r->nfields = 0;
	if (r->at_start) {
		r->at_start = 0;
		partial = skip_bom(r);
	}
	if (!partial && skip_blank_lines(r) == EOF) {
		if (ferror(r->in))
			return read_error(r, err);
		return CSV_EOF;
	}
	r->line = r->next_line;
	new_field(r);
	if (partial) {
		st = CSV_UNQUOTED;
		if (buf_add(&r->fields[0], utf8_bom, partial) < 0)
			return too_long(r, err);
	}
	for (;;) {
		f = &r->fields[r->nfields - 1];
		c = getch(r);
		if (c == 0)
			return fatal(r, err, "NUL byte (is this a text file?)");
		if (c == EOF && ferror(r->in))
			return read_error(r, err);
		if (st == CSV_QUOTED) {
			if (c == EOF)
				return fatal(r, err, "quoted field not closed before the end of the file");
			if (c == '"') {
				st = CSV_AFTER_QUOTE;
				continue;
			}
			if (!bad && buf_addch(f, c) < 0)
				return too_long(r, err);
			if (c == '\n') {
				r->next_line++;
			} else if (c == '\r') {
				/* a lone CR ends a line here as it does outside quotes */
				c = getch(r);
				if (c != '\n')
					r->next_line++;
				ungetch(r, c);
			}
			continue;
		}
		if (st == CSV_AFTER_QUOTE && c == '"') {
			if (!bad && buf_addch(f, c) < 0)
				return too_long(r, err);
			st = CSV_QUOTED;
			continue;
		}
		if (c == '\r' || c == '\n' || c == EOF)
			break;
		if (c == ',') {
			st = CSV_FIELD_START;
			field++;
			if (!bad && new_field(r) < 0)
				bad = CSV_TOO_MANY_FIELDS;
			continue;
		}
		if (st == CSV_FIELD_START && c == '"') {
			st = CSV_QUOTED;
			continue;
		}
		if (!bad && st == CSV_AFTER_QUOTE) {
			bad = CSV_TEXT_AFTER_QUOTE;
			bad_field = field;
		} else if (!bad && c == '"') {
			bad = CSV_STRAY_QUOTE;
			bad_field = field;
		}
		st = CSV_UNQUOTED;
		if (!bad && buf_addch(f, c) < 0)
			return too_long(r, err);
	}
	if (c != EOF)
		end_line(r, c);
	if (bad)
		return badrow(r, err, bad, bad_field, field);
	return CSV_RECORD;
}

void csv_reader_release(struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->fields_alloc; i++)
		buf_release(&r->fields[i]);
	free(r->fields);
	r->fields = NULL;
	r->nfields = 0;
	r->fields_alloc = 0;
}

void csv_add_field(struct buf *out, const char *field)
{
	size_t len = strlen(field);
	const char *p;

	if (!strpbrk(field, ",\"\r\n") &&
	    !(len && (field[0] == ' ' || field[len - 1] == ' '))) {
		buf_add(out, field, len);
		return;
	}
	buf_addch(out, '"');
	for (p = field; *p; p++) {
		if (*p == '"')
			buf_addch(out, '"');
		buf_addch(out, *p);
	}
	buf_addch(out, '"');
}
