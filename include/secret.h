#ifndef NEWSDIGEST_SECRET_H
#define NEWSDIGEST_SECRET_H
/*
 * Secrets (SMTP password, unsubscribe secret) come from a file only its owner
 * can read, or from an environment variable; they are never config values,
 * and never logged.
 */
#include "buf.h"

/* Largest secret accepted, in bytes. */
#define SECRET_MAX 4096

/*
 * Check that `path` is a regular file that group and others cannot read or
 * write. Returns 0, or -1 with a reason that says how to fix it appended to
 * err ("'F' is readable by group or others; run 'chmod 600 F'").
 */
int secret_check_file(const char *path, struct buf *err);
/*
 * Read the secret from `file` (checked as above; one trailing newline
 * dropped) when non-empty, else from the environment variable `env` when
 * non-empty. Returns 1 when a secret was read into out, 0 when neither is
 * set, -1 with a reason in err.
 */
int secret_read(const char *file, const char *env, struct buf *out, struct buf *err);

#endif
