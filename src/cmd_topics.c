#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "curate.h"
#include "log.h"
#include "xalloc.h"

static const char usage[] =
	"usage: newsdigest topics list | check\n"
	"\n"
	"The topic list the curator tags items with ([curate] topics, by default\n"
	"feeds/topics.ini; its format is described at the top of that file).\n"
	"\n"
	"  list   the topics in digest order: id, English and French titles,\n"
	"         weight and how many phrases of each kind\n"
	"  check  report, with file:line, phrases that can never match or never\n"
	"         count, phrases written twice, missing mandated topics and topics\n"
	"         without English or French phrases\n"
	"\n"
	"options:\n"
	"  -h, --help  this help\n"
	"\n"
	"exit status: 0 ok, 65 check found problems, 78 the file cannot be read\n"
	"or parsed (the message names the line).\n";

static int by_priority(const void *a, const void *b)
{
	const struct topic *x = *(const struct topic *const *)a;
	const struct topic *y = *(const struct topic *const *)b;

	return x->priority < y->priority ? -1 : x->priority > y->priority;
}

/* s, then spaces up to width characters: printf's widths count bytes,
 * and French titles have accents. */
static void print_padded(const char *s, size_t width)
{
	size_t chars = 0;
	const char *p;

	for (p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	fputs(s, stdout);
	for (; chars < width; chars++)
		putchar(' ');
	putchar(' ');
}

static void list(const struct topics *t)
{
	const struct topic **order = xmalloc(t->n * sizeof(*order));
	size_t i, j, count[4];

	for (i = 0; i < t->n; i++)
		order[i] = &t->v[i];
	qsort(order, t->n, sizeof(*order), by_priority);
	printf("%-3s %-24s %-34s %-36s %s\n", "#", "id", "title", "title_fr",
	       "phrases (en+fr / acronyms / requires / exclude)");
	for (i = 0; i < t->n; i++) {
		memset(count, 0, sizeof(count));
		for (j = 0; j < order[i]->n; j++)
			count[order[i]->phrases[j].kind]++;
		printf("%-3ld %-24s ", order[i]->priority, order[i]->id);
		print_padded(order[i]->title, 34);
		print_padded(order[i]->title_fr, 36);
		printf("%zu / %zu / %zu / %zu%s\n",
		       count[PHRASE_PLAIN], count[PHRASE_ACRONYM], count[PHRASE_CONTEXT],
		       count[PHRASE_EXCLUDE], order[i]->weight != 1.0 ? " (weighted)" : "");
	}
	free(order);
}

int cmd_topics(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct topics t;
	struct matcher *m = NULL;
	struct buf err = BUF_INIT, report = BUF_INIT;
	const char *sub;
	size_t problems;
	int ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return usage_error(usage, "topics: unknown option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return usage_error(usage, "topics: say 'list' or 'check'");
	sub = argv[optind];
	if (strcmp(sub, "list") && strcmp(sub, "check"))
		return usage_error(usage, "topics: unknown subcommand '%s'", sub);
	if (optind + 1 < argc)
		return usage_error(usage, "topics %s: unexpected argument '%s'", sub,
				   argv[optind + 1]);
	if (curate_prepare(ctx->cfg, &t, &m, &err) < 0) {
		log_error("topics: %s", err.s);
		buf_release(&err);
		return EX_CONFIG;
	}
	if (!strcmp(sub, "list")) {
		list(&t);
		ret = EX_OK;
	} else {
		problems = matcher_check(m, &report);
		fputs(report.s, stdout);
		if (problems) {
			log_error("topics: %zu problems in '%s'", problems, t.file);
			ret = EX_DATAERR;
		} else {
			log_report("%s: %zu topics, %zu phrases, no problems", t.file, t.n,
				   matcher_phrases(m));
			ret = EX_OK;
		}
	}
	matcher_free(m);
	topics_release(&t);
	buf_release(&report);
	return cmd_finish_output(ret);
}
