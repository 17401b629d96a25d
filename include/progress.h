#ifndef NEWSDIGEST_PROGRESS_H
#define NEWSDIGEST_PROGRESS_H
/*
 * Progress for long work, on stderr. On a terminal: one redrawn bar line,
 * at most ten redraws a second. Elsewhere (cron, pipes): a plain line at each
 * quarter of the work, so mailed output stays short. Silent under -q and
 * when the total is below `threshold` units.
 */
#include <stdint.h>
#include <stdio.h>

struct progress {
	const char *what;     /* "importing subscribers"; not owned */
	const char *unit;     /* "rows", "bytes", ...; not owned */
	uint64_t total;       /* 0: unknown */
	uint64_t done;
	FILE *out;
	int tty;
	int enabled;
	int last_quarter;
	double started;
	double last_draw;
};

/* Begin; out is normally stderr. Prints nothing yet. */
void progress_start(struct progress *p, FILE *out, const char *what,
		    const char *unit, uint64_t total, uint64_t threshold);
/* Record that `done` units of `total` are finished. */
void progress_update(struct progress *p, uint64_t done);
/* Clear the bar (terminal) before printing a line of report in the middle
 * of the work; the next update draws it again below that line. */
void progress_clear(struct progress *p);
/* Clear the bar (terminal) so the report that follows starts clean. */
void progress_finish(struct progress *p);

#endif
