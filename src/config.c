#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "xalloc.h"

enum key_type {
	KEY_STRING,     /* any text without control characters */
	KEY_PATH,       /* a non-empty path */
	KEY_INT,        /* integer in [min, max] */
	KEY_SIZE,       /* integer with optional K, M or G suffix (powers of 1024) */
	KEY_DOUBLE,     /* decimal in [min, max] */
	KEY_ENUM,       /* one of the names in `names`, stored as its index */
	KEY_SECRET_FILE,/* empty, or a file of mode 0600 or stricter */
	KEY_ENV_NAME,   /* empty, or an environment variable name */
	KEY_LANG        /* a language tag: two or three letters, optional region */
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;        /* the default, written as in the INI file */
	double min, max;
	const char *const *names;
};

/* a yes/no key: false is 0, true is 1 */
static const char *const bool_names[] = { "false", "true", NULL };
static const char *const quiet_week_names[] = { "skip", "send", NULL };
static const char *const transport_names[] = { "smtp", "sendmail", "maildir", NULL };
static const char *const tls_names[] = { "starttls", "implicit", "none", NULL };

#define OFF(field) offsetof(struct config, field)

/*
 * The one description of every key: its type, range and default. The
 * defaults must equal config.example.ini (a unit test holds them to it).
 */
static const struct key keys[] = {
	{ "store", "path", KEY_PATH, OFF(store.path), "newsdigest.db", 0, 0, NULL },
	{ "store", "lock_timeout", KEY_INT, OFF(store.lock_timeout), "30", 0, 86400, NULL },
	{ "store", "busy_timeout", KEY_INT, OFF(store.busy_timeout), "5000", 0, 600000, NULL },

	{ "fetch", "feeds", KEY_PATH, OFF(fetch.feeds), "feeds/feeds.opml", 0, 0, NULL },
	{ "fetch", "max_feeds", KEY_INT, OFF(fetch.max_feeds), "10000", 1, 10000000, NULL },
	{ "fetch", "concurrency", KEY_INT, OFF(fetch.concurrency), "16", 1, 256, NULL },
	{ "fetch", "per_host", KEY_INT, OFF(fetch.per_host), "2", 1, 64, NULL },
	{ "fetch", "connect_timeout", KEY_INT, OFF(fetch.connect_timeout), "10", 1, 600, NULL },
	{ "fetch", "timeout", KEY_INT, OFF(fetch.timeout), "30", 1, 3600, NULL },
	{ "fetch", "max_bytes", KEY_SIZE, OFF(fetch.max_bytes), "10M", 1024, 1073741824.0, NULL },
	{ "fetch", "low_speed_bytes", KEY_INT, OFF(fetch.low_speed_bytes), "1024", 1, 1048576, NULL },
	{ "fetch", "low_speed_time", KEY_INT, OFF(fetch.low_speed_time), "20", 1, 3600, NULL },
	{ "fetch", "max_redirects", KEY_INT, OFF(fetch.max_redirects), "5", 0, 20, NULL },
	{ "fetch", "max_items", KEY_INT, OFF(fetch.max_items), "500", 1, 100000, NULL },
	{ "fetch", "summary_chars", KEY_INT, OFF(fetch.summary_chars), "300", 40, 10000, NULL },
	{ "fetch", "backoff_max", KEY_INT, OFF(fetch.backoff_max), "86400", 60, 2592000, NULL },
	{ "fetch", "failing_after", KEY_INT, OFF(fetch.failing_after), "3", 1, 1000, NULL },
	{ "fetch", "user_agent", KEY_STRING, OFF(fetch.user_agent),
	  "newsdigest/0.1 (+https://example.org/newsdigest)", 0, 0, NULL },

	{ "curate", "topics", KEY_PATH, OFF(curate.topics), "feeds/topics.ini", 0, 0, NULL },
	{ "curate", "min_score", KEY_DOUBLE, OFF(curate.min_score), "2.0", 0, 1000, NULL },
	{ "curate", "topic_min", KEY_DOUBLE, OFF(curate.topic_min), "1.0", 0, 1000, NULL },
	{ "curate", "topic_share", KEY_DOUBLE, OFF(curate.topic_share), "0.2", 0, 1, NULL },
	{ "curate", "title_weight", KEY_DOUBLE, OFF(curate.title_weight), "2.0", 0, 100, NULL },
	{ "curate", "hint_bonus", KEY_DOUBLE, OFF(curate.hint_bonus), "0.5", 0, 100, NULL },
	{ "curate", "context_window", KEY_INT, OFF(curate.context_window), "10", 1, 1000, NULL },
	{ "curate", "cluster_similarity", KEY_DOUBLE, OFF(curate.cluster_similarity), "0.6", 0.1, 1, NULL },
	{ "curate", "cluster_days", KEY_INT, OFF(curate.cluster_days), "7", 0, 366, NULL },
	{ "curate", "max_items", KEY_INT, OFF(curate.max_items), "100000", 1, 10000000, NULL },

	{ "compose", "digests_dir", KEY_PATH, OFF(compose.digests_dir), "digests", 0, 0, NULL },
	{ "compose", "title", KEY_STRING, OFF(compose.title), "News Digest", 0, 0, NULL },
	{ "compose", "templates", KEY_PATH, OFF(compose.templates), "templates", 0, 0, NULL },
	{ "compose", "window_days", KEY_INT, OFF(compose.window_days), "7", 1, 366, NULL },
	{ "compose", "min_items", KEY_INT, OFF(compose.min_items), "5", 0, 10000, NULL },
	{ "compose", "max_items", KEY_INT, OFF(compose.max_items), "60", 1, 10000, NULL },
	{ "compose", "max_per_section", KEY_INT, OFF(compose.max_per_section), "10", 1, 10000, NULL },
	{ "compose", "quiet_week", KEY_ENUM, OFF(compose.quiet_week), "skip", 0, 0, quiet_week_names },
	{ "compose", "allow_raw_html", KEY_ENUM, OFF(compose.allow_raw_html), "false", 0, 0, bool_names },

	{ "mail", "from", KEY_STRING, OFF(mail.from), "News Digest <news-digest@example.org>", 0, 0, NULL },
	{ "mail", "reply_to", KEY_STRING, OFF(mail.reply_to), "", 0, 0, NULL },
	{ "mail", "list_id", KEY_STRING, OFF(mail.list_id), "news-digest.example.org", 0, 0, NULL },
	{ "mail", "unsubscribe_mailto", KEY_STRING, OFF(mail.unsubscribe_mailto),
	  "news-digest-unsubscribe@example.org", 0, 0, NULL },
	{ "mail", "unsubscribe_url", KEY_STRING, OFF(mail.unsubscribe_url), "", 0, 0, NULL },
	{ "mail", "archive_url", KEY_STRING, OFF(mail.archive_url), "", 0, 0, NULL },
	{ "mail", "unsubscribe_secret_file", KEY_SECRET_FILE, OFF(mail.unsubscribe_secret_file), "", 0, 0, NULL },
	{ "mail", "unsubscribe_secret_env", KEY_ENV_NAME, OFF(mail.unsubscribe_secret_env), "", 0, 0, NULL },

	{ "send", "transport", KEY_ENUM, OFF(send.transport), "maildir", 0, 0, transport_names },
	{ "send", "maildir", KEY_PATH, OFF(send.maildir), "digests/outbox", 0, 0, NULL },
	{ "send", "sendmail", KEY_PATH, OFF(send.sendmail), "/usr/sbin/sendmail", 0, 0, NULL },
	{ "send", "connections", KEY_INT, OFF(send.connections), "2", 1, 64, NULL },
	{ "send", "rate", KEY_INT, OFF(send.rate), "0", 0, 1000000, NULL },
	{ "send", "batch", KEY_INT, OFF(send.batch), "50", 1, 10000, NULL },
	{ "send", "retries", KEY_INT, OFF(send.retries), "2", 0, 20, NULL },
	{ "send", "retry_delay", KEY_INT, OFF(send.retry_delay), "60", 0, 86400, NULL },
	{ "send", "reconnects", KEY_INT, OFF(send.reconnects), "3", 0, 100, NULL },
	{ "send", "bounce_after", KEY_INT, OFF(send.bounce_after), "3", 1, 1000, NULL },
	{ "send", "sendmail_timeout", KEY_INT, OFF(send.sendmail_timeout), "60", 1, 3600, NULL },

	{ "smtp", "host", KEY_STRING, OFF(smtp.host), "localhost", 0, 0, NULL },
	{ "smtp", "port", KEY_INT, OFF(smtp.port), "587", 1, 65535, NULL },
	{ "smtp", "tls", KEY_ENUM, OFF(smtp.tls), "starttls", 0, 0, tls_names },
	{ "smtp", "username", KEY_STRING, OFF(smtp.username), "", 0, 0, NULL },
	{ "smtp", "password_file", KEY_SECRET_FILE, OFF(smtp.password_file), "", 0, 0, NULL },
	{ "smtp", "password_env", KEY_ENV_NAME, OFF(smtp.password_env), "", 0, 0, NULL },
	{ "smtp", "ca_file", KEY_STRING, OFF(smtp.ca_file), "", 0, 0, NULL },
	{ "smtp", "timeout", KEY_INT, OFF(smtp.timeout), "60", 1, 3600, NULL },

	{ "subscribers", "max_import_rows", KEY_INT, OFF(subscribers.max_import_rows), "1000000", 1, 100000000, NULL },
	{ "subscribers", "max_field_bytes", KEY_INT, OFF(subscribers.max_field_bytes), "1024", 64, 1048576, NULL },
	{ "subscribers", "default_lang", KEY_LANG, OFF(subscribers.default_lang), "en", 0, 0, NULL },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct load_ctx {
	struct config *cfg;
	FILE *in;
	unsigned line;
	unsigned error_line;
	unsigned max_line;
	struct buf error;
	int line_too_long;
};

static int is_string_type(enum key_type t)
{
	return t == KEY_STRING || t == KEY_PATH || t == KEY_SECRET_FILE ||
	       t == KEY_ENV_NAME || t == KEY_LANG;
}

static char **str_field(struct config *cfg, const struct key *k)
{
	return (char **)(void *)((char *)cfg + k->offset);
}

static long *long_field(struct config *cfg, const struct key *k)
{
	return (long *)(void *)((char *)cfg + k->offset);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return -1;
	*out = n;
	return 0;
}

static int parse_size(const char *v, long *out)
{
	char *end;
	long n, mult = 1;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || n < 0)
		return -1;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = 1024L; break;
		case 'M': mult = 1024L * 1024; break;
		case 'G': mult = 1024L * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		if (*end == 'i')
			end++;
		if (toupper((unsigned char)*end) == 'B')
			end++;
		if (*end)
			return -1;
	}
	if (n > LONG_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

static int parse_lang(const char *v)
{
	size_t i = 0;

	while (isalpha((unsigned char)v[i]) && i < 3)
		i++;
	if (i < 2)
		return -1;
	if (!v[i])
		return 0;
	if (v[i] != '-' || !isalpha((unsigned char)v[i + 1]) ||
	    !isalpha((unsigned char)v[i + 2]) || v[i + 3])
		return -1;
	return 0;
}

static int valid_env_name(const char *v)
{
	if (!isalpha((unsigned char)*v) && *v != '_')
		return 0;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_')
			return 0;
	return 1;
}

/* Store `value` into the key's field, or explain in err why it cannot be. */
static int set_value(struct config *cfg, const struct key *k, const char *value,
		     struct buf *err)
{
	const char *const *n;
	long lv;
	double dv;
	char *end;
	int i;

	if (is_string_type(k->type) && has_control(value)) {
		buf_addf(err, "'%s' contains a control character", k->name);
		return -1;
	}
	switch (k->type) {
	case KEY_PATH:
		if (!*value) {
			buf_addf(err, "'%s' must not be empty", k->name);
			return -1;
		}
		break;
	case KEY_SECRET_FILE:
		if (*value && secret_check_file(value, err) < 0)
			return -1;
		break;
	case KEY_ENV_NAME:
		if (*value && !valid_env_name(value)) {
			buf_addf(err, "'%s' must be an environment variable name, not '%s'",
				 k->name, value);
			return -1;
		}
		break;
	case KEY_LANG:
		if (parse_lang(value) < 0) {
			buf_addf(err, "'%s' must be a language tag such as 'en' or 'fr', not '%s'",
				 k->name, value);
			return -1;
		}
		break;
	case KEY_INT:
	case KEY_SIZE:
		if ((k->type == KEY_INT ? parse_long(value, &lv) : parse_size(value, &lv)) < 0) {
			buf_addf(err, "'%s' must be %s, not '%s'", k->name,
				 k->type == KEY_INT ? "a whole number"
						    : "a size in bytes (suffix K, M or G allowed)",
				 value);
			return -1;
		}
		if ((double)lv < k->min || (double)lv > k->max) {
			buf_addf(err, "'%s' must be between %.0f and %.0f, not %s",
				 k->name, k->min, k->max, value);
			return -1;
		}
		*long_field(cfg, k) = lv;
		return 0;
	case KEY_DOUBLE:
		errno = 0;
		dv = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(dv)) {
			buf_addf(err, "'%s' must be a number, not '%s'", k->name, value);
			return -1;
		}
		if (dv < k->min || dv > k->max) {
			buf_addf(err, "'%s' must be between %g and %g, not %s",
				 k->name, k->min, k->max, value);
			return -1;
		}
		*(double *)(void *)((char *)cfg + k->offset) = dv;
		return 0;
	case KEY_ENUM:
		for (n = k->names, i = 0; *n; n++, i++) {
			if (!strcmp(*n, value)) {
				*(int *)(void *)((char *)cfg + k->offset) = i;
				return 0;
			}
		}
		buf_addf(err, "'%s' must be one of", k->name);
		for (n = k->names; *n; n++)
			buf_addf(err, "%s '%s'", n == k->names ? "" : (n[1] ? "," : " or"), *n);
		buf_addf(err, ", not '%s'", value);
		return -1;
	case KEY_STRING:
		break;
	}
	free(*str_field(cfg, k));
	*str_field(cfg, k) = xstrdup(value);
	return 0;
}

void config_init(struct config *cfg)
{
	struct buf err = BUF_INIT;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->origin = xcalloc(NKEYS, sizeof(*cfg->origin));
	for (i = 0; i < NKEYS; i++) {
		/* defaults never touch the file system: secret files are empty */
		if (set_value(cfg, &keys[i], keys[i].def, &err) < 0) {
			fprintf(stderr, "BUG: default of [%s] %s: %s\n",
				keys[i].section, keys[i].name, err.s);
			abort();
		}
	}
	buf_release(&err);
}

void config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (is_string_type(keys[i].type))
			free(*str_field(cfg, &keys[i]));
	free(cfg->origin);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}

static int known_section(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].section) == len && !strncmp(keys[i].section, name, len))
			return 1;
	return 0;
}

/*
 * Our own line reader for inih, so that we know the line of every key (the
 * packaged inih passes no line numbers to handlers), can refuse lines that
 * its fixed buffer would silently split in two, and can check section names
 * (inih says nothing of a section that holds no keys).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	const char *p, *end;
	size_t len;

	if (ctx->error.len || !fgets(str, num, ctx->in))
		return NULL;
	ctx->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(ctx->in)) {
		ctx->line_too_long = 1;
		return NULL;
	}
	for (p = str; isspace((unsigned char)*p); p++)
		;
	end = *p == '[' ? strchr(p, ']') : NULL;
	if (end) {
		/* no trimming inside the brackets: inih passes names as written */
		p++;
		if (!known_section(p, (size_t)(end - p))) {
			buf_addf(&ctx->error, "unknown section [%.*s]", (int)(end - p), p);
			ctx->error_line = ctx->line;
			return NULL;
		}
	}
	return str;
}

static const char *unquote(const char *value, char *tmp, size_t tmpsize)
{
	size_t len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"' && len - 1 < tmpsize) {
		memcpy(tmp, value + 1, len - 2);
		tmp[len - 2] = '\0';
		return tmp;
	}
	return value;
}

static int handle_key(void *user, const char *section, const char *name,
		      const char *value)
{
	struct load_ctx *ctx = user;
	char tmp[512];
	size_t i;
	int section_known = 0;

	if (ctx->error.len)
		return 1;
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section))
			continue;
		section_known = 1;
		if (strcmp(keys[i].name, name))
			continue;
		if (ctx->cfg->origin[i]) {
			buf_addf(&ctx->error, "'%s' is set twice in [%s] (first on line %u)",
				 name, section, ctx->cfg->origin[i]);
			goto fail;
		}
		if (set_value(ctx->cfg, &keys[i], unquote(value, tmp, sizeof(tmp)),
			      &ctx->error) < 0)
			goto fail;
		ctx->cfg->origin[i] = ctx->line;
		return 1;
	}
	if (!*section)
		buf_addf(&ctx->error, "'%s' is outside any [section]", name);
	else if (!section_known)
		buf_addf(&ctx->error, "unknown section [%s]", section);
	else
		buf_addf(&ctx->error, "unknown key '%s' in [%s]", name, section);
fail:
	ctx->error_line = ctx->line;
	return 0;
}

static void clear_origins(struct config *cfg)
{
	memset(cfg->origin, 0, NKEYS * sizeof(*cfg->origin));
}

int config_load(struct config *cfg, const char *path, struct buf *err)
{
	struct load_ctx ctx = { 0 };
	int line;
	int ret = -1;

	ctx.cfg = cfg;
	buf_init(&ctx.error, 0);
	ctx.in = fopen(path, "r");
	if (!ctx.in) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	clear_origins(cfg);
	line = ini_parse_stream(read_line, &ctx, handle_key, &ctx);
	if (ferror(ctx.in)) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (ctx.line_too_long && (!ctx.error.len || ctx.line <= ctx.error_line)) {
		buf_addf(err, "cannot parse '%s': line %u: line too long (at most 198 characters)",
			 path, ctx.line);
		goto out;
	}
	if (line > 0 && (!ctx.error.len || (unsigned)line < ctx.error_line)) {
		buf_addf(err, "cannot parse '%s': line %d: expected '[section]' or "
			 "'key = value'", path, line);
		goto out;
	}
	if (ctx.error.len) {
		buf_addf(err, "cannot parse '%s': line %u: %s", path, ctx.error_line,
			 ctx.error.s);
		goto out;
	}
	if (line < 0) {
		buf_addf(err, "cannot read '%s': out of memory", path);
		goto out;
	}
	free(cfg->file);
	cfg->file = xstrdup(path);
	ret = 0;
out:
	if (ctx.in)
		fclose(ctx.in);
	buf_release(&ctx.error);
	return ret;
}

int config_load_default(struct config *cfg, const char *explicit, struct buf *err)
{
	const char *env = getenv("NEWSDIGEST_CONFIG");

	if (explicit)
		return config_load(cfg, explicit, err);
	if (env && *env)
		return config_load(cfg, env, err);
	if (access("newsdigest.ini", F_OK) == 0)
		return config_load(cfg, "newsdigest.ini", err);
	return 0;
}

static void format_value(const struct config *cfg, const struct key *k, struct buf *out)
{
	struct config *c = (struct config *)cfg;
	long v;

	switch (k->type) {
	case KEY_INT:
		buf_addf(out, "%ld", *long_field(c, k));
		break;
	case KEY_SIZE:
		v = *long_field(c, k);
		if (v && v % (1024L * 1024 * 1024) == 0)
			buf_addf(out, "%ldG", v / (1024L * 1024 * 1024));
		else if (v && v % (1024L * 1024) == 0)
			buf_addf(out, "%ldM", v / (1024L * 1024));
		else if (v && v % 1024 == 0)
			buf_addf(out, "%ldK", v / 1024);
		else
			buf_addf(out, "%ld", v);
		break;
	case KEY_DOUBLE:
		buf_addf(out, "%g", *(double *)(void *)((char *)c + k->offset));
		if (!strpbrk(out->s, ".e"))
			buf_addstr(out, ".0");
		break;
	case KEY_ENUM:
		buf_addstr(out, k->names[*(int *)(void *)((char *)c + k->offset)]);
		break;
	default:
		buf_addstr(out, *str_field(c, k));
		break;
	}
}

static void print_keys(const struct config *cfg, FILE *out, int with_origin)
{
	struct buf v = BUF_INIT;
	const char *section = "";
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		buf_reset(&v);
		format_value(cfg, &keys[i], &v);
		if (!with_origin) {
			if (strcmp(section, keys[i].section))
				fprintf(out, "%s[%s]\n", i ? "\n" : "", keys[i].section);
			section = keys[i].section;
			fprintf(out, "%s = %s\n", keys[i].name, v.s);
		} else if (cfg->origin && cfg->origin[i]) {
			fprintf(out, "[%s] %s = %s (%s:%u)\n", keys[i].section,
				keys[i].name, v.s, cfg->file, cfg->origin[i]);
		} else {
			fprintf(out, "[%s] %s = %s (default)\n", keys[i].section,
				keys[i].name, v.s);
		}
	}
	buf_release(&v);
}

void config_describe(const struct config *cfg, FILE *out)
{
	print_keys(cfg, out, 1);
}

void config_dump(const struct config *cfg, FILE *out)
{
	print_keys(cfg, out, 0);
}
