#ifndef NEWSDIGEST_LOG_H
#define NEWSDIGEST_LOG_H
/*
 * Messages. Reports (what a command did) go to stdout so cron mails them;
 * warnings, errors and debug lines go to stderr prefixed "newsdigest: ".
 * -q silences reports and warnings, -v adds debug lines.
 */
enum log_level {
	LOG_QUIET = -1,
	LOG_NORMAL = 0,
	LOG_VERBOSE = 1
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Errors always print (stderr). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warnings print unless -q (stderr). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report lines print unless -q (stdout). */
void log_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Debug lines print with -v (stderr). */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
