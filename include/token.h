#ifndef NEWSDIGEST_TOKEN_H
#define NEWSDIGEST_TOKEN_H
/*
 * Unguessable tokens (unsubscribe links): 128 bits from getrandom(2),
 * base64url without padding, so 22 characters safe in a URL or a mail
 * address's local part.
 */
#include "buf.h"

#define TOKEN_BYTES 16
#define TOKEN_CHARS 22

/* Replace out's contents with a new token. Returns 0, or -1 with a reason in
 * err when the system has no randomness to give. */
int token_new(struct buf *out, struct buf *err);
/* 1 when s has the shape of a token (22 base64url characters), else 0. */
int token_valid(const char *s);

#endif
