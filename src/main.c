#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "log.h"

#define NEWSDIGEST_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run,
	  "the weekly job: fetch, curate, compose; with --send, send the approved draft" },
	{ "fetch", cmd_fetch,
	  "fetch the feeds that are due, store new and changed items" },
	{ "curate", cmd_curate,
	  "tag stored items with the mandate's topics and decide what is in" },
	{ "compose", cmd_compose,
	  "write this week's draft digest for the editor (never over their edits)" },
	{ "preview", cmd_preview,
	  "FILE: the draft exactly as subscribers will get it (HTML or --text)" },
	{ "approve", cmd_approve,
	  "FILE: check the draft and record it as the one to send" },
	{ "send", cmd_send,
	  "FILE: send the approved draft to every subscriber once (--to: a test)" },
	{ "topics", cmd_topics,
	  "list | check: the topic list the curator uses" },
	{ "parse", cmd_parse,
	  "print what the parser understands of a feed FILE or URL, as JSON" },
	{ "feeds", cmd_feeds,
	  "list | add URL | remove URL | import FILE.opml | export" },
	{ "subscribers", cmd_subscribers,
	  "list | add EMAIL [NAME] | remove EMAIL | import FILE.csv | export | unsubscribe TOKEN" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
	size_t i;

	fputs("usage: newsdigest [-c FILE] [-v|-q] COMMAND [ARGS]\n"
	      "\n"
	      "Turns RSS and Atom feeds into a weekly news digest and mails it to a\n"
	      "subscriber list.\n"
	      "\n"
	      "options:\n"
	      "  -c, --config FILE  configuration file (default: $NEWSDIGEST_CONFIG,\n"
	      "                     else ./newsdigest.ini, else built-in defaults)\n"
	      "  -v, --verbose      more detail, including where each setting came from\n"
	      "  -q, --quiet        errors only\n"
	      "  -h, --help         this help; 'newsdigest COMMAND --help' for a command\n"
	      "      --version      print the version\n"
	      "\n"
	      "commands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fputs("\nexit status: 0 ok, 64 usage, 65 bad input data, 66 input file missing,\n"
	      "69 every feed failed to fetch or the mail server cannot be reached,\n"
	      "73 store not writable, 74 I/O error, 75 temporary failure (another\n"
	      "newsdigest is running, or mail to retry: try again), 77 the draft is\n"
	      "not approved, 78 configuration error.\n"
	      "See newsdigest(1).\n", out);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cfg;
	struct store st = { 0 };
	struct cmd_ctx ctx = { &cfg, &st, 0 };

	struct buf err = BUF_INIT;
	const struct command *cmd = NULL;
	const char *config_path = NULL;
	int verbose = 0, quiet = 0;
	int first;
	int status;
	size_t i;
	int c;

	st.lock_fd = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:vqh", options, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		case 'h': print_usage(stdout); return cmd_finish_output(EX_OK);
		case 'V': puts("newsdigest " NEWSDIGEST_VERSION); return cmd_finish_output(EX_OK);
		case ':':
			fprintf(stderr, "newsdigest: option '%s' needs a value\n", argv[optind - 1]);
			print_usage(stderr);
			return EX_USAGE;
		default:
			fprintf(stderr, "newsdigest: unknown option '%s'\n", argv[optind - 1]);
			print_usage(stderr);
			return EX_USAGE;
		}
	}
	if (verbose && quiet) {
		fputs("newsdigest: -v and -q cannot be used together\n", stderr);
		print_usage(stderr);
		return EX_USAGE;
	}
	log_set_level(quiet ? LOG_QUIET : verbose ? LOG_VERBOSE : LOG_NORMAL);
	if (optind >= argc) {
		fputs("newsdigest: no command given\n", stderr);
		print_usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "newsdigest: unknown command '%s'\n", argv[optind]);
		print_usage(stderr);
		return EX_USAGE;
	}

	config_init(&cfg);
	if (config_load_default(&cfg, config_path, &err) < 0) {
		log_error("%s", err.s);
		status = EX_CONFIG;
		goto out;
	}
	if (verbose) {
		log_debug("configuration: %s", cfg.file ? cfg.file : "built-in defaults");
		config_describe(&cfg, stderr);
	}
	/* each command parses its own options from a fresh getopt state */
	first = optind;
	optind = 0;
	status = cmd->fn(argc - first, argv + first, &ctx);
	status = cmd_finish_output(status);
out:
	store_close(&st);
	config_release(&cfg);
	buf_release(&err);
	return status;
}
