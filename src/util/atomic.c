#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

int atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err)
{
	struct buf tmp = BUF_INIT;
	int fd;

	memset(af, 0, sizeof(*af));
	buf_addf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.s);
	if (fd < 0 || fchmod(fd, mode) < 0) {
		buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp.s);
		}
		buf_release(&tmp);
		return -1;
	}
	af->f = fdopen(fd, "w");
	if (!af->f)
		xdie_oom();
	af->path = xstrdup(path);
	af->tmp_path = buf_detach(&tmp);
	return 0;
}

int atomic_commit(struct atomic_file *af, struct buf *err)
{
	int failed;

	if (!af->f)
		return -1;
	failed = fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) < 0;
	if (fclose(af->f) != 0)
		failed = 1;
	af->f = NULL;
	if (failed || rename(af->tmp_path, af->path) < 0) {
		buf_addf(err, "cannot write '%s': %s", af->path, strerror(errno));
		atomic_abort(af);
		return -1;
	}
	free(af->tmp_path);
	free(af->path);
	af->tmp_path = af->path = NULL;
	return 0;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp_path)
		unlink(af->tmp_path);
	free(af->tmp_path);
	free(af->path);
	memset(af, 0, sizeof(*af));
}
