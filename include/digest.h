#ifndef NEWSDIGEST_DIGEST_H
#define NEWSDIGEST_DIGEST_H
/*
 * A draft turned into what a subscriber reads: the Markdown rendered once
 * (render.h) into HTML and plain text, then put in templates/digest.html
 * and digest.txt with each subscriber's own parts (name, unsubscribe
 * links). preview shows one sample subscriber's; send renders one per
 * subscriber with the same struct digest.
 */
#include "buf.h"
#include "config.h"
#include "draft.h"

struct digest;

struct digest_person {
	const char *name;       /* may be "" */
	const char *email;
	const char *token;      /* the unsubscribe token */
};

/* The sample subscriber preview shows. */
extern const struct digest_person digest_sample_person;

/*
 * Render the body of d and load the templates of [compose] templates.
 * Returns NULL with the reason in err: a template error names FILE:LINE.
 */
struct digest *digest_new(const struct config *cfg, const struct draft_doc *d,
			  struct buf *err);
void digest_free(struct digest *dg);

/* The subject line from the front matter (never NULL). */
const char *digest_subject(const struct digest *dg);

/* The HTML and the plain text one subscriber gets, replacing html's and
 * text's contents. Returns 0, or -1 with the reason in err. */
int digest_personalise(const struct digest *dg, const struct digest_person *p,
		       struct buf *html, struct buf *text, struct buf *err);

#endif
