#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level current = LOG_NORMAL;

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	emit(stderr, "newsdigest: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (current < LOG_NORMAL)
		return;
	fflush(stdout);
	va_start(ap, fmt);
	emit(stderr, "newsdigest: warning: ", fmt, ap);
	va_end(ap);
}

void log_report(const char *fmt, ...)
{
	va_list ap;

	if (current < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	emit(stdout, "", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (current < LOG_VERBOSE)
		return;
	fflush(stdout);
	va_start(ap, fmt);
	emit(stderr, "newsdigest: debug: ", fmt, ap);
	va_end(ap);
}
