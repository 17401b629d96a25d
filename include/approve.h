#ifndef NEWSDIGEST_APPROVE_H
#define NEWSDIGEST_APPROVE_H
/*
 * Approving a draft: every check the editor's file must pass before it may
 * be sent, and the record of exactly which bytes were approved.
 */
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "draft.h"
#include "store.h"

/*
 * Check d: front matter complete (title, issue, week, date, subject; the
 * week an ISO week, the issue a number), the Markdown and the templates
 * render, no placeholder left ("TODO:"), every link absolute (http, https
 * or mailto). Appends one "FILE:LINE: what" line per problem to problems
 * and returns how many there are.
 */
size_t approve_check(const struct config *cfg, const struct draft_doc *d, struct buf *problems);

/* Record that the file whose SHA-256 is hex is approved for d's week.
 * Returns 0, APPROVE_SENDING (reason in err) when the week's send has
 * begun with other bytes, or -1 with the reason in err. */
#define APPROVE_SENDING 1
int approve_record(struct store *st, const struct draft_doc *d, const char hex[65],
		   struct buf *err);

#endif
