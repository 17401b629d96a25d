#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_mode(const char *path, const struct stat *st, struct buf *err)
{
	if (!S_ISREG(st->st_mode)) {
		buf_addf(err, "'%s' is not a regular file", path);
		return -1;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		buf_addf(err, "'%s' is readable or writable by group or others; "
			 "run 'chmod 600 %s'", path, path);
		return -1;
	}
	return 0;
}

int secret_check_file(const char *path, struct buf *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	return check_mode(path, &st, err);
}

int secret_read(const char *file, const char *env, struct buf *out, struct buf *err)
{
	struct stat st;
	char chunk[512];
	ssize_t n;
	int fd = -1;
	int ret = -1;
	const char *value;

	buf_reset(out);
	if (file && *file) {
		/* check the descriptor we read, not the name, so the file cannot
		 * be swapped between the check and the read */
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st) < 0) {
			buf_addf(err, "cannot read '%s': %s", file, strerror(errno));
			goto out;
		}
		if (check_mode(file, &st, err) < 0)
			goto out;
		while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
			if (out->len + (size_t)n > SECRET_MAX) {
				buf_addf(err, "'%s' is larger than %d bytes; is it the right file?",
					 file, SECRET_MAX);
				goto out;
			}
			buf_add(out, chunk, (size_t)n);
		}
		if (n < 0) {
			buf_addf(err, "cannot read '%s': %s", file, strerror(errno));
			goto out;
		}
		if (out->len && out->s[out->len - 1] == '\n')
			buf_setlen(out, out->len - 1);
		if (out->len && out->s[out->len - 1] == '\r')
			buf_setlen(out, out->len - 1);
		ret = 1;
		goto out;
	}
	if (env && *env) {
		value = getenv(env);
		if (!value || !*value) {
			buf_addf(err, "environment variable '%s' is not set", env);
			goto out;
		}
		if (strlen(value) > SECRET_MAX) {
			buf_addf(err, "environment variable '%s' is longer than %d bytes",
				 env, SECRET_MAX);
			goto out;
		}
		buf_addstr(out, value);
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		/* never leave part of a secret behind in memory we hand back */
		memset(out->s, 0, out->len);
		buf_reset(out);
	}
	return ret;
}
