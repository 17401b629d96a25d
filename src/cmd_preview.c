#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "atomic.h"
#include "cmd.h"
#include "digest.h"
#include "draft.h"
#include "log.h"

static const char usage[] =
	"usage: newsdigest preview FILE [-o OUT.html] [--text]\n"
	"\n"
	"Show the draft FILE exactly as a subscriber will get it, with a sample\n"
	"subscriber's name and unsubscribe link: the HTML part on standard\n"
	"output, or in OUT.html with -o (open it in a browser), or the plain-text\n"
	"part with --text. Markers and comments of the draft never show.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE  write the HTML there\n"
	"  -t, --text         print the plain-text part instead\n"
	"  -h, --help         this help\n"
	"\n"
	"exit status: 0 ok, 65 the draft cannot be read (the message names the\n"
	"line), 73 cannot write OUT.html, 78 a template error (FILE:LINE).\n";

int cmd_preview(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct draft_doc d = { 0 };
	struct digest *dg = NULL;
	struct atomic_file af = { 0 };
	struct buf err = BUF_INIT, html = BUF_INIT, text = BUF_INIT;
	const char *output = NULL;
	int as_text = 0, ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:th", options, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 't': as_text = 1; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		case ':':
			return usage_error(usage, "preview: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(usage, "preview: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(usage, "preview: which draft? (digests/YYYY-Www.md)");
	if (optind + 1 < argc)
		return usage_error(usage, "preview: unexpected argument '%s'", argv[optind + 1]);
	if (draft_read(argv[optind], &d, &err) < 0) {
		log_error("preview: %s", err.s);
		ret = EX_DATAERR;
		goto out;
	}
	dg = digest_new(ctx->cfg, &d, &err);
	if (!dg || digest_personalise(dg, &digest_sample_person, &html, &text, &err) < 0) {
		log_error("preview: %s", err.s);
		ret = EX_CONFIG;
		goto out;
	}
	if (as_text) {
		fwrite(text.s, 1, text.len, stdout);
	} else if (!output) {
		fwrite(html.s, 1, html.len, stdout);
	} else {
		if (atomic_open(&af, output, 0644, &err) < 0) {
			log_error("preview: %s", err.s);
			ret = EX_CANTCREAT;
			goto out;
		}
		if (fwrite(html.s, 1, html.len, af.f) != html.len ||
		    atomic_commit(&af, &err) < 0) {
			atomic_abort(&af);
			log_error("preview: %s", err.len ? err.s : "cannot write the preview");
			ret = EX_CANTCREAT;
			goto out;
		}
		log_report("wrote %s (%zu bytes of HTML)", output, html.len);
	}
	ret = EX_OK;
out:
	digest_free(dg);
	draft_doc_release(&d);
	buf_release(&err);
	buf_release(&html);
	buf_release(&text);
	return cmd_finish_output(ret);
}
