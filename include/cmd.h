#ifndef NEWSDIGEST_CMD_H
#define NEWSDIGEST_CMD_H
/*
 * Commands. To add one: write src/cmd_NAME.c with
 *   int cmd_NAME(int argc, char **argv, struct cmd_ctx *ctx);
 * declare it below, and add a row to the table in main.c. A command parses
 * its own options (argv[0] is its name), then opens the store with
 * cmd_open_store (taking the run lock if it writes), calls modules, prints
 * the report, and returns an exit status from <sysexits.h>.
 */
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "store.h"

struct cmd_ctx {
	struct config *cfg;
	struct store *st;       /* open when the command asked for it */
	int store_open;
};

int cmd_feeds(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_subscribers(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_run(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_fetch(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_parse(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_curate(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_topics(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_compose(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_preview(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_approve(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_send(int argc, char **argv, struct cmd_ctx *ctx);

struct draft_doc;
enum send_flags {
	SEND_FROM_RUN = 1 << 0,     /* run --send: a draft not approved is no error */
	SEND_INCLUDE_NEW = 1 << 1,  /* add subscribers who joined after the send began */
	SEND_RESUME = 1 << 2,       /* never begin a send, only resume one */
};
/* Send the draft d to its week's journal after the approval gate: shared
 * by send and run --send. Returns the exit status. */
int cmd_send_digest(struct cmd_ctx *ctx, const struct draft_doc *d, int flags);

struct draft_report;
/* The exit status of a failed draft_write (why in rep->failed), after
 * printing err: shared by compose and run. */
int cmd_compose_fail(struct cmd_ctx *ctx, const struct draft_report *rep, struct buf *err);

/* Open the store (and take the run lock when `lock`: the command writes).
 * Returns 0, or an exit status after printing why. */
int cmd_open_store(struct cmd_ctx *ctx, int lock);

/* Print "newsdigest: PREFIX 'ARG'SUFFIX" on stderr, with ARG (something the
 * user typed, or read from a file) cleaned of control characters. */
void cmd_error_arg(const char *prefix, const char *arg, const char *suffix);
/* Print a command's usage to stderr and return EX_USAGE (64). */
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a failed write to stdout (and exit non-zero) at the end of a command. */
int cmd_finish_output(int status);
/* Write what `write` produces to standard output, or to the file `output`
 * (replaced atomically, with `mode`). Returns an exit status: 0, EX_CANTCREAT
 * when the file cannot be created, EX_IOERR when writing failed, or the
 * store's status. */
int cmd_write_output(struct cmd_ctx *ctx, const char *output, mode_t mode,
		     int (*write)(struct store *st, FILE *out, struct buf *err));
/* The exit status for a module failure: EX_DATAERR when the input was at
 * fault, else the store's code. Prints err first. */
int cmd_fail(struct cmd_ctx *ctx, int bad_input, struct buf *err);

#endif
