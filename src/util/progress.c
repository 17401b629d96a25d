#include "progress.h"

#include <time.h>
#include <unistd.h>

#include "log.h"

#define BAR_WIDTH 30

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, FILE *out, const char *what,
		    const char *unit, uint64_t total, uint64_t threshold)
{
	p->what = what;
	p->unit = unit;
	p->total = total;
	p->done = 0;
	p->out = out;
	p->tty = isatty(fileno(out));
	p->enabled = log_get_level() >= LOG_NORMAL && total >= threshold && total > 0;
	p->last_quarter = 0;
	p->started = now_seconds();
	p->last_draw = 0;
}

static void draw_bar(struct progress *p, double now)
{
	unsigned pct = (unsigned)(p->done * 100 / p->total);
	unsigned fill = (unsigned)(p->done * BAR_WIDTH / p->total);
	double elapsed = now - p->started;
	double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	unsigned i;

	fprintf(p->out, "\r%s %3u%% [", p->what, pct);
	for (i = 0; i < BAR_WIDTH; i++)
		fputc(i < fill ? '#' : ' ', p->out);
	fprintf(p->out, "] %llu/%llu %s, %.0f/s\033[K",
		(unsigned long long)p->done, (unsigned long long)p->total,
		p->unit, rate);
	fflush(p->out);
	p->last_draw = now;
}

void progress_update(struct progress *p, uint64_t done)
{
	double now;
	int quarter;

	if (!p->enabled)
		return;
	p->done = done > p->total ? p->total : done;
	if (p->tty) {
		now = now_seconds();
		if (now - p->last_draw >= 0.1 || p->done == p->total)
			draw_bar(p, now);
		return;
	}
	quarter = (int)(p->done * 4 / p->total);
	if (quarter > p->last_quarter && quarter < 4) {
		p->last_quarter = quarter;
		fprintf(p->out, "%s: %d%% (%llu/%llu %s)\n", p->what,
			quarter * 25, (unsigned long long)p->done,
			(unsigned long long)p->total, p->unit);
		fflush(p->out);
	}
}

void progress_clear(struct progress *p)
{
	if (p->enabled && p->tty && p->last_draw > 0) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
		p->last_draw = 0;
	}
}

void progress_finish(struct progress *p)
{
	if (p->enabled && p->tty) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->enabled = 0;
}
