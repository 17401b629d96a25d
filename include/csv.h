#ifndef NEWSDIGEST_CSV_H
#define NEWSDIGEST_CSV_H
/*
 * RFC 4180 CSV, streamed record by record so memory does not grow with the
 * file. Accepted beyond the RFC: a UTF-8 byte order mark at the start, LF as
 * well as CRLF line ends, a final record without a line end, blank lines
 * (skipped). Fields are returned as bytes; UTF-8 checks are the caller's.
 */
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

enum csv_result {
	CSV_FATAL = -1,  /* cannot go on: read error, NUL byte, field too long,
			    unterminated quote at end of file */
	CSV_EOF = 0,     /* no more records */
	CSV_RECORD = 1,  /* fields[0..nfields) hold the record */
	CSV_BADROW = 2   /* this record is malformed (stray quote, text after a
			    closing quote, too many fields); the reader has
			    skipped to the next record and reading may go on */
};

struct csv_reader {
	FILE *in;
	size_t max_field;        /* bytes per field (0: no limit) */
	size_t max_fields;       /* fields per record (0: no limit) */
	unsigned long line;      /* line on which the last record started (1-based) */
	unsigned long next_line; /* line the reader is on now */
	uint64_t offset;         /* bytes consumed so far, for progress */
	struct buf *fields;      /* owned by the reader */
	size_t nfields;
	size_t fields_alloc;
	int at_start;            /* the BOM check is still to come */
};

/* Initialise; allocates nothing. The reader does not own `in`. */
void csv_reader_init(struct csv_reader *r, FILE *in, size_t max_field,
		     size_t max_fields);
/*
 * Read one record. Returns an enum csv_result; on CSV_FATAL and CSV_BADROW a
 * message starting "line N: " (N = r->line) is appended to err, and nfields
 * is 0. Field contents stay valid until the next call. After CSV_BADROW the
 * rest of the record (up to a line end outside quotes) has been consumed;
 * after CSV_FATAL the reader is of no further use but must be released.
 */
int csv_read(struct csv_reader *r, struct buf *err);
void csv_reader_release(struct csv_reader *r);

/*
 * Append `field` to out, quoted (with doubled quotes) when it holds a comma,
 * a quote, CR or LF, or begins or ends with a space. An empty field is not
 * quoted, so a record of one empty field would be a blank line, which
 * csv_read skips: write "" for it yourself.
 */
void csv_add_field(struct buf *out, const char *field);

#endif
