/*
 * transport: maildir against a temporary folder, sendmail against small
 * shell scripts standing in for an MTA, smtp against tests/lib/smtpfault.py
 * (a scriptable SMTP server) on 127.0.0.1. What the other side got (files,
 * argv, stdin, the server's event log and saved messages) is checked as well
 * as what the caller got. SMTP tests are skipped without /usr/bin/python3;
 * TLS tests without /usr/bin/openssl.
 */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "transport.h"
#include "xalloc.h"

#define PYTHON "/usr/bin/python3"
#define OPENSSL "/usr/bin/openssl"
#define MAX_MSGS 16
#define FROM_ADDR "news-digest@example.org"
#define ANY (-1)               /* assert_each: that field is not checked */

struct server {
	pid_t pid;
	int port;
	char log[256];
	char maildir[256];
};

struct batch {
	struct transport_msg m[MAX_MSGS];
	struct buf text[MAX_MSGS];
	char rcpt[MAX_MSGS][64];
	size_t n;
};

static struct {
	char dir[64];
	char script[512];       /* smtpfault.py, or "" when it cannot run */
	int tls;                /* a certificate was made */
	char cert[128];
	char key[128];
	int seq;                /* numbers servers and folders */
} env;

static void assert_sane_msg(const struct transport_msg *m);
static double now(void);
static void set_str(char **field, const char *value);
static void config_smtp(struct config *cfg, int port);
static void add_msg(struct batch *b, const char *rcpt, const char *body);
static void add_plain(struct batch *b, int n);
static void assert_each(const struct batch *b, int result, int maybe,
			const char *reply);
static void batch_release(struct batch *b);
static void write_file(const char *path, const char *text, mode_t mode);
static char *read_file(const char *path, size_t *len);
static int count_files(const char *dir);
static int server_start(struct server *srv, const char *const *args);
static void server_stop(struct server *srv);
static int log_count(const struct server *srv, const char *prefix);
static char *saved_message(const struct server *srv, int n, size_t *len);
static int run_quiet(const char *const *argv);
static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw);
static void new_path(char *out, size_t size, const char *name);

static void assert_sane_msg(const struct transport_msg *m)
{
	size_t len = strnlen(m->reply, sizeof(m->reply));

	assert_true(len < sizeof(m->reply));
	assert_null(strchr(m->reply, '\r'));
	assert_null(strchr(m->reply, '\n'));
	assert_true(m->result == TRANSPORT_SENT || m->result == TRANSPORT_TEMPFAIL ||
		    m->result == TRANSPORT_FAILED);
	assert_true(m->maybe_delivered == 0 || m->maybe_delivered == 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* A unique path under the test folder. */
static void new_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s-%d", env.dir, name, ++env.seq);
}

static void config_smtp(struct config *cfg, int port)
{
	config_init(cfg);
	set_str(&cfg->smtp.host, "127.0.0.1");
	cfg->smtp.port = port;
	cfg->smtp.tls = TLS_NONE;
	cfg->smtp.timeout = 5;
	cfg->send.connections = 2;
	cfg->send.reconnects = 3;
	cfg->send.rate = 0;
}

/* A message with CRLF line ends, its own Message-ID, and `body`. */
static void add_msg(struct batch *b, const char *rcpt, const char *body)
{
	size_t i = b->n++;

	assert_true(i < MAX_MSGS);
	snprintf(b->rcpt[i], sizeof(b->rcpt[i]), "%s", rcpt);
	buf_init(&b->text[i], 0);
	buf_addf(&b->text[i],
		 "From: News Digest <" FROM_ADDR ">\r\n"
		 "To: %s\r\n"
		 "Subject: digest %zu\r\n"
		 "Message-ID: <m%zu@test>\r\n"
		 "\r\n"
		 "%s", rcpt, i, i, body);
	memset(&b->m[i], 0, sizeof(b->m[i]));
	b->m[i].rcpt = b->rcpt[i];
	b->m[i].data = b->text[i].s;
	b->m[i].len = b->text[i].len;
	/* garbage the transport must overwrite */
	b->m[i].result = 42;
	b->m[i].maybe_delivered = 7;
	snprintf(b->m[i].reply, sizeof(b->m[i].reply), "stale");
}

/* n one-line messages to a@, b@, c@... example.net, for the tests where
 * only how many go matters. */
static void add_plain(struct batch *b, int n)
{
	char rcpt[32];
	int k;

	for (k = 0; k < n; k++) {
		snprintf(rcpt, sizeof(rcpt), "%c@example.net", 'a' + k);
		add_msg(b, rcpt, "x\r\n");
	}
}

/* Every message of b is sane and came out with `result` and
 * `maybe_delivered` (ANY: whatever each got), its reply holding `reply`
 * (NULL: whatever it says). */
static void assert_each(const struct batch *b, int result, int maybe,
			const char *reply)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		assert_sane_msg(&b->m[i]);
		if (result != ANY)
			assert_int_equal(b->m[i].result, result);
		if (maybe != ANY)
			assert_int_equal(b->m[i].maybe_delivered, maybe);
		if (reply)
			assert_non_null(strstr(b->m[i].reply, reply));
	}
}

static void batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		buf_release(&b->text[i]);
	b->n = 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char *read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t got;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Start smtpfault.py with --log and --maildir in a fresh folder plus args
 * (NULL-terminated), and read the port it prints. 0, or -1 when it did not
 * come up within 10 s.
 */
static int server_start(struct server *srv, const char *const *args)
{
	const char *argv[48];
	int out[2];
	size_t n = 0;
	char line[32];
	size_t got = 0;
	double deadline;
	char stderr_path[300];
	int k;

	memset(srv, 0, sizeof(*srv));
	new_path(srv->log, sizeof(srv->log), "smtp.log");
	snprintf(stderr_path, sizeof(stderr_path), "%s.stderr", srv->log);
	new_path(srv->maildir, sizeof(srv->maildir), "smtp-md");
	argv[n++] = PYTHON;
	argv[n++] = env.script;
	argv[n++] = "--log";
	argv[n++] = srv->log;
	argv[n++] = "--maildir";
	argv[n++] = srv->maildir;
	while (args && *args && n < 46)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe(out) < 0)
		return -1;
	srv->pid = fork();
	if (srv->pid < 0)
		return -1;
	if (srv->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		/* should the test die without stopping it */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* asyncio's own warnings go with the log, not into TAP */
		k = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (k >= 0)
			dup2(k, 2);
		execv(PYTHON, (char *const *)(void *)argv);
		_exit(127);
	}
	close(out[1]);
	deadline = now() + 10;
	while (got < sizeof(line) - 1 && now() < deadline) {
		struct pollfd pfd = { out[0], POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(out[0], line + got, sizeof(line) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		line[got] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	close(out[0]);
	line[got] = '\0';
	srv->port = atoi(line);
	if (srv->port <= 0) {
		server_stop(srv);
		return -1;
	}
	return 0;
}

static void server_stop(struct server *srv)
{
	if (srv->pid > 0) {
		kill(srv->pid, SIGTERM);
		waitpid(srv->pid, NULL, 0);
	}
	srv->pid = 0;
}

/* Lines of the server's log that start with prefix. */
static int log_count(const struct server *srv, const char *prefix)
{
	char *text = read_file(srv->log, NULL);
	const char *p;
	int n = 0;

	if (!text)
		return 0;
	for (p = text; *p; ) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	return n;
}

static char *saved_message(const struct server *srv, int n, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/new/%06d.eml", srv->maildir, n);
	return read_file(path, len);
}

static int run_quiet(const char *const *argv)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)(void *)argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	chmod(path, 0700);
	return remove(path);
}

static int group_setup(void **state)
{
	const char *top = getenv("NEWSDIGEST_TOP");
	const char *const openssl[] = {
		OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
		"-subj", "/CN=localhost",
		"-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
		"-days", "2", "-keyout", env.key, "-out", env.cert, NULL
	};

	setenv("NO_PROXY", "*", 1);
	setenv("no_proxy", "*", 1);
	snprintf(env.dir, sizeof(env.dir), "/tmp/test_transport.XXXXXX");
	if (!mkdtemp(env.dir))
		return -1;
	snprintf(env.script, sizeof(env.script), "%s/tests/lib/smtpfault.py",
		 top && *top ? top : ".");
	if (access(PYTHON, X_OK) != 0 || access(env.script, R_OK) != 0) {
		fprintf(stderr, "# smtp tests skipped: no %s or %s\n", PYTHON,
			env.script);
		env.script[0] = '\0';
	}
	snprintf(env.cert, sizeof(env.cert), "%s/cert.pem", env.dir);
	snprintf(env.key, sizeof(env.key), "%s/key.pem", env.dir);
	env.tls = access(OPENSSL, X_OK) == 0 && run_quiet(openssl) == 0;
	if (!env.tls)
		fprintf(stderr, "# TLS tests skipped: %s made no certificate\n",
			OPENSSL);
	return 0;
}

static int group_teardown(void **state)
{
	if (env.dir[0])
		nftw(env.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

#define NEED_SERVER() \
	do { \
		if (!env.script[0]) \
			skip(); \
	} while (0)

/*
 * What a test holds: the smtpfault.py server (pid 0 while none runs), the
 * config, one batch, the error sentence and the open transport (NULL while
 * none is open). Set up by fx_init (maildir, sendmail) or fx_start (smtp);
 * the test then tweaks fx.cfg and calls fx_open. fx_end takes down what is
 * left, so a test that closes or stops half way owes nothing more.
 */
struct fx {
	struct server srv;
	struct config cfg;
	struct batch b;
	struct buf err;
	struct transport *t;
};

/* No server, the default config. */
static void fx_init(struct fx *fx)
{
	*fx = (struct fx){ .err = BUF_INIT };
	config_init(&fx->cfg);
}

/* A server started with args (skips the test without one) and the config
 * of config_smtp pointing at it. */
static void fx_start(struct fx *fx, const char *const *args)
{
	NEED_SERVER();
	*fx = (struct fx){ .err = BUF_INIT };
	assert_int_equal(server_start(&fx->srv, args), 0);
	config_smtp(&fx->cfg, fx->srv.port);
}

/* Open `kind` from fx->cfg as it stands now; it must open. */
static void fx_open(struct fx *fx, int kind, const char *maildir)
{
	fx->t = transport_open(&fx->cfg, kind, maildir, &fx->err);
	assert_non_null(fx->t);
}

/* The whole batch through the open transport. */
static int fx_send(struct fx *fx)
{
	return transport_send(fx->t, fx->b.m, fx->b.n, &fx->err);
}

/* Close mid-test: QUIT goes out now, where the test checks for it. */
static void fx_close(struct fx *fx)
{
	transport_close(fx->t);
	fx->t = NULL;
}

/* A second round against another server: close, stop the old server,
 * start one with args and point the config at it. */
static void fx_restart(struct fx *fx, const char *const *args)
{
	fx_close(fx);
	server_stop(&fx->srv);
	assert_int_equal(server_start(&fx->srv, args), 0);
	fx->cfg.smtp.port = fx->srv.port;
}

/* In the order the tests always took down by hand: the transport still
 * talks to the server when it closes. */
static void fx_end(struct fx *fx)
{
	fx_close(fx);
	server_stop(&fx->srv);
	batch_release(&fx->b);
	buf_release(&fx->err);
	config_release(&fx->cfg);
}

/* --- maildir ------------------------------------------------------------ */

static void test_maildir_writes(void **state)
{
	struct fx fx;
	char dir[256], sub[300];
	DIR *d;
	struct dirent *e;
	char names[3][256];
	int found = 0;

	fx_init(&fx);
	new_path(dir, sizeof(dir), "outbox/deeper");
	fx_open(&fx, TRANSPORT_MAILDIR, dir);
	assert_int_equal(fx.err.len, 0);
	assert_non_null(strstr(transport_describe(fx.t), "maildir "));
	assert_non_null(strstr(transport_describe(fx.t), dir));
	snprintf(sub, sizeof(sub), "%s/cur", dir);
	assert_int_equal(count_files(sub), 0);

	add_msg(&fx.b, "a@example.net", "line one\r\n.\r\nlast\r\n");
	add_msg(&fx.b, "b@example.net", "bare\rcr and no final newline");
	add_msg(&fx.b, "c@example.net", "");
	assert_int_equal(fx_send(&fx), 0);
	assert_each(&fx.b, TRANSPORT_SENT, 0, "/new/");
	snprintf(sub, sizeof(sub), "%s/tmp", dir);
	assert_int_equal(count_files(sub), 0);
	snprintf(sub, sizeof(sub), "%s/new", dir);
	assert_int_equal(count_files(sub), 3);

	d = opendir(sub);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[600];
		struct stat st;
		size_t len;
		char *text;
		int k;

		if (e->d_name[0] == '.')
			continue;
		assert_true(found < 3);
		/* time.MusecPpidQn.host, no ':' (that starts the info part) */
		assert_non_null(strstr(e->d_name, ".M"));
		assert_non_null(strstr(e->d_name, "Q"));
		assert_null(strchr(e->d_name, ':'));
		for (k = 0; k < found; k++)
			assert_string_not_equal(names[k], e->d_name);
		snprintf(names[found++], sizeof(names[0]), "%s", e->d_name);
		snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		text = read_file(path, &len);
		assert_non_null(text);
		assert_null(strstr(text, "\r\n"));
		if (strstr(text, "To: a@example.net"))
			assert_non_null(strstr(text, "\n\nline one\n.\nlast\n"));
		else if (strstr(text, "To: b@example.net"))
			/* a lone CR stays */
			assert_non_null(strstr(text, "\n\nbare\rcr and no final newline"));
		else
			assert_non_null(strstr(text, "Message-ID: <m2@test>\n\n"));
		free(text);
	}
	closedir(d);
	assert_int_equal(found, 3);

	/* a second batch goes on with new names */
	batch_release(&fx.b);
	add_msg(&fx.b, "d@example.net", "again\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(count_files(sub), 4);
	fx_end(&fx);
}

static void test_maildir_unwritable(void **state)
{
	struct fx fx;
	char dir[256], sub[300];

	fx_init(&fx);
	new_path(dir, sizeof(dir), "broken");
	fx_open(&fx, TRANSPORT_MAILDIR, dir);
	/* tmp/ turns into a file after the open: even root cannot write
	 * there */
	snprintf(sub, sizeof(sub), "%s/tmp", dir);
	assert_int_equal(rmdir(sub), 0);
	write_file(sub, "in the way\n", 0600);
	add_msg(&fx.b, "a@example.net", "one\r\n");
	add_msg(&fx.b, "b@example.net", "two\r\n");
	assert_int_equal(fx_send(&fx), EX_CANTCREAT);
	assert_non_null(strstr(fx.err.s, "cannot write '"));
	assert_non_null(strstr(fx.err.s, sub));
	assert_non_null(strstr(fx.err.s, "Not a directory"));
	assert_each(&fx.b, TRANSPORT_TEMPFAIL, ANY, "cannot write");
	fx_close(&fx);

	/* a folder that cannot be made is refused at open */
	buf_reset(&fx.err);
	snprintf(sub, sizeof(sub), "%s/tmp/below", dir);
	assert_null(transport_open(&fx.cfg, TRANSPORT_MAILDIR, sub, &fx.err));
	assert_non_null(strstr(fx.err.s, "cannot create"));

	/* permissions, where they apply (not to root) */
	if (geteuid() != 0) {
		new_path(dir, sizeof(dir), "readonly");
		buf_reset(&fx.err);
		fx_open(&fx, TRANSPORT_MAILDIR, dir);
		snprintf(sub, sizeof(sub), "%s/tmp", dir);
		assert_int_equal(chmod(sub, 0500), 0);
		assert_int_equal(fx_send(&fx), EX_CANTCREAT);
		assert_non_null(strstr(fx.err.s, "Permission denied"));
		fx_close(&fx);
		buf_reset(&fx.err);
		assert_null(transport_open(&fx.cfg, TRANSPORT_MAILDIR, dir, &fx.err));
		assert_non_null(strstr(fx.err.s, "cannot write to"));
	}
	fx_end(&fx);
}

/* --- sendmail ----------------------------------------------------------- */

/* A fake sendmail in a fresh folder: argv to ARGS, stdin to IN (one pair
 * per run, numbered by the runs before), then `tail` decides. */
static void fake_sendmail(char *prog, size_t size, const char *tail)
{
	char dir[256];
	struct buf text = BUF_INIT;

	new_path(dir, sizeof(dir), "sendmail");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(prog, size, "%s/sendmail", dir);
	buf_addf(&text,
		 "#!/bin/sh\n"
		 "d=%s\n"
		 "n=$(ls \"$d\" | grep -c '^args') \n"
		 "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > \"$d/args$n\"\n"
		 "%s\n", dir, tail);
	write_file(prog, text.s, 0700);
	buf_release(&text);
}

static void test_sendmail_ok(void **state)
{
	struct fx fx;
	char prog[300], path[400];
	char *text;
	size_t len;

	fake_sendmail(prog, sizeof(prog), "cat > \"$d/in$n\"; exit 0");
	fx_init(&fx);
	set_str(&fx.cfg.send.sendmail, prog);
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	assert_non_null(strstr(transport_describe(fx.t), "sendmail "));
	assert_non_null(strstr(transport_describe(fx.t), prog));
	add_msg(&fx.b, "a@example.net", "one\r\n.\r\n..two\r\n");
	add_msg(&fx.b, "-flag@example.net", "leading dash\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_sane_msg(&fx.b.m[0]);
	assert_string_equal(fx.b.m[0].reply, "sendmail exited 0");

	*strrchr(prog, '/') = '\0';
	snprintf(path, sizeof(path), "%s/args0", prog);
	text = read_file(path, NULL);
	assert_non_null(text);
	assert_string_equal(text, "-i\n-f\n" FROM_ADDR "\n--\na@example.net\n");
	free(text);
	snprintf(path, sizeof(path), "%s/args1", prog);
	text = read_file(path, NULL);
	assert_non_null(text);
	assert_string_equal(text, "-i\n-f\n" FROM_ADDR "\n--\n-flag@example.net\n");
	free(text);
	/* stdin: LF line ends, dots untouched (-i) */
	snprintf(path, sizeof(path), "%s/in0", prog);
	text = read_file(path, &len);
	assert_non_null(text);
	assert_null(strchr(text, '\r'));
	assert_non_null(strstr(text, "Subject: digest 0\nMessage-ID: <m0@test>\n\n"
				     "one\n.\n..two\n"));
	assert_int_equal(len, fx.b.m[0].len - 8);
	free(text);
	fx_end(&fx);
}

static void test_sendmail_statuses(void **state)
{
	struct fx fx;
	char prog[300];
	double t0;
	size_t i;

	fake_sendmail(prog, sizeof(prog),
		      "case $5 in\n"
		      "early@*) exec 0<&-; exit 0;;\n"
		      "early69@*) exec 0<&-; echo refused >&2; exit 69;;\n"
		      "esac\n"
		      "cat >/dev/null\n"
		      "case $5 in\n"
		      "temp@*) echo 'queue file write error' >&2; exit 75;;\n"
		      "gone@*) printf '\\nsendmail: <gone@example.net>: no such user\\nmore\\n' >&2; exit 69;;\n"
		      "quiet@*) exit 78;;\n"
		      "disk@*) echo 'No space left on device' >&2; exit 74;;\n"
		      "kill@*) kill -TERM $$;;\n"
		      "bg@*) echo 'queued, delivering in the background' >&2; sleep 5 & exit 0;;\n"
		      "esac\n"
		      "exit 0");
	fx_init(&fx);
	set_str(&fx.cfg.send.sendmail, prog);
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	add_msg(&fx.b, "temp@example.net", "x\r\n");
	add_msg(&fx.b, "gone@example.net", "x\r\n");
	add_msg(&fx.b, "quiet@example.net", "x\r\n");
	add_msg(&fx.b, "kill@example.net", "x\r\n");
	add_msg(&fx.b, "ok@example.net", "x\r\n");
	add_msg(&fx.b, "bg@example.net", "x\r\n");
	add_msg(&fx.b, "disk@example.net", "x\r\n");
	t0 = now();
	assert_int_equal(fx_send(&fx), 0);
	/* the background child holds stderr open; the exit decides */
	assert_true(now() - t0 < 4);
	for (i = 0; i < fx.b.n; i++)
		assert_sane_msg(&fx.b.m[i]);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[0].reply, "sendmail exited 75: queue file write error");
	assert_int_equal(fx.b.m[1].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[1].reply,
			    "sendmail exited 69: sendmail: <gone@example.net>: no such user");
	assert_int_equal(fx.b.m[2].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[2].reply, "sendmail exited 78");
	assert_int_equal(fx.b.m[3].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[3].reply, "sendmail killed by signal 15");
	assert_int_equal(fx.b.m[4].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[5].result, TRANSPORT_SENT);
	assert_string_equal(fx.b.m[5].reply,
			    "sendmail exited 0: queued, delivering in the background");
	/* trouble of the host, not of the address: tried again later */
	assert_int_equal(fx.b.m[6].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[6].reply, "sendmail exited 74: No space left on device");
	batch_release(&fx.b);

	/* A program that stops reading costs the message, not the process
	 * (SIGPIPE): 1 MB does not fit in a pipe. */
	{
		struct buf big = BUF_INIT;

		for (i = 0; i < 20000; i++)
			buf_addstr(&big, "0123456789012345678901234567890123456789012345678\r\n");
		add_msg(&fx.b, "early@example.net", big.s);
		add_msg(&fx.b, "early69@example.net", big.s);
		add_msg(&fx.b, "ok@example.net", big.s);
		buf_release(&big);
	}
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[0].reply,
			    "sendmail exited 0 before reading the whole message");
	assert_int_equal(fx.b.m[1].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[1].reply, "sendmail exited 69: refused");
	assert_int_equal(fx.b.m[2].result, TRANSPORT_SENT);
	fx_end(&fx);
}

static void test_sendmail_timeout(void **state)
{
	struct fx fx;
	char prog[300];
	double t0;

	/* the sleep is a grandchild: the whole group must go */
	fake_sendmail(prog, sizeof(prog), "cat >/dev/null; sleep 30; exit 0");
	fx_init(&fx);
	set_str(&fx.cfg.send.sendmail, prog);
	fx.cfg.send.sendmail_timeout = 1;
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	add_msg(&fx.b, "slow@example.net", "x\r\n");
	t0 = now();
	assert_int_equal(fx_send(&fx), 0);
	assert_true(now() - t0 >= 0.9);
	assert_true(now() - t0 < 10);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[0].reply, "sendmail timed out after 1 s");
	/* all of it had gone in: it may have been queued */
	assert_int_equal(fx.b.m[0].maybe_delivered, 1);
	fx_end(&fx);
}

static void test_sendmail_missing(void **state)
{
	struct fx fx;
	char prog[300];

	fx_init(&fx);
	set_str(&fx.cfg.send.sendmail, "/nonexistent/sendmail");
	assert_null(transport_open(&fx.cfg, TRANSPORT_SENDMAIL, NULL, &fx.err));
	assert_non_null(strstr(fx.err.s, "cannot run sendmail '/nonexistent/sendmail'"));

	/* gone after the open: EX_UNAVAILABLE, nothing handed over */
	fake_sendmail(prog, sizeof(prog), "exit 0");
	set_str(&fx.cfg.send.sendmail, prog);
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	assert_int_equal(unlink(prog), 0);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), EX_UNAVAILABLE);
	assert_non_null(strstr(fx.err.s, "No such file or directory"));
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_TEMPFAIL);
	assert_non_null(strstr(fx.b.m[1].reply, "cannot run sendmail"));
	fx_close(&fx);

	/* not executable */
	write_file(prog, "#!/bin/sh\nexit 0\n", 0600);
	buf_reset(&fx.err);
	if (geteuid() != 0) {
		assert_null(transport_open(&fx.cfg, TRANSPORT_SENDMAIL, NULL, &fx.err));
		assert_non_null(strstr(fx.err.s, "not an executable file"));
	}
	fx_end(&fx);
}

/* --- common ------------------------------------------------------------- */

static void test_pacing(void **state)
{
	struct fx fx;
	char prog[300];
	double t0;

	fake_sendmail(prog, sizeof(prog), "cat >/dev/null; exit 0");
	fx_init(&fx);
	set_str(&fx.cfg.send.sendmail, prog);
	fx.cfg.send.rate = 600;    /* one start every 0.1 s */
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	add_plain(&fx.b, 3);
	t0 = now();
	assert_int_equal(fx_send(&fx), 0);
	assert_true(now() - t0 >= 0.19);
	/* the pace carries over into the next batch */
	t0 = now();
	assert_int_equal(transport_send(fx.t, fx.b.m, 1, &fx.err), 0);
	assert_true(now() - t0 >= 0.05);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	fx_end(&fx);
}

static void test_common_checks(void **state)
{
	struct fx fx;
	char dir[256];

	fx_init(&fx);
	new_path(dir, sizeof(dir), "checks");
	fx_open(&fx, TRANSPORT_MAILDIR, dir);
	add_msg(&fx.b, "a@example.net\r\nRSET", "x\r\n");
	add_msg(&fx.b, "no-at-sign", "x\r\n");
	add_msg(&fx.b, "ok@example.net", "x\r\n");
	fx.b.m[1].rcpt = "";
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_FAILED);
	assert_sane_msg(&fx.b.m[0]);
	assert_non_null(strstr(fx.b.m[0].reply, "is not an address"));
	assert_int_equal(fx.b.m[1].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[1].reply, "no recipient");
	assert_int_equal(fx.b.m[2].result, TRANSPORT_SENT);
	assert_int_equal(transport_send(fx.t, fx.b.m, 0, &fx.err), 0);
	fx_close(&fx);
	transport_close(NULL);         /* allowed: does nothing */
	batch_release(&fx.b);

	/* [mail] from must hold an address */
	set_str(&fx.cfg.mail.from, "News Digest <not an address>");
	set_str(&fx.cfg.send.sendmail, "/bin/true");
	buf_reset(&fx.err);
	assert_null(transport_open(&fx.cfg, TRANSPORT_SENDMAIL, NULL, &fx.err));
	assert_non_null(strstr(fx.err.s, "[mail] from 'News Digest <not an address>'"));
	set_str(&fx.cfg.mail.from, "  bare@Example.ORG ");
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SENDMAIL, NULL);
	fx_end(&fx);
}

/* --- smtp: refusals before any connection ------------------------------- */

static void test_smtp_open_checks(void **state)
{
	static const char *const loopback[] = {
		"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "LOCALHOST"
	};
	struct config cfg;
	struct buf err = BUF_INIT;
	struct transport *t;
	size_t i;

	config_smtp(&cfg, 2525);
	set_str(&cfg.smtp.host, "mail.example.org");
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	assert_non_null(strstr(err.s, "tls = none"));
	assert_non_null(strstr(err.s, "'mail.example.org'"));
	assert_non_null(strstr(err.s, "tls = starttls or implicit"));
	set_str(&cfg.smtp.host, "128.0.0.1");
	buf_reset(&err);
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		set_str(&cfg.smtp.host, loopback[i]);
		buf_reset(&err);
		t = transport_open(&cfg, TRANSPORT_SMTP, NULL, &err);
		if (!t)
			fail_msg("'%s' refused: %s", loopback[i], err.s);
		transport_close(t);
	}
	set_str(&cfg.smtp.host, "::1");
	t = transport_open(&cfg, TRANSPORT_SMTP, NULL, &err);
	assert_non_null(t);
	assert_string_equal(transport_describe(t), "smtp [::1]:2525 (none)");
	transport_close(t);

	/* starttls is fine anywhere, and connects lazily */
	cfg.smtp.tls = TLS_STARTTLS;
	set_str(&cfg.smtp.host, "mail.example.org");
	t = transport_open(&cfg, TRANSPORT_SMTP, NULL, &err);
	assert_non_null(t);
	assert_string_equal(transport_describe(t),
			    "smtp mail.example.org:2525 (starttls)");
	transport_close(t);

	set_str(&cfg.smtp.host, "evil/host");
	buf_reset(&err);
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	assert_non_null(strstr(err.s, "is not a host name"));

	/* a username needs a password, and the other way round */
	set_str(&cfg.smtp.host, "localhost");
	set_str(&cfg.smtp.username, "user");
	buf_reset(&err);
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	assert_non_null(strstr(err.s, "password_file or password_env"));
	set_str(&cfg.smtp.password_env, "TEST_TRANSPORT_UNSET");
	unsetenv("TEST_TRANSPORT_UNSET");
	buf_reset(&err);
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	assert_non_null(strstr(err.s, "TEST_TRANSPORT_UNSET"));
	set_str(&cfg.smtp.username, "");
	buf_reset(&err);
	assert_null(transport_open(&cfg, TRANSPORT_SMTP, NULL, &err));
	assert_non_null(strstr(err.s, "no username"));
	buf_release(&err);
	config_release(&cfg);
}

/* --- smtp against smtpfault.py ------------------------------------------ */

static void test_smtp_sends_and_reuses(void **state)
{
	struct fx fx;
	char errlog[300];
	int saved_stderr;
	size_t i;
	int k;

	fx_start(&fx, NULL);
	/* libcurl must print nothing (VERBOSE is on for the replies) */
	new_path(errlog, sizeof(errlog), "stderr");
	fflush(stderr);
	saved_stderr = dup(2);
	k = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(k >= 0);
	dup2(k, 2);
	close(k);

	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_msg(&fx.b, "a@example.net", "plain\r\n");
	/* dot-stuffing is libcurl's: a lone "." and leading dots */
	add_msg(&fx.b, "b@example.net", "before\r\n.\r\n.leading\r\n..two\r\nafter\r\n");
	/* no final CRLF: libcurl adds one before the "." */
	add_msg(&fx.b, "c@example.net", "no final newline");
	add_msg(&fx.b, "d@example.net", "four\r\n");
	add_msg(&fx.b, "e@example.net", "five\r\n");
	add_msg(&fx.b, "f@example.net", "six\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.err.len, 0);
	assert_each(&fx.b, TRANSPORT_SENT, 0, "250 2.0.0 Ok: queued as ");
	/* two connections carried six messages: EHLO once each */
	assert_int_equal(log_count(&fx.srv, "connect "), 2);
	assert_int_equal(log_count(&fx.srv, "ehlo "), 2);
	assert_int_equal(log_count(&fx.srv, "ehlo 1 example.org"), 1);
	assert_int_equal(log_count(&fx.srv, "mail 1 " FROM_ADDR " 250") +
			 log_count(&fx.srv, "mail 2 " FROM_ADDR " 250"), 6);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 6);
	assert_int_equal(log_count(&fx.srv, "quit "), 0);
	/* what the server got is the message, byte for byte */
	for (k = 1; k <= 6; k++) {
		size_t len;
		char *got = saved_message(&fx.srv, k, &len);

		assert_non_null(got);
		for (i = 0; i < fx.b.n; i++) {
			char mid[32];

			snprintf(mid, sizeof(mid), "<m%zu@test>", i);
			if (!strstr(got, mid))
				continue;
			if (i == 2) {
				assert_int_equal(len, fx.b.m[i].len + 2);
				assert_memory_equal(got, fx.b.m[i].data, fx.b.m[i].len);
				assert_memory_equal(got + fx.b.m[i].len, "\r\n", 2);
			} else {
				assert_int_equal(len, fx.b.m[i].len);
				assert_memory_equal(got, fx.b.m[i].data, len);
			}
			break;
		}
		assert_true(i < fx.b.n);
		free(got);
	}

	/* the next batch goes over the same connections */
	batch_release(&fx.b);
	add_msg(&fx.b, "g@example.net", "seven\r\n");
	add_msg(&fx.b, "h@example.net", "eight\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_int_equal(log_count(&fx.srv, "connect "), 2);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 8);
	fx_close(&fx);
	/* close says QUIT on each */
	assert_int_equal(log_count(&fx.srv, "quit "), 2);

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	{
		struct stat st;

		assert_int_equal(stat(errlog, &st), 0);
		if (st.st_size != 0) {
			char *text = read_file(errlog, NULL);

			fail_msg("stderr got: %s", text);
		}
	}
	fx_end(&fx);
}

/* 300 two-byte characters: more than transport_msg.reply holds */
#define E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E30 E10 E10 E10
#define LONG_RULE "huge*=550 5.1.1 xy" E30 E30 E30 E30 E30 E30 E30 E30 E30 E30

static void test_smtp_replies(void **state)
{
	static const char *const args[] = {
		"--rcpt-reply", "busy*=451 4.2.1 Mailbox busy, try later",
		"--rcpt-reply", "gone*=550 5.1.1 <gone@example.net>: no such user",
		"--rcpt-reply", "long*=550 5.7.1 first line|5.7.1 second line",
		"--data-reply", "spam*=554 5.7.1 Message rejected as spam",
		"--data-reply", "later*=452 4.3.1 Insufficient system storage",
		"--rcpt-reply", "ctl*=550 5.1.1 bell\a and tab\tend",
		"--rcpt-reply", LONG_RULE,
		NULL
	};
	struct fx fx;

	fx_start(&fx, args);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_msg(&fx.b, "busy@example.net", "x\r\n");
	add_msg(&fx.b, "gone@example.net", "x\r\n");
	add_msg(&fx.b, "ok@example.net", "x\r\n");
	add_msg(&fx.b, "long@example.net", "x\r\n");
	add_msg(&fx.b, "spam@example.net", "x\r\n");
	add_msg(&fx.b, "later@example.net", "x\r\n");
	add_msg(&fx.b, "ctl@example.net", "x\r\n");
	add_msg(&fx.b, "huge@example.net", "x\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_each(&fx.b, ANY, 0, NULL);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[0].reply, "451 4.2.1 Mailbox busy, try later");
	assert_int_equal(fx.b.m[1].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[1].reply, "550 5.1.1 <gone@example.net>: no such user");
	assert_int_equal(fx.b.m[2].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[3].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[3].reply, "550 5.7.1 first line 5.7.1 second line");
	assert_int_equal(fx.b.m[4].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[4].reply, "554 5.7.1 Message rejected as spam");
	assert_int_equal(fx.b.m[5].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[5].reply, "452 4.3.1 Insufficient system storage");
	assert_int_equal(fx.b.m[6].result, TRANSPORT_FAILED);
	assert_string_equal(fx.b.m[6].reply, "550 5.1.1 bell? and tab end");
	/* cut to fit, between two characters: "xy" and 249 of 'é' (the
	 * 250th would fit only in half) */
	assert_int_equal(fx.b.m[7].result, TRANSPORT_FAILED);
	assert_int_equal(strlen(fx.b.m[7].reply), TRANSPORT_REPLY_MAX - 2);
	assert_int_equal(strncmp(fx.b.m[7].reply, "550 5.1.1 xy\xc3\xa9", 14), 0);
	assert_int_equal((unsigned char)fx.b.m[7].reply[TRANSPORT_REPLY_MAX - 3], 0xa9);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 1);
	/* a refusal is no reason to retry */
	assert_int_equal(log_count(&fx.srv, "rcpt 1 busy@example.net") +
			 log_count(&fx.srv, "rcpt 2 busy@example.net") +
			 log_count(&fx.srv, "rcpt 3 busy@example.net") +
			 log_count(&fx.srv, "rcpt 4 busy@example.net") +
			 log_count(&fx.srv, "rcpt 5 busy@example.net"), 1);
	fx_end(&fx);
}

static void test_smtp_421_reconnects(void **state)
{
	static const char *const args[] = { "--421-after", "2", NULL };
	static const char *const always[] = {
		"--421-after", "1", "--421-after", "2", "--421-after", "3", NULL
	};
	struct fx fx;

	fx_start(&fx, args);
	fx.cfg.send.connections = 1;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 3);
	assert_int_equal(fx_send(&fx), 0);
	assert_each(&fx.b, TRANSPORT_SENT, 0, NULL);
	/* b got 421 on the first connection and went out on a second */
	assert_int_equal(log_count(&fx.srv, "mail 1 " FROM_ADDR " 421"), 1);
	assert_int_equal(log_count(&fx.srv, "connect "), 2);
	assert_int_equal(log_count(&fx.srv, "ehlo 2 "), 1);
	assert_int_equal(log_count(&fx.srv, "data-accepted 2 b@example.net"), 1);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 3);

	/* 421 every time: reconnects run out, then TEMPFAIL with the reply */
	fx_restart(&fx, always);
	fx.cfg.send.reconnects = 2;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(transport_send(fx.t, fx.b.m, 1, &fx.err), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_string_equal(fx.b.m[0].reply,
			    "421 4.3.2 Service shutting down, try again");
	assert_int_equal(log_count(&fx.srv, "connect "), 3);
	fx_end(&fx);
}

static void test_smtp_drop_after_data(void **state)
{
	static const char *const args[] = { "--drop-after-data", "1", NULL };
	struct fx fx;

	fx_start(&fx, args);
	fx.cfg.send.connections = 1;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), 0);
	assert_sane_msg(&fx.b.m[0]);
	/* sent on the second try, but the first may have been delivered */
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[0].maybe_delivered, 1);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].maybe_delivered, 0);
	assert_int_equal(log_count(&fx.srv, "drop 1 after-data"), 1);
	assert_int_equal(log_count(&fx.srv, "connect "), 2);

	/* without reconnects: TEMPFAIL, saying what happened */
	fx_restart(&fx, args);
	fx.cfg.send.reconnects = 0;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_int_equal(fx.b.m[0].maybe_delivered, 1);
	assert_non_null(strstr(fx.b.m[0].reply, "dropped after the data"));
	assert_non_null(strstr(fx.b.m[0].reply, "127.0.0.1:"));
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	fx_end(&fx);
}

static void test_smtp_slow_server(void **state)
{
	static const char *const args[] = { "--delay-data", "4", NULL };
	struct fx fx;
	double t0;

	fx_start(&fx, args);
	fx.cfg.smtp.timeout = 1;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 1);
	t0 = now();
	assert_int_equal(fx_send(&fx), 0);
	assert_true(now() - t0 < 4);
	assert_sane_msg(&fx.b.m[0]);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_int_equal(fx.b.m[0].maybe_delivered, 1);
	assert_non_null(strstr(fx.b.m[0].reply, "no reply from 127.0.0.1:"));
	assert_non_null(strstr(fx.b.m[0].reply, "within 1 s after the data"));
	fx_end(&fx);
}

/* The answer to the data comes after the timeout: it belongs to the old
 * transaction, and the connection must carry no other, or the late 554
 * would be read as the reply to the next MAIL (a refused sender). */
static void test_smtp_late_answer(void **state)
{
	static const char *const args[] = {
		"--delay-data", "1.5",
		"--data-reply", "late1*=554 5.7.1 rejected by the content filter",
		NULL
	};
	struct fx fx;

	fx_start(&fx, args);
	fx.cfg.smtp.timeout = 1;
	fx.cfg.send.connections = 1;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_msg(&fx.b, "late1@example.net", "x\r\n");
	add_msg(&fx.b, "late2@example.net", "x\r\n");
	add_msg(&fx.b, "late3@example.net", "x\r\n");
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.err.len, 0);
	assert_each(&fx.b, TRANSPORT_TEMPFAIL, 1, "after the data");
	/* one transaction per connection */
	assert_int_equal(log_count(&fx.srv, "connect "), 3);
	assert_int_equal(log_count(&fx.srv, "mail 1 "), 1);
	assert_int_equal(log_count(&fx.srv, "mail 2 "), 1);
	assert_int_equal(log_count(&fx.srv, "mail 3 "), 1);
	fx_end(&fx);
}

static void test_smtp_auth(void **state)
{
	static const char *const args[] = { "--auth", "digest:s3cret pass", NULL };
	struct fx fx;
	char pwfile[300];

	fx_start(&fx, args);
	set_str(&fx.cfg.smtp.username, "digest");
	new_path(pwfile, sizeof(pwfile), "password");
	write_file(pwfile, "s3cret pass\n", 0600);
	set_str(&fx.cfg.smtp.password_file, pwfile);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_int_equal(log_count(&fx.srv, "auth 1 PLAIN digest ok"), 1);
	fx_close(&fx);

	/* a wrong password (from the environment this time) stops the batch */
	set_str(&fx.cfg.smtp.password_file, "");
	set_str(&fx.cfg.smtp.password_env, "TEST_TRANSPORT_PW");
	setenv("TEST_TRANSPORT_PW", "wrong-one", 1);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(fx_send(&fx), EX_CONFIG);
	assert_non_null(strstr(fx.err.s, "127.0.0.1:"));
	assert_non_null(strstr(fx.err.s, "refused the login of 'digest'"));
	assert_non_null(strstr(fx.err.s, "535 5.7.8"));
	assert_null(strstr(fx.err.s, "wrong-one"));
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_TEMPFAIL);
	assert_non_null(strstr(fx.b.m[1].reply, "refused the login"));
	assert_int_equal(log_count(&fx.srv, "data "), 2);
	fx_close(&fx);
	unsetenv("TEST_TRANSPORT_PW");

	/* no login at all where one is wanted: the sender is refused */
	set_str(&fx.cfg.smtp.username, "");
	set_str(&fx.cfg.smtp.password_env, "");
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(fx_send(&fx), EX_CONFIG);
	assert_non_null(strstr(fx.err.s, "refused the sender <" FROM_ADDR ">: 530"));
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	fx_end(&fx);
}

static void test_smtp_tls(void **state)
{
	const char *args[] = {
		"--tls-cert", env.cert, "--tls-key", env.key, "--require-tls", NULL
	};
	const char *implicit[] = {
		"--tls-cert", env.cert, "--tls-key", env.key, "--implicit-tls", NULL
	};
	struct fx fx;

	/* fx_start skips without a server; TLS wants a certificate too */
	if (!env.tls)
		skip();
	fx_start(&fx, args);
	fx.cfg.smtp.tls = TLS_STARTTLS;
	set_str(&fx.cfg.smtp.host, "localhost");
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), EX_CONFIG);
	assert_non_null(strstr(fx.err.s, "cannot verify the certificate of localhost:"));
	assert_non_null(strstr(fx.err.s, "set [smtp] ca_file to the CA that signed it"));
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_non_null(strstr(fx.b.m[0].reply, "ca_file"));
	assert_int_equal(log_count(&fx.srv, "mail "), 0);
	fx_close(&fx);

	set_str(&fx.cfg.smtp.ca_file, env.cert);
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_true(log_count(&fx.srv, "starttls ") >= 1);

	/* implicit TLS (smtps://) with the same certificate */
	fx_restart(&fx, implicit);
	fx.cfg.smtp.tls = TLS_IMPLICIT;
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_non_null(strstr(transport_describe(fx.t), "(implicit)"));
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 2);

	/* a relay that offers no STARTTLS is refused, not used in clear */
	fx_restart(&fx, NULL);
	fx.cfg.smtp.tls = TLS_STARTTLS;
	buf_reset(&fx.err);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	assert_int_equal(fx_send(&fx), EX_CONFIG);
	assert_non_null(strstr(fx.err.s, "does not offer STARTTLS"));
	assert_int_equal(log_count(&fx.srv, "mail "), 0);
	fx_end(&fx);
}

/* The sender pauses between rounds of retries; a relay closes idle
 * connections meanwhile. The next batch must not pay for it, even with no
 * reconnects allowed: libcurl sees a dead connection before reusing it. */
static void test_smtp_idle_close(void **state)
{
	static const char *const args[] = { "--idle-timeout", "0.3", NULL };
	struct fx fx;

	fx_start(&fx, args);
	fx.cfg.send.reconnects = 0;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), 0);
	usleep(800000);
	assert_int_equal(log_count(&fx.srv, "drop "), 2);
	assert_int_equal(fx_send(&fx), 0);
	assert_int_equal(fx.b.m[0].result, TRANSPORT_SENT);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_SENT);
	assert_int_equal(log_count(&fx.srv, "connect "), 4);
	assert_int_equal(log_count(&fx.srv, "data-accepted "), 4);
	fx_end(&fx);
}

static void test_smtp_unreachable(void **state)
{
	struct fx fx;
	char want[64];
	int port;

	/* a port that was just free: the config points at a stopped server */
	fx_start(&fx, NULL);
	port = fx.srv.port;
	server_stop(&fx.srv);
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 2);
	assert_int_equal(fx_send(&fx), EX_UNAVAILABLE);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%d", port);
	assert_non_null(strstr(fx.err.s, want));
	assert_int_equal(fx.b.m[0].result, TRANSPORT_TEMPFAIL);
	assert_int_equal(fx.b.m[1].result, TRANSPORT_TEMPFAIL);
	assert_non_null(strstr(fx.b.m[1].reply, want));
	fx_end(&fx);
}

static void test_smtp_pacing(void **state)
{
	struct fx fx;
	double t0;

	fx_start(&fx, NULL);
	fx.cfg.send.rate = 600;
	fx_open(&fx, TRANSPORT_SMTP, NULL);
	add_plain(&fx.b, 3);
	t0 = now();
	assert_int_equal(fx_send(&fx), 0);
	/* two connections, but one start every 0.1 s over both */
	assert_true(now() - t0 >= 0.19);
	assert_int_equal(fx.b.m[2].result, TRANSPORT_SENT);
	fx_end(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maildir_writes),
		cmocka_unit_test(test_maildir_unwritable),
		cmocka_unit_test(test_sendmail_ok),
		cmocka_unit_test(test_sendmail_statuses),
		cmocka_unit_test(test_sendmail_timeout),
		cmocka_unit_test(test_sendmail_missing),
		cmocka_unit_test(test_pacing),
		cmocka_unit_test(test_common_checks),
		cmocka_unit_test(test_smtp_open_checks),
		cmocka_unit_test(test_smtp_sends_and_reuses),
		cmocka_unit_test(test_smtp_replies),
		cmocka_unit_test(test_smtp_421_reconnects),
		cmocka_unit_test(test_smtp_drop_after_data),
		cmocka_unit_test(test_smtp_slow_server),
		cmocka_unit_test(test_smtp_late_answer),
		cmocka_unit_test(test_smtp_auth),
		cmocka_unit_test(test_smtp_tls),
		cmocka_unit_test(test_smtp_idle_close),
		cmocka_unit_test(test_smtp_unreachable),
		cmocka_unit_test(test_smtp_pacing),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
