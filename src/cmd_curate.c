#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "curate.h"
#include "log.h"

/* A JSON line of --stdin longer than this is refused (that line only). */
#define STDIN_MAX_LINE (1024 * 1024)

static const char usage[] =
	"usage: newsdigest curate [--all] [--explain ITEM_ID] [--stdin]\n"
	"\n"
	"Tag the stored items with the topics of [curate] topics (feeds/topics.ini),\n"
	"score them and decide which belong in the digest: new and changed items,\n"
	"or every item with --all. Each tag keeps its evidence: the phrases found,\n"
	"where. Copies of one story in several feeds are grouped.\n"
	"\n"
	"options:\n"
	"  -a, --all              tag every item again (after editing the topics)\n"
	"  -e, --explain ITEM_ID  show why an item has its topics and score\n"
	"      --stdin            tag JSON Lines read from standard input,\n"
	"                         {\"id\", \"title\", \"summary\", \"lang\"?, \"source\"?},\n"
	"                         writing one JSON line for each:\n"
	"                         {\"id\", \"topics\", \"score\", \"include\", \"evidence\"};\n"
	"                         the store is not touched\n"
	"  -h, --help             this help\n"
	"\n"
	"exit status: 0 ok, 65 a bad --stdin line (the others are still tagged) or\n"
	"no such item, 75 store busy or failing, 78 a broken topics file.\n";

static double round2(double x)
{
	return round(x * 100.0) / 100.0;
}

static const char *member_string(json_t *o, const char *key, const char **error)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*error = key;
		return NULL;
	}
	return json_string_value(v);
}

/* One --stdin line: the answer object, or NULL with *why set. */
static json_t *tag_line(struct matcher *m, const struct topics *t, const char *line,
			struct match_result *r, json_t **id, const char **why)
{
	static char reason[256];
	json_error_t jerr;
	json_t *in, *out, *topics, *evidence, *e;
	struct match_input mi = { 0 };
	const char *bad = NULL;
	size_t k;

	*id = NULL;
	in = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!in || !json_is_object(in)) {
		snprintf(reason, sizeof(reason), "not a JSON object%s%.160s",
			 in ? "" : ": ", in ? "" : jerr.text);
		*why = reason;
		json_decref(in);
		return NULL;
	}
	*id = json_incref(json_object_get(in, "id"));
	mi.title = member_string(in, "title", &bad);
	mi.summary = member_string(in, "summary", &bad);
	mi.lang = member_string(in, "lang", &bad);
	mi.source = member_string(in, "source", &bad);
	if (!*id || !(json_is_string(*id) || json_is_integer(*id))) {
		*why = "\"id\" is missing or neither a string nor an integer";
		json_decref(in);
		return NULL;
	}
	if (bad) {
		snprintf(reason, sizeof(reason), "\"%s\" is not a string", bad);
		*why = reason;
		json_decref(in);
		return NULL;
	}
	if (matcher_run(m, &mi, r) < 0) {
		*why = "the text is beyond the tagger's limits";
		json_decref(in);
		return NULL;
	}
	json_decref(in);
	out = json_object();
	topics = json_array();
	evidence = json_array();
	for (k = 0; k < r->ntags; k++)
		json_array_append_new(topics, json_string(t->v[r->tags[k].topic].id));
	for (k = 0; k < r->nev; k++) {
		e = json_object();
		json_object_set_new(e, "topic", json_string(t->v[r->ev[k].topic].id));
		json_object_set_new(e, "phrase",
				    json_string(t->v[r->ev[k].topic].phrases[r->ev[k].phrase].text));
		json_object_set_new(e, "field", json_string(r->ev[k].field == MATCH_TITLE
							    ? "title" : "summary"));
		json_object_set_new(e, "position", json_integer((json_int_t)r->ev[k].offset));
		json_array_append_new(evidence, e);
	}
	json_object_set(out, "id", *id);
	json_object_set_new(out, "topics", topics);
	json_object_set_new(out, "score", json_real(round2(r->score)));
	json_object_set_new(out, "include", json_boolean(r->include));
	json_object_set_new(out, "evidence", evidence);
	return out;
}

static int curate_stdin(struct cmd_ctx *ctx)
{
	struct topics t;
	struct matcher *m = NULL;
	struct match_result r;
	struct buf err = BUF_INIT;
	json_t *out, *id;
	char *line = NULL, *dump;
	const char *why = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0, bad = 0;
	int ret = EX_OK;

	match_result_init(&r);
	if (curate_prepare(ctx->cfg, &t, &m, &err) < 0) {
		log_error("curate: %s", err.s);
		buf_release(&err);
		return EX_CONFIG;
	}
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		id = NULL;
		if ((size_t)len > STDIN_MAX_LINE) {
			why = "line longer than 1 MiB";
			out = NULL;
		} else {
			out = tag_line(m, &t, line, &r, &id, &why);
		}
		if (!out) {
			log_error("curate: stdin:%lu: %s", lineno, why);
			bad++;
			out = json_object();
			json_object_set(out, "id", id ? id : json_null());
			json_object_set_new(out, "error", json_string(why));
		}
		json_decref(id);
		dump = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6));
		json_decref(out);
		if (!dump) {
			ret = EX_SOFTWARE;
			break;
		}
		puts(dump);
		free(dump);
	}
	if (ferror(stdin)) {
		log_error("curate: cannot read standard input");
		ret = EX_IOERR;
	} else if (bad && ret == EX_OK) {
		log_error("curate: %lu of %lu lines could not be tagged", bad, lineno);
		ret = EX_DATAERR;
	}
	free(line);
	match_result_release(&r);
	matcher_free(m);
	topics_release(&t);
	buf_release(&err);
	return cmd_finish_output(ret);
}

static int curate_explain_item(struct cmd_ctx *ctx, const char *arg)
{
	struct topics t;
	struct buf err = BUF_INIT;
	char *end;
	long long id = strtoll(arg, &end, 10);
	int ret;

	if (*end || end == arg || id < 1)
		return usage_error(usage, "curate: --explain takes an item id (a number), "
				   "not '%s'", arg);
	ret = cmd_open_store(ctx, 0);
	if (ret)
		return ret;
	/* the topic list gives titles; without it the evidence still shows */
	if (topics_load(&t, ctx->cfg->curate.topics, &err) < 0) {
		log_warn("curate: %s", err.s);
		buf_reset(&err);
	}
	ret = curate_explain(ctx->st, &t, id, stdout, &err);
	if (ret < 0)
		ret = cmd_fail(ctx, 0, &err);
	else if (ret == 1) {
		log_error("curate: no item %lld (ids are in the draft's markers and in "
			  "'newsdigest curate' reports)", id);
		ret = EX_DATAERR;
	}
	topics_release(&t);
	buf_release(&err);
	return cmd_finish_output(ret);
}

int cmd_curate(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "explain", required_argument, NULL, 'e' },
		{ "stdin", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct curate_report rep;
	struct progress progress;
	struct topics t;
	struct matcher *m = NULL;
	struct buf err = BUF_INIT, line = BUF_INIT;
	const char *explain = NULL;
	int flags = 0, from_stdin = 0;
	int ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ae:h", options, NULL)) != -1) {
		switch (c) {
		case 'a': flags |= CURATE_ALL; break;
		case 'e': explain = optarg; break;
		case 'S': from_stdin = 1; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		case ':':
			return usage_error(usage, "curate: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(usage, "curate: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(usage, "curate: unexpected argument '%s'", argv[optind]);
	if (!!explain + from_stdin + !!(flags & CURATE_ALL) > 1)
		return usage_error(usage, "curate: --all, --explain and --stdin go alone");
	if (from_stdin)
		return curate_stdin(ctx);
	if (explain)
		return curate_explain_item(ctx, explain);
	if (curate_prepare(ctx->cfg, &t, &m, &err) < 0) {
		log_error("curate: %s", err.s);
		buf_release(&err);
		return EX_CONFIG;
	}
	ret = cmd_open_store(ctx, 1);
	if (ret)
		goto out;
	if (curate_run(ctx->st, ctx->cfg, &t, m, flags, &progress, &rep, &err) < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	curate_summary(&rep, &line);
	log_report("%s", line.s);
	ret = EX_OK;
out:
	matcher_free(m);
	topics_release(&t);
	buf_release(&err);
	buf_release(&line);
	return ret;
}
