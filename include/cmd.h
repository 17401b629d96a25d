#ifndef NEWSDIGEST_CMD_H
#define NEWSDIGEST_CMD_H
/*
 * Commands. To add one: write src/cmd_NAME.c with
 *   int cmd_NAME(int argc, char **argv, struct cmd_ctx *ctx);
 * declare it below, and add a row to the table in main.c. A command parses
 * its own options (argv[0] is its name), then opens the store with
 * cmd_open_store (taking the run lock if it writes), calls modules, prints
 * the report, and returns an exit status from <sysexits.h>. Only main.c and
 * cmd_*.c may call die().
 */
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

/* Open the store (and take the run lock when `lock`: the command writes).
 * Returns 0, or an exit status after printing why. */
int cmd_open_store(struct cmd_ctx *ctx, int lock);

/* Print msg and exit with status. */
void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Print "newsdigest: PREFIX 'ARG'SUFFIX" on stderr, with ARG (something the
 * user typed, or read from a file) cleaned of control characters. */
void cmd_error_arg(const char *prefix, const char *arg, const char *suffix);
/* Print a command's usage to stderr and return EX_USAGE (64). */
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a failed write to stdout (and exit non-zero) at the end of a command. */
int cmd_finish_output(int status);
/* The exit status for a module failure: EX_DATAERR when the input was at
 * fault, else the store's code. Prints err first. */
int cmd_fail(struct cmd_ctx *ctx, int bad_input, struct buf *err);

#endif
