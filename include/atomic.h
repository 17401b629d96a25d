#ifndef NEWSDIGEST_ATOMIC_H
#define NEWSDIGEST_ATOMIC_H
/*
 * Files replaced whole or not at all: written to a temporary file in the same
 * folder, flushed, fsync'd and renamed over the target. A crash leaves either
 * the old file or the new one, never half of one.
 */
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"

struct atomic_file {
	FILE *f;            /* write here */
	char *path;
	char *tmp_path;
};

/* Create the temporary file with `mode` (0600 for subscriber data). Returns
 * 0, or -1 with "cannot write 'PATH': REASON" in err. */
int atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err);
/* Flush, fsync and rename into place. Returns 0, or -1 (the target is
 * untouched, the temporary file removed) with the reason in err. */
int atomic_commit(struct atomic_file *af, struct buf *err);
/* Throw the temporary file away. Safe after commit or a failed open. */
void atomic_abort(struct atomic_file *af);

#endif
