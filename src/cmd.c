#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "atomic.h"
#include "buf.h"
#include "cmd.h"
#include "log.h"

void cmd_error_arg(const char *prefix, const char *arg, const char *suffix)
{
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "%s '", prefix);
	buf_addsanitized(&msg, arg);
	buf_addf(&msg, "'%s", suffix);
	log_error("%s", msg.s);
	buf_release(&msg);
}

int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("newsdigest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EX_USAGE;
}

int cmd_finish_output(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("newsdigest: cannot write to standard output\n", stderr);
		return status ? status : EX_IOERR;
	}
	return status;
}

int cmd_write_output(struct cmd_ctx *ctx, const char *output, mode_t mode,
		     int (*write)(struct store *st, FILE *out, struct buf *err))
{
	struct atomic_file af = { 0 };
	struct buf err = BUF_INIT;
	int ret = EX_OK;

	if (output && atomic_open(&af, output, mode, &err) < 0) {
		log_error("%s", err.s);
		ret = EX_CANTCREAT;
		goto out;
	}
	if (write(ctx->st, output ? af.f : stdout, &err) < 0 ||
	    (output && atomic_commit(&af, &err) < 0)) {
		ret = cmd_fail(ctx, 0, &err);
		/* not the store's fault: the output could not be written */
		if (ctx->st->code == STORE_OK)
			ret = EX_IOERR;
	}
out:
	atomic_abort(&af);
	buf_release(&err);
	return ret;
}

int cmd_fail(struct cmd_ctx *ctx, int bad_input, struct buf *err)
{
	log_error("%s", err->s);
	if (bad_input)
		return EX_DATAERR;
	return store_exitcode(ctx->st->code);
}

int cmd_open_store(struct cmd_ctx *ctx, int lock)
{
	struct buf err = BUF_INIT;
	int ret = 0;

	if (!ctx->store_open) {
		if (store_open(ctx->st, ctx->cfg->store.path, ctx->cfg->store.busy_timeout,
			       &err) < 0) {
			ret = cmd_fail(ctx, 0, &err);
			goto out;
		}
		ctx->store_open = 1;
	}
	if (lock && store_lock(ctx->st, ctx->cfg->store.lock_timeout, &err) < 0)
		ret = cmd_fail(ctx, 0, &err);
out:
	buf_release(&err);
	return ret;
}
