/*
 * sendmail: one run of `[send] sendmail -i -f FROM -- RCPT` per message, the
 * message on its stdin, the way every MTA's sendmail(1) takes mail. No
 * shell: the program and the addresses are argv entries, and "--" keeps a
 * recipient starting with '-' from being read as an option.
 *
 * The message goes in with LF line ends: sendmail(1) reads the local text
 * format, and Postfix, Exim and msmtp would keep a CR as part of each line.
 * -i: a line with a lone "." is data, not the end of the message.
 *
 * The exit status says what happened (sysexits): 0 accepted, 75 try again
 * later, anything else refused. The program runs in its own process group
 * so that a timeout kills what it started too (postdrop, a wrapper's child).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "xalloc.h"

/* The part of the program's stderr kept for the reply; the rest is read
 * and dropped so that the program never blocks on a full pipe. */
#define STDERR_KEEP 1024
/* How often a program done with its stdin is checked for its exit. */
#define REAP_POLL_MS 10

struct pipe_be {
	char *program;
	char *from;             /* the envelope sender, an addr-spec */
	long timeout;           /* seconds one run may take */
	struct pacer *pace;
};

struct run {
	pid_t pid;
	int in;                 /* the program's stdin, our end */
	int errfd;              /* the program's stderr, our end */
	struct buf text;        /* the message, LF line ends */
	size_t off;             /* bytes of text written */
	int written;            /* all of text written and stdin closed */
	int epipe;              /* the program stopped reading early */
	int status;             /* from waitpid, once pid is -1 */
	struct buf errout;      /* the start of its stderr */
};

static int pipe_open(void **state, const struct config *cfg,
		     const char *maildir, struct pacer *pace,
		     struct buf *describe, struct buf *err);
static int pipe_send(void *state, struct transport_msg *msgs, size_t n,
		     struct buf *err);
static void pipe_close(void *state);
static int check_program(const char *program, struct buf *err);
static int spawn(struct pipe_be *p, const char *rcpt, struct run *r,
		 struct buf *err);
static void child(struct pipe_be *p, const char *rcpt, int in, int errfd,
		  int report) __attribute__((noreturn));
static int cloexec_pipe(int fds[2]);
static int move_fd(int from, int to);
static ssize_t read_stderr(struct run *r);
static void write_stdin(struct run *r);
static int pump(struct run *r, double deadline);
static void kill_group(struct run *r);
static void first_line(const struct buf *errout, struct buf *out);
static void judge(const struct pipe_be *p, const struct run *r, int timed_out,
		  int status, struct transport_msg *msg);
static int run_one(struct pipe_be *p, struct transport_msg *msg,
		   struct buf *err);

const struct backend_ops transport_pipe_ops = {
	"sendmail", pipe_open, pipe_send, pipe_close
};

/* A program given as a path is checked now; a bare name is looked up in
 * PATH by execvp at the first message. */
static int check_program(const char *program, struct buf *err)
{
	struct stat st;

	if (!program || !*program) {
		buf_addstr(err, "no sendmail program: set [send] sendmail");
		return -1;
	}
	if (!strchr(program, '/'))
		return 0;
	if (stat(program, &st) < 0) {
		buf_addf(err, "cannot run sendmail '%s': %s; set [send] sendmail "
			 "to an MTA's sendmail program", program, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || access(program, X_OK) < 0) {
		buf_addf(err, "cannot run sendmail '%s': not an executable file",
			 program);
		return -1;
	}
	return 0;
}

static int pipe_open(void **state, const struct config *cfg,
		     const char *maildir, struct pacer *pace,
		     struct buf *describe, struct buf *err)
{
	struct pipe_be *p;
	struct buf from = BUF_INIT;
	int ret = -1;

	if (check_program(cfg->send.sendmail, err) < 0)
		goto out;
	if (transport_from_address(cfg->mail.from, &from, err) < 0)
		goto out;
	p = xcalloc(1, sizeof(*p));
	p->program = xstrdup(cfg->send.sendmail);
	p->from = buf_detach(&from);
	p->timeout = cfg->send.sendmail_timeout > 0 ? cfg->send.sendmail_timeout : 60;
	p->pace = pace;
	buf_addf(describe, "sendmail %s", p->program);
	*state = p;
	ret = 0;
out:
	buf_release(&from);
	return ret;
}

/* pipe2(O_CLOEXEC) is a GNU extension; the process is single-threaded
 * here, so no exec can come between the pipe and the fcntl. */
static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		close(fds[0]);
		close(fds[1]);
		fds[0] = fds[1] = -1;
		return -1;
	}
	return 0;
}

/* dup2 that also works when from == to (dup2 would then keep O_CLOEXEC). */
static int move_fd(int from, int to)
{
	if (from == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(from, to) < 0 ? -1 : 0;
}

/* In the child: only async-signal-safe calls until exec. */
static void child(struct pipe_be *p, const char *rcpt, int in, int errfd,
		  int report)
{
	char *argv[7];
	sigset_t none;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int e;

	setpgid(0, 0);
	/* The parent ignores SIGPIPE while it writes; an ignored signal
	 * would stay ignored across exec. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null < 0 || move_fd(in, 0) < 0 || move_fd(null, 1) < 0 ||
	    move_fd(errfd, 2) < 0)
		goto fail;
	argv[0] = p->program;
	argv[1] = (char *)"-i";
	argv[2] = (char *)"-f";
	argv[3] = p->from;
	argv[4] = (char *)"--";
	argv[5] = (char *)rcpt;
	argv[6] = NULL;
	if (strchr(p->program, '/'))
		execv(p->program, argv);
	else
		execvp(p->program, argv);
fail:
	e = errno;
	/* The report pipe is close-on-exec: EOF there means exec worked. */
	if (write(report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Start the program. 0, or EX_UNAVAILABLE / EX_OSERR with a sentence. */
static int spawn(struct pipe_be *p, const char *rcpt, struct run *r,
		 struct buf *err)
{
	int in[2] = { -1, -1 };
	int errp[2] = { -1, -1 };
	int report[2] = { -1, -1 };
	int child_errno = 0;
	ssize_t got;
	int ret = EX_OSERR;

	if (cloexec_pipe(in) < 0 || cloexec_pipe(errp) < 0 ||
	    cloexec_pipe(report) < 0) {
		buf_addf(err, "cannot run sendmail '%s': pipe: %s", p->program,
			 strerror(errno));
		goto out;
	}
	r->pid = fork();
	if (r->pid < 0) {
		buf_addf(err, "cannot run sendmail '%s': fork: %s", p->program,
			 strerror(errno));
		goto out;
	}
	if (r->pid == 0)
		child(p, rcpt, in[0], errp[1], report[1]);
	/* Both sides set the group, so a kill right away cannot miss it. */
	setpgid(r->pid, r->pid);
	close(report[1]);
	report[1] = -1;
	do {
		got = read(report[0], &child_errno, sizeof(child_errno));
	} while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof(child_errno)) {
		waitpid(r->pid, NULL, 0);
		r->pid = -1;
		buf_addf(err, "cannot run sendmail '%s': %s; set [send] sendmail "
			 "to an MTA's sendmail program", p->program,
			 strerror(child_errno));
		ret = EX_UNAVAILABLE;
		goto out;
	}
	r->in = in[1];
	in[1] = -1;
	r->errfd = errp[0];
	errp[0] = -1;
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->errfd, F_SETFL, O_NONBLOCK);
	ret = 0;
out:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (report[0] >= 0)
		close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	return ret;
}

/* Read a chunk of stderr, keeping the start of it; closed at EOF or on an
 * error. Returns what read() did. */
static ssize_t read_stderr(struct run *r)
{
	char chunk[4096];
	ssize_t got = read(r->errfd, chunk, sizeof(chunk));

	if (got > 0) {
		size_t room = STDERR_KEEP - r->errout.len;

		buf_add(&r->errout, chunk, (size_t)got < room ? (size_t)got : room);
	} else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(r->errfd);
		r->errfd = -1;
	}
	return got;
}

static void write_stdin(struct run *r)
{
	ssize_t w = write(r->in, r->text.s + r->off, r->text.len - r->off);

	if (w >= 0)
		r->off += (size_t)w;
	else if (errno != EAGAIN && errno != EINTR)
		r->epipe = 1;	/* EPIPE, in practice: the program exited */
	if (r->off == r->text.len || r->epipe) {
		close(r->in);
		r->in = -1;
		r->written = !r->epipe;
	}
}

/*
 * Write the message, read stderr and wait for the exit, until the deadline.
 * Returns 0 with r->status, or -1 on the deadline. Reading while writing
 * keeps a program that reports on stderr before reading all of stdin from
 * blocking us both. The exit is checked as soon as stdin is done: a child
 * it left behind may hold stderr open long after it exited.
 */
static int pump(struct run *r, double deadline)
{
	for (;;) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		double left = deadline - transport_now();
		int wait_ms;
		int rc;
		nfds_t i;

		if (r->in < 0) {
			pid_t w = waitpid(r->pid, &r->status, WNOHANG);

			if (w == r->pid || (w < 0 && errno != EINTR)) {
				if (w < 0)
					r->status = 0x7f00;	/* as if exited 127 */
				r->pid = -1;
				/* What it said before exiting is in the pipe; a
				 * child it left behind may keep the pipe open
				 * without writing: stop at the first EAGAIN. */
				while (r->errfd >= 0 && read_stderr(r) > 0)
					continue;
				return 0;
			}
		}
		if (left <= 0)
			return -1;
		wait_ms = (int)(left * 1000.0) + 1;
		if (r->in >= 0) {
			fds[nfds].fd = r->in;
			fds[nfds].events = POLLOUT;
			nfds++;
		} else if (wait_ms > REAP_POLL_MS) {
			wait_ms = REAP_POLL_MS;
		}
		if (r->errfd >= 0) {
			fds[nfds].fd = r->errfd;
			fds[nfds].events = POLLIN;
			nfds++;
		}
		rc = poll(fds, nfds, wait_ms);
		if (rc < 0 && errno != EINTR)
			return -1;
		for (i = 0; rc > 0 && i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].fd == r->in)
				write_stdin(r);
			else
				read_stderr(r);
		}
	}
}

static void kill_group(struct run *r)
{
	if (r->pid <= 0)
		return;
	kill(-r->pid, SIGKILL);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = -1;
}

/* The first non-empty line of what the program said on stderr. */
static void first_line(const struct buf *errout, struct buf *out)
{
	const char *p = errout->s;

	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	buf_add(out, p, strcspn(p, "\r\n"));
}

/* sysexits(3) statuses that speak of the sending host, not of the
 * address: no process or file (71), an output file (73), I/O (74), or a
 * plain "try later" (75). Marking a subscriber failed for those would lose
 * them the digest over a full disk, so they are tried again. */
static int local_trouble(int code)
{
	return code == EX_OSERR || code == EX_CANTCREAT || code == EX_IOERR ||
	       code == EX_TEMPFAIL;
}

/* What a finished (or killed) run means for its message. */
static void judge(const struct pipe_be *p, const struct run *r, int timed_out,
		  int status, struct transport_msg *msg)
{
	struct buf reply = BUF_INIT;
	struct buf line = BUF_INIT;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	first_line(&r->errout, &line);
	if (timed_out) {
		msg->result = TRANSPORT_TEMPFAIL;
		/* all of it went in: the program may have queued it */
		msg->maybe_delivered = r->written;
		buf_addf(&reply, "sendmail timed out after %ld s", p->timeout);
	} else if (WIFSIGNALED(status)) {
		msg->result = TRANSPORT_TEMPFAIL;
		buf_addf(&reply, "sendmail killed by signal %d", WTERMSIG(status));
	} else if (code == 0 && r->epipe) {
		msg->result = TRANSPORT_TEMPFAIL;
		buf_addstr(&reply, "sendmail exited 0 before reading the whole message");
	} else {
		msg->result = code == 0 ? TRANSPORT_SENT :
			      local_trouble(code) ? TRANSPORT_TEMPFAIL :
			      TRANSPORT_FAILED;
		buf_addf(&reply, "sendmail exited %d", code);
		if (line.len) {
			buf_addstr(&reply, ": ");
			buf_addstr(&reply, line.s);
		}
	}
	transport_set_reply(msg, reply.s);
	buf_release(&reply);
	buf_release(&line);
}

/* One message: 0 with its result set, or a sysexits status with err. */
static int run_one(struct pipe_be *p, struct transport_msg *msg,
		   struct buf *err)
{
	struct run r;
	double deadline;
	int timed_out;
	size_t i;
	int ret;

	memset(&r, 0, sizeof(r));
	r.pid = -1;
	r.in = r.errfd = -1;
	buf_init(&r.text, 0);
	buf_init(&r.errout, STDERR_KEEP);
	for (i = 0; i < msg->len; i++) {
		if (msg->data[i] == '\r' && i + 1 < msg->len && msg->data[i + 1] == '\n')
			continue;
		buf_addch(&r.text, msg->data[i]);
	}
	deadline = transport_now() + (double)p->timeout;
	ret = spawn(p, msg->rcpt, &r, err);
	if (ret)
		goto out;
	timed_out = pump(&r, deadline) < 0;
	if (timed_out)
		kill_group(&r);
	judge(p, &r, timed_out, r.status, msg);
out:
	if (r.in >= 0)
		close(r.in);
	if (r.errfd >= 0)
		close(r.errfd);
	kill_group(&r);
	buf_release(&r.text);
	buf_release(&r.errout);
	return ret;
}

static int pipe_send(void *state, struct transport_msg *msgs, size_t n,
		     struct buf *err)
{
	struct pipe_be *p = state;
	struct sigaction ignore, saved;
	size_t i;
	int ret = 0;

	/* A program that exits before reading all of its stdin must cost a
	 * message, not the process: EPIPE instead of SIGPIPE while we write.
	 * The process is single-threaded here, so flipping the disposition
	 * for the batch is safe; it is put back before we return. */
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &saved);
	for (i = 0; i < n && !ret; i++) {
		if (msgs[i].result != TRANSPORT_PENDING)
			continue;
		pacer_wait(p->pace);
		ret = run_one(p, &msgs[i], err);
	}
	sigaction(SIGPIPE, &saved, NULL);
	return ret;
}

static void pipe_close(void *state)
{
	struct pipe_be *p = state;

	if (!p)
		return;
	free(p->program);
	free(p->from);
	free(p);
}
