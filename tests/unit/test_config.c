#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[] = "/tmp/nd-config-XXXXXX";
static char path[256];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/test.ini", dir);
	return 0;
}

static int teardown(void **state)
{
	char secret[300];

	snprintf(secret, sizeof(secret), "%s/secret", dir);
	unlink(secret);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Load text; return 0 or -1, with the error message in err. */
static int load(struct config *cfg, const char *text, struct buf *err)
{
	write_file(text);
	config_init(cfg);
	buf_reset(err);
	return config_load(cfg, path, err);
}

static void expect_error(const char *text, const char *message)
{
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT;

	assert_int_equal(load(&cfg, text, &err), -1);
	buf_addf(&want, "cannot parse '%s': %s", path, message);
	assert_string_equal(err.s, want.s);
	config_release(&cfg);
	buf_release(&err);
	buf_release(&want);
}

static char *dump(const struct config *cfg)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	config_dump(cfg, f);
	fclose(f);
	return text;
}

/* The shipped example sets every key, each to its built-in default. */
static void test_example_equals_defaults(void **state)
{
	struct config defaults, example;
	struct buf err = BUF_INIT;
	char *a, *b, *desc = NULL;
	size_t size = 0;
	FILE *f;

	config_init(&defaults);
	config_init(&example);
	assert_int_equal(config_load(&example, "config.example.ini", &err), 0);
	a = dump(&defaults);
	b = dump(&example);
	assert_string_equal(a, b);
	f = open_memstream(&desc, &size);
	config_describe(&example, f);
	fclose(f);
	assert_null(strstr(desc, "(default)"));
	free(a);
	free(b);
	free(desc);
	config_release(&defaults);
	config_release(&example);
	buf_release(&err);
}

static void test_values(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	assert_int_equal(load(&cfg,
		"; comment\n"
		"# another\n"
		"[store]\n"
		"path = /var/lib/nd.db ; inline comment\n"
		"lock_timeout = 0\n"
		"[fetch]\n"
		"max_bytes = 512KiB\n"
		"user_agent = \"  spaced  \"\n"
		"[curate]\n"
		"min_score = 3.5\n"
		"[compose]\n"
		"quiet_week = send\n"
		"title = Revue de presse\n"
		"[send]\n"
		"transport = smtp\n"
		"[smtp]\n"
		"tls = implicit\n"
		"password_env = ND_PASSWORD\n"
		"[subscribers]\n"
		"default_lang = fr-CA\n", &err), 0);
	assert_string_equal(cfg.store.path, "/var/lib/nd.db");
	assert_int_equal(cfg.store.lock_timeout, 0);
	assert_int_equal(cfg.fetch.max_bytes, 512 * 1024);
	assert_string_equal(cfg.fetch.user_agent, "  spaced  ");
	assert_true(cfg.curate.min_score == 3.5);
	assert_int_equal(cfg.compose.quiet_week, QUIET_WEEK_SEND);
	assert_string_equal(cfg.compose.title, "Revue de presse");
	assert_int_equal(cfg.send.transport, TRANSPORT_SMTP);
	assert_int_equal(cfg.smtp.tls, TLS_IMPLICIT);
	assert_string_equal(cfg.smtp.password_env, "ND_PASSWORD");
	assert_string_equal(cfg.subscribers.default_lang, "fr-CA");
	/* untouched keys keep their defaults */
	assert_int_equal(cfg.fetch.concurrency, 16);
	assert_string_equal(cfg.file, path);
	config_release(&cfg);
	buf_release(&err);
}

static void test_unknown_names(void **state)
{
	expect_error("[store]\npath = a.db\n[fetch]\nconcurency = 4\n",
		     "line 4: unknown key 'concurency' in [fetch]");
	expect_error("[store]\n\n[stroe]\npath = x\n",
		     "line 3: unknown section [stroe]");
	expect_error("[store]\npath = a.db\n[Fetch]\n",
		     "line 3: unknown section [Fetch]");
	expect_error("[fetch ]\n", "line 1: unknown section [fetch ]");
	expect_error("path = x\n", "line 1: 'path' is outside any [section]");
}

static void test_wrong_types(void **state)
{
	expect_error("[fetch]\nconcurrency = many\n",
		     "line 2: 'concurrency' must be a whole number, not 'many'");
	expect_error("[fetch]\nconcurrency = 4.5\n",
		     "line 2: 'concurrency' must be a whole number, not '4.5'");
	expect_error("[fetch]\nconcurrency =\n",
		     "line 2: 'concurrency' must be a whole number, not ''");
	expect_error("[fetch]\nmax_bytes = 10Q\n",
		     "line 2: 'max_bytes' must be a size in bytes (suffix K, M or G allowed), not '10Q'");
	expect_error("[curate]\nmin_score = high\n",
		     "line 2: 'min_score' must be a number, not 'high'");
	expect_error("[curate]\nmin_score = nan\n",
		     "line 2: 'min_score' must be a number, not 'nan'");
	expect_error("[smtp]\ntls = maybe\n",
		     "line 2: 'tls' must be one of 'starttls', 'implicit' or 'none', not 'maybe'");
	expect_error("[smtp]\npassword_env = 1BAD-NAME\n",
		     "line 2: 'password_env' must be an environment variable name, not '1BAD-NAME'");
	expect_error("[subscribers]\ndefault_lang = english\n",
		     "line 2: 'default_lang' must be a language tag such as 'en' or 'fr', not 'english'");
	expect_error("[store]\npath =\n", "line 2: 'path' must not be empty");
}

static void test_ranges(void **state)
{
	expect_error("[fetch]\nconcurrency = 0\n",
		     "line 2: 'concurrency' must be between 1 and 256, not 0");
	expect_error("[fetch]\nconcurrency = 99999999999999999999\n",
		     "line 2: 'concurrency' must be a whole number, not '99999999999999999999'");
	expect_error("[smtp]\nport = 65536\n",
		     "line 2: 'port' must be between 1 and 65535, not 65536");
	expect_error("[fetch]\nmax_bytes = 2G\n",
		     "line 2: 'max_bytes' must be between 1024 and 1073741824, not 2G");
	expect_error("[curate]\nmin_score = -1\n",
		     "line 2: 'min_score' must be between 0 and 1000, not -1");
}

static void test_duplicates_and_syntax(void **state)
{
	expect_error("[store]\npath = a.db\n\n[store]\npath = b.db\n",
		     "line 5: 'path' is set twice in [store] (first on line 2)");
	expect_error("[store]\npath a.db\n",
		     "line 2: expected '[section]' or 'key = value'");
	expect_error("[store\npath = a.db\n",
		     "line 1: expected '[section]' or 'key = value'");
	expect_error("[compose]\ntitle = t\x01x\n",
		     "line 2: 'title' contains a control character");
}

static void test_long_line(void **state)
{
	struct buf text = BUF_INIT;
	int i;

	buf_addstr(&text, "[compose]\ntitle = ");
	for (i = 0; i < 300; i++)
		buf_addch(&text, 'x');
	buf_addstr(&text, "\n");
	expect_error(text.s, "line 2: line too long (at most 198 characters)");
	buf_release(&text);
}

static void test_missing_file(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	config_init(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/nd.ini", &err), -1);
	assert_string_equal(err.s, "cannot read '/nonexistent/nd.ini': No such file or directory");
	config_release(&cfg);
	buf_release(&err);
}

static void test_secret_file_mode(void **state)
{
	char secret[300], text[400];
	struct config cfg;
	struct buf err = BUF_INIT;
	FILE *f;

	snprintf(secret, sizeof(secret), "%s/secret", dir);
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("pw\n", f);
	fclose(f);
	chmod(secret, 0644);
	snprintf(text, sizeof(text), "[smtp]\npassword_file = %s\n", secret);
	assert_int_equal(load(&cfg, text, &err), -1);
	assert_non_null(strstr(err.s, "line 2: '"));
	assert_non_null(strstr(err.s, "chmod 600"));
	config_release(&cfg);
	chmod(secret, 0600);
	assert_int_equal(load(&cfg, text, &err), 0);
	assert_string_equal(cfg.smtp.password_file, secret);
	config_release(&cfg);
	buf_release(&err);
}

static void test_load_default_order(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;
	char cwd[4096];

	write_file("[compose]\ntitle = from env\n");
	setenv("NEWSDIGEST_CONFIG", path, 1);
	config_init(&cfg);
	assert_int_equal(config_load_default(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.compose.title, "from env");
	config_release(&cfg);

	/* -c wins over the environment, and must exist */
	config_init(&cfg);
	assert_int_equal(config_load_default(&cfg, "/nonexistent.ini", &err), -1);
	config_release(&cfg);

	/* neither: ./newsdigest.ini if present, else built-in defaults */
	unsetenv("NEWSDIGEST_CONFIG");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	config_init(&cfg);
	assert_int_equal(config_load_default(&cfg, NULL, &err), 0);
	assert_null(cfg.file);
	assert_string_equal(cfg.compose.title, "News Digest");
	config_release(&cfg);
	assert_int_equal(chdir(cwd), 0);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_equals_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_duplicates_and_syntax),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_secret_file_mode),
		cmocka_unit_test(test_load_default_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
