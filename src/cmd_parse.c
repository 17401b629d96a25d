#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "date.h"
#include "feed.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "url.h"

static const char usage[] =
	"usage: newsdigest parse FILE|URL [--base URL] [--content-type TYPE]\n"
	"\n"
	"Print what the feed parser understood of a feed as one JSON object:\n"
	"format, title, link, language, wellformed, entries (id, title, link,\n"
	"published, updated, author, summary, summary_text, content, categories)\n"
	"and warnings. Dates are RFC 3339 UTC; absent values are null; summary and\n"
	"content are sanitised HTML. A broken feed prints what could be salvaged.\n"
	"Nothing is stored.\n"
	"\n"
	"options:\n"
	"  --base URL           resolve relative links of FILE against URL\n"
	"  --content-type TYPE  the Content-Type FILE was served with (its charset\n"
	"                       overrides the document's declaration)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit status: 0 when a feed was recognised, 65 when nothing could be\n"
	"parsed, 66 when FILE cannot be read, 69 when URL cannot be fetched.\n";

struct parse_out {
	FILE *out;
	unsigned long n;
};

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *date_or_null(long long t)
{
	char text[32];

	if (t == FEED_NO_DATE)
		return json_null();
	date_format_rfc3339(t, text, sizeof(text));
	return json_string(text);
}

static int print_entry(const struct feed_entry *e, void *data)
{
	struct parse_out *p = data;
	json_t *o = json_object();
	json_t *cats = json_array();
	size_t i;

	for (i = 0; i < e->ncategories; i++)
		json_array_append_new(cats, json_string(e->categories[i]));
	json_object_set_new(o, "id", str_or_null(e->id));
	json_object_set_new(o, "title", str_or_null(e->title));
	json_object_set_new(o, "link", str_or_null(e->link));
	json_object_set_new(o, "published", date_or_null(e->published));
	json_object_set_new(o, "updated", date_or_null(e->updated));
	json_object_set_new(o, "author", str_or_null(e->author));
	json_object_set_new(o, "summary", str_or_null(e->summary));
	json_object_set_new(o, "summary_text", str_or_null(e->summary_text));
	json_object_set_new(o, "content", str_or_null(e->content));
	json_object_set_new(o, "categories", cats);
	fputs(p->n++ ? ",\n  " : "\n  ", p->out);
	json_dumpf(o, p->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return 0;
}

/* The feed-level fields, after the entries: the parser learns some of them
 * only as it goes, and entries are printed as they come so memory stays
 * flat on large feeds. */
static void print_tail(struct parse_out *p, const struct feed_info *info,
		       const char *failure)
{
	json_t *o = json_object();
	json_t *warnings = json_array();
	const char *s = info->warnings.s;
	char *dump;
	size_t len;

	while (*s) {
		const char *nl = strchr(s, '\n');

		len = nl ? (size_t)(nl - s) : strlen(s);
		json_array_append_new(warnings, json_stringn(s, len));
		s += len + (nl ? 1 : 0);
	}
	/* the reason may already be the parser's last warning */
	if (failure && !strstr(info->warnings.s, failure))
		json_array_append_new(warnings, json_string(failure));
	json_object_set_new(o, "format", json_string(feed_format_name(info->format)));
	json_object_set_new(o, "title", str_or_null(info->title));
	json_object_set_new(o, "link", str_or_null(info->link));
	json_object_set_new(o, "language", str_or_null(info->language));
	json_object_set_new(o, "wellformed", json_boolean(info->wellformed && !failure));
	json_object_set_new(o, "warnings", warnings);
	dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	/* splice the object's members after the entries array */
	fprintf(p->out, "%s],%s\n", p->n ? "\n" : "", dump + 1);
	free(dump);
	json_decref(o);
}

struct fetched {
	struct buf body;
	struct buf final_url;
	struct buf content_type;
	struct buf error;
	int ok;
};

static void on_fetched(const struct http_request *req, const struct http_response *resp,
		       void *data)
{
	struct fetched *f = data;

	f->ok = resp->outcome == HTTP_OK;
	if (f->ok) {
		buf_add(&f->body, resp->body, resp->body_len);
		buf_addstr(&f->final_url, resp->final_url ? resp->final_url : req->url);
		if (resp->content_type)
			buf_addstr(&f->content_type, resp->content_type);
	} else {
		buf_addstr(&f->error, resp->error ? resp->error :
			   resp->outcome == HTTP_GONE ? "410 Gone" : "304 Not Modified");
	}
}

static int fetch_url(struct cmd_ctx *ctx, const char *url, struct fetched *f)
{
	struct http_options hopt;
	struct http_request req = { 0 };
	struct buf err = BUF_INIT;
	int ret = EX_OK;

	fetch_http_options(ctx->cfg, &hopt);
	req.url = url;
	if (http_fetch_all(&hopt, &req, 1, on_fetched, f, &err) < 0) {
		log_error("parse: %s", err.s);
		ret = EX_SOFTWARE;
	} else if (!f->ok) {
		cmd_error_arg("parse: cannot fetch", url, "");
		log_error("parse: %s", f->error.s);
		ret = EX_UNAVAILABLE;
	}
	buf_release(&err);
	return ret;
}

int cmd_parse(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "content-type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetched f = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, 0 };
	struct parse_out p = { stdout, 0 };
	struct feed_options fopt = { 0 };
	struct feed_info info;
	struct buf err = BUF_INIT;
	const char *source;
	FILE *in = NULL;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'b': fopt.base_url = optarg; break;
		case 't': fopt.content_type = optarg; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		case ':':
			return usage_error(usage, "parse: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(usage, "parse: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error(usage, "parse: expected one FILE or URL");
	source = argv[optind];
	fopt.summary_chars = (size_t)ctx->cfg->fetch.summary_chars;
	feed_info_init(&info);
	if (url_is_http(source)) {
		ret = fetch_url(ctx, source, &f);
		if (ret)
			goto out;
		if (!fopt.base_url)
			fopt.base_url = f.final_url.s;
		if (!fopt.content_type && f.content_type.len)
			fopt.content_type = f.content_type.s;
	} else {
		in = strcmp(source, "-") ? fopen(source, "rb") : stdin;
		if (!in) {
			log_error("parse: cannot read '%s': %s", source, strerror(errno));
			ret = EX_NOINPUT;
			goto out;
		}
	}
	fputs("{\"entries\": [", stdout);
	if (in)
		ret = feed_parse_file(in, (size_t)ctx->cfg->fetch.max_bytes, &fopt,
				      print_entry, &p, &info, &err);
	else
		ret = feed_parse(f.body.s, f.body.len, &fopt, print_entry, &p, &info, &err);
	print_tail(&p, &info, ret < 0 ? err.s : NULL);
	if (ret < 0) {
		cmd_error_arg("parse: nothing could be parsed from", source, "");
		log_error("parse: %s", err.s);
		ret = EX_DATAERR;
	} else {
		ret = EX_OK;
	}
out:
	if (in && in != stdin)
		fclose(in);
	feed_info_release(&info);
	buf_release(&f.body);
	buf_release(&f.final_url);
	buf_release(&f.content_type);
	buf_release(&f.error);
	buf_release(&err);
	return ret;
}
