/*
 * maildir: one file per message in a Maildir folder, the way an MDA
 * delivers (https://cr.yp.to/proto/maildir.html): written under tmp/,
 * fsync'd, then linked into new/ under the same unique name, so a reader
 * never sees half a message and a crash leaves at most a stray file in tmp/.
 *
 * Line ends become LF: a Maildir holds messages in the local text format
 * (what MDAs such as Postfix's local(8) and procmail write, and what mutt,
 * Dovecot and `mblaze` expect); CRLF is SMTP's wire format only. A lone CR
 * is left alone.
 *
 * No pacing: [send] rate is a relay's quota, and a local folder has none
 * (send --dry-run writes here too, and should not take an hour).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#include "backend.h"
#include "xalloc.h"

/* Host names longer than this are cut in file names; the name is only a
 * part of the uniqueness (time, pid and counter are the rest). */
#define HOST_PART_MAX 64

struct maildir {
	char *dir;
	char *host;             /* the host name, with '/' and ':' escaped */
	unsigned long counter;  /* deliveries by this transport (the Q part) */
	int wrote;              /* new/ needs an fsync before send returns */
};

static int maildir_open(void **state, const struct config *cfg,
			const char *maildir, struct pacer *pace,
			struct buf *describe, struct buf *err);
static int maildir_send(void *state, struct transport_msg *msgs, size_t n,
			struct buf *err);
static void maildir_close(void *state);
static int make_dirs(const char *dir, struct buf *err);
static char *host_part(void);
static int write_one(struct maildir *md, struct transport_msg *msg,
		     struct buf *err);
static int write_all(int fd, const char *p, size_t len);
static int sync_dir(const char *path);

const struct backend_ops transport_maildir_ops = {
	"maildir", maildir_open, maildir_send, maildir_close
};

/* mkdir -p, each folder created 0700: the messages name subscribers. */
static int make_dirs(const char *dir, struct buf *err)
{
	struct buf path = BUF_INIT;
	struct stat st;
	size_t i;
	int ret = -1;

	buf_addstr(&path, dir);
	while (path.len > 1 && path.s[path.len - 1] == '/')
		buf_setlen(&path, path.len - 1);
	for (i = 1; i <= path.len; i++) {
		char saved;

		if (i < path.len && path.s[i] != '/')
			continue;
		saved = path.s[i];
		path.s[i] = '\0';
		if (mkdir(path.s, 0700) < 0 && errno != EEXIST) {
			buf_addf(err, "cannot create '%s': %s", path.s, strerror(errno));
			goto out;
		}
		path.s[i] = saved;
	}
	if (stat(path.s, &st) < 0) {
		buf_addf(err, "cannot use '%s': %s", path.s, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_addf(err, "cannot use '%s': not a folder", path.s);
		goto out;
	}
	ret = 0;
out:
	buf_release(&path);
	return ret;
}

static char *host_part(void)
{
	char name[HOST_NAME_MAX + 1];
	struct buf out = BUF_INIT;
	size_t i;

	if (gethostname(name, sizeof(name)) < 0 || !name[0])
		snprintf(name, sizeof(name), "localhost");
	name[sizeof(name) - 1] = '\0';
	/* The spec's escapes: '/' cannot be in a file name and ':' starts
	 * the info part. Other odd bytes are dropped. */
	for (i = 0; name[i] && out.len < HOST_PART_MAX; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/')
			buf_addstr(&out, "\\057");
		else if (c == ':')
			buf_addstr(&out, "\\072");
		else if (c > ' ' && c < 0x7f)
			buf_addch(&out, c);
	}
	if (!out.len)
		buf_addstr(&out, "localhost");
	return buf_detach(&out);
}

static int maildir_open(void **state, const struct config *cfg,
			const char *maildir, struct pacer *pace,
			struct buf *describe, struct buf *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	struct maildir *md = NULL;
	struct buf path = BUF_INIT;
	size_t i;
	int ret = -1;

	if (!maildir || !*maildir) {
		buf_addstr(err, "no Maildir folder: set [send] maildir");
		goto out;
	}
	if (make_dirs(maildir, err) < 0)
		goto out;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", maildir, subs[i]);
		if (make_dirs(path.s, err) < 0)
			goto out;
		/* cur/ is for readers; we write to tmp/ and new/ */
		if (i < 2 && access(path.s, W_OK | X_OK) < 0) {
			buf_addf(err, "cannot write to '%s': %s", path.s,
				 strerror(errno));
			goto out;
		}
	}
	md = xcalloc(1, sizeof(*md));
	md->dir = xstrdup(maildir);
	md->host = host_part();
	buf_addf(describe, "maildir %s", maildir);
	*state = md;
	ret = 0;
out:
	buf_release(&path);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Write msg, returning 0, or EX_CANTCREAT with "cannot write 'PATH': REASON"
 * in err (the folder is then as it was).
 */
static int write_one(struct maildir *md, struct transport_msg *msg,
		     struct buf *err)
{
	struct buf name = BUF_INIT;
	struct buf tmp = BUF_INIT;
	struct buf dst = BUF_INIT;
	struct buf text = BUF_INIT;
	struct timeval tv;
	size_t i;
	int fd = -1;
	int tries;
	int ret = EX_CANTCREAT;

	for (i = 0; i < msg->len; i++) {
		if (msg->data[i] == '\r' && i + 1 < msg->len && msg->data[i + 1] == '\n')
			continue;
		buf_addch(&text, msg->data[i]);
	}
	/* A name taken already (a clock step back, a reused pid) gets the
	 * next counter: O_EXCL and link() both refuse to overwrite. */
	for (tries = 0; tries < 100; tries++) {
		gettimeofday(&tv, NULL);
		md->counter++;
		buf_reset(&name);
		buf_addf(&name, "%lld.M%06ldP%ldQ%lu.%s", (long long)tv.tv_sec,
			 (long)tv.tv_usec, (long)getpid(), md->counter, md->host);
		buf_reset(&tmp);
		buf_addf(&tmp, "%s/tmp/%s", md->dir, name.s);
		fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		buf_addf(err, "cannot write '%s': %s", tmp.s, strerror(errno));
		goto out;
	}
	if (write_all(fd, text.s, text.len) < 0 || fsync(fd) < 0) {
		buf_addf(err, "cannot write '%s': %s", tmp.s, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		buf_addf(err, "cannot write '%s': %s", tmp.s, strerror(errno));
		goto out;
	}
	fd = -1;
	buf_addf(&dst, "%s/new/%s", md->dir, name.s);
	/* link() never replaces an existing message, as rename() would;
	 * file systems without hard links get the rename. */
	if (link(tmp.s, dst.s) < 0) {
		if ((errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP) ||
		    rename(tmp.s, dst.s) < 0) {
			buf_addf(err, "cannot write '%s': %s", dst.s, strerror(errno));
			goto out;
		}
	} else {
		unlink(tmp.s);
	}
	md->wrote = 1;
	msg->result = TRANSPORT_SENT;
	buf_reset(&text);
	buf_addf(&text, "written to %s", dst.s);
	transport_set_reply(msg, text.s);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp.s);
	buf_release(&name);
	buf_release(&tmp);
	buf_release(&dst);
	buf_release(&text);
	return ret;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

static int maildir_send(void *state, struct transport_msg *msgs, size_t n,
			struct buf *err)
{
	struct maildir *md = state;
	struct buf path = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		if (msgs[i].result == TRANSPORT_PENDING)
			ret = write_one(md, &msgs[i], err);
	/* The links into new/ last across a crash only once the folder's
	 * own entry is on disk: one fsync per batch, not per message. */
	if (md->wrote) {
		buf_addf(&path, "%s/new", md->dir);
		/* The messages stay SENT: they are in new/, and a retry
		 * would only write them twice. The folder is in trouble,
		 * though, and the batch stops here. */
		if (sync_dir(path.s) < 0 && !ret) {
			buf_addf(err, "cannot write '%s': %s", path.s, strerror(errno));
			ret = EX_CANTCREAT;
		}
		md->wrote = 0;
	}
	buf_release(&path);
	return ret;
}

static void maildir_close(void *state)
{
	struct maildir *md = state;

	if (!md)
		return;
	free(md->dir);
	free(md->host);
	free(md);
}
