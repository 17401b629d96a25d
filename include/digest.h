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

/*
 * The parts of every subscriber's message cut around their personal values,
 * so that what is the same for everyone is prepared once and a message is
 * put together from pieces (the sender quoted-printable encodes the
 * constant pieces once). There are two variants: for subscribers with a
 * name (named = 1) and without.
 */
enum digest_field { DIGEST_FIELD_NONE = -1, DIGEST_FIELD_NAME, DIGEST_FIELD_EMAIL,
		    DIGEST_FIELD_TOKEN };

struct digest_piece {
	const char *s;          /* a constant piece: its text (not NUL-terminated) */
	size_t len;
	int field;              /* enum digest_field; DIGEST_FIELD_NONE: constant */
	int escaped;            /* the value is HTML-escaped here ({{x}} of digest.html) */
};

struct digest_split {
	struct buf html, text;  /* the rendered parts the constant pieces point into */
	struct digest_piece *html_pieces, *text_pieces;
	size_t nhtml, ntext;
};

/* Render dg's parts for the variant `named` with placeholders for the
 * personal values, and cut them there. Returns 0, or -1 with the reason in
 * err when the parts cannot be cut safely (the draft or a template holds
 * the placeholder's text): send then personalises message by message. */
int digest_split(const struct digest *dg, int named, struct digest_split *out,
		 struct buf *err);
void digest_split_release(struct digest_split *s);
/* Append person's value for piece pc (HTML-escaped where pc says so).
 * Returns 0, or -1 when the value cannot go there as it is (a token that is
 * not one of ours: it would need percent-encoding). */
int digest_piece_value(const struct digest_piece *pc, const struct digest_person *p,
		       struct buf *out);

/* Append the unsubscribe mailto: URL for token ([mail] unsubscribe_mailto,
 * the token in the subject). */
void digest_unsubscribe_mailto(const struct config *cfg, const char *token, struct buf *out);
/* Append the one-click https URL for token when [mail] unsubscribe_url is
 * set, and return 1; else return 0. The mail's visible link is this one
 * when there is one, else the mailto. */
int digest_unsubscribe_https(const struct config *cfg, const char *token, struct buf *out);

#endif
