#ifndef NEWSDIGEST_CONFIG_H
#define NEWSDIGEST_CONFIG_H
/*
 * Configuration: built-in defaults (equal to config.example.ini), then one
 * INI file read with inih. Every key is described once, in the table in
 * config.c; an unknown section or key, a key given twice, a value of the
 * wrong type or out of range is an error naming the file and line, so a typo
 * is never silently ignored. Relative paths are relative to the working
 * directory. Secrets are never values: only *_file (a file of mode 0600 or
 * stricter) and *_env (the name of an environment variable) keys.
 */
#include <stdio.h>

#include "buf.h"

enum config_quiet_week { QUIET_WEEK_SKIP, QUIET_WEEK_SEND };
enum config_transport { TRANSPORT_SMTP, TRANSPORT_SENDMAIL, TRANSPORT_MAILDIR };
enum config_tls { TLS_STARTTLS, TLS_IMPLICIT, TLS_NONE };

struct config {
	char *file;             /* the file loaded; NULL for built-in defaults */
	struct {
		char *path;
		long lock_timeout;      /* seconds to wait for the run lock */
		long busy_timeout;      /* milliseconds SQLite waits on a busy store */
	} store;
	struct {
		char *feeds;            /* OPML seeded into the store on first run */
		long max_feeds;         /* outlines accepted from one OPML file */
		long concurrency;
		long per_host;
		long connect_timeout;
		long timeout;
		long max_bytes;
		long low_speed_bytes;   /* abort a transfer slower than this ... */
		long low_speed_time;    /* ... for this many seconds */
		long max_redirects;
		long max_items;         /* entries stored per feed and fetch */
		long summary_chars;     /* length of an item's plain-text excerpt */
		long backoff_max;       /* seconds a failing feed waits at most */
		long failing_after;     /* failed fetches in a row before a feed is called out */
		char *user_agent;
	} fetch;
	struct {
		char *topics;
		double min_score;       /* an item's score to be included */
		double topic_min;       /* a topic's score to be tagged */
		double topic_share;     /* ... and its share of the item's best topic */
		double title_weight;    /* a phrase in a title counts this many times */
		double hint_bonus;      /* added to a topic the item's feed leans to */
		long context_window;    /* words either side for topics.ini's requires */
		double cluster_similarity; /* share of title words two stories have in common */
		long cluster_days;      /* how far apart two items of one story can be */
		long max_items;         /* items tagged in one run */
	} curate;
	struct {
		char *digests_dir;
		char *title;
		char *templates;        /* folder of draft.md, digest.html, digest.txt */
		long window_days;
		long min_items;
		long max_items;
		long max_per_section;
		int quiet_week;         /* enum config_quiet_week */
		int allow_raw_html;     /* keep HTML written in the draft */
	} compose;
	struct {
		char *from;
		char *reply_to;
		char *list_id;
		char *unsubscribe_mailto;
		char *unsubscribe_url;
		char *archive_url;
		char *unsubscribe_secret_file;
		char *unsubscribe_secret_env;
	} mail;
	struct {
		int transport;          /* enum config_transport */
		char *maildir;
		char *sendmail;
		long connections;
		long rate;              /* messages per minute; 0: no limit */
		long batch;             /* journal rows marked sending per commit */
		long retries;           /* rounds of retrying temporary failures */
		long retry_delay;       /* seconds before the first round, doubled each round */
		long reconnects;        /* new connections one message may use after a drop or 421 */
		long bounce_after;      /* digests refused with 5.1.x before an address is bounced */
		long sendmail_timeout;  /* seconds one sendmail run may take */
	} send;
	struct {
		char *host;
		long port;
		int tls;                /* enum config_tls */
		char *username;
		char *password_file;
		char *password_env;
		char *ca_file;
		long timeout;
	} smtp;
	struct {
		long max_import_rows;
		long max_field_bytes;
		char *default_lang;
	} subscribers;
	/* line of the file that set each key (0: built-in default), table order */
	unsigned *origin;
};

/* Fill cfg with the built-in defaults. Allocates; release with config_release. */
void config_init(struct config *cfg);
/*
 * Load `path` over the values already in cfg. Returns 0, or -1 with
 * "cannot read 'PATH': REASON" or "cannot parse 'PATH': line N: REASON"
 * appended to err (cfg may then hold part of the file's values).
 */
int config_load(struct config *cfg, const char *path, struct buf *err);
/*
 * Choose and load the configuration as the command line says: `explicit`
 * (-c), else $NEWSDIGEST_CONFIG, else ./newsdigest.ini if it exists, else the
 * built-in defaults. A file named by -c or the environment must exist.
 */
int config_load_default(struct config *cfg, const char *explicit, struct buf *err);
void config_release(struct config *cfg);
/* Print every key as "[section] key = value" with where it came from
 * ("default" or "FILE:LINE"); secrets are only ever file or variable names. */
void config_describe(const struct config *cfg, FILE *out);
/* Print every key as it would appear in an INI file, in table order. */
void config_dump(const struct config *cfg, FILE *out);

#endif
