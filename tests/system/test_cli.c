// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The command line: help, version, usage errors (exit 2, one line), the
 * ways to stop (SIGINT, SIGTERM, -d, a closed stdout), and the privilege
 * check (exit 1 for an unprivileged user).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

struct cmd {
	int status;
	char *out, *err;
	bool timed_out;
	long ms; /* how long it ran */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Runs the tracer with args; uid >= 0: as that user (and group); stdout to
 * out_path if not NULL (c->out is then empty).
 */
static void run_tracer_to(const char *const *args, int uid, int timeout_ms, const char *out_path,
			  struct cmd *c)
{
	char op[] = "/tmp/rt-cli-out-XXXXXX", ep[] = "/tmp/rt-cli-err-XXXXXX";
	const char *argv[16];
	int n = 0, o, e;
	long t0;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	argv[n++] = tracer_bin();
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	o = mkstemp(op);
	e = mkstemp(ep);
	unlink(op);
	unlink(ep);
	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		if (out_path) {
			close(o);
			o = open(out_path, O_WRONLY);
			if (o < 0)
				_exit(125);
		}
		dup2(o, 1);
		dup2(e, 2);
		signal(SIGPIPE, SIG_DFL);
		if (uid >= 0 &&
		    (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(126);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (wait_pid_timeout(pid, &c->status, timeout_ms) == -ETIMEDOUT) {
		c->timed_out = true;
		kill(pid, SIGKILL);
		wait_pid_timeout(pid, &c->status, -1);
	}
	c->ms = now_ms() - t0;
	c->out = slurp_fd(o);
	c->err = slurp_fd(e);
}

static void run_tracer(const char *const *args, int uid, int timeout_ms, struct cmd *c)
{
	run_tracer_to(args, uid, timeout_ms, NULL, c);
}

static void cmd_free(struct cmd *c)
{
	free(c->out);
	free(c->err);
}

static int exit_code(const struct cmd *c)
{
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128 + WTERMSIG(c->status);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(cli_help)
{
	const char *args[] = { "--help", NULL };
	struct cmd c;

	run_tracer(args, -1, 10000, &c);
	ASSERT_EQ(exit_code(&c), 0, "--help exits 0");
	ASSERT_TRUE(strstr(c.out, "USAGE") || strstr(c.err, "USAGE"), "--help has USAGE");
	ASSERT_TRUE(strstr(c.out, "EXAMPLES") || strstr(c.err, "EXAMPLES"), "--help has EXAMPLES");
	cmd_free(&c);
}

TEST(cli_version)
{
	const char *args[] = { "--version", NULL };
	struct cmd c;

	run_tracer(args, -1, 10000, &c);
	ASSERT_EQ(exit_code(&c), 0, "--version exits 0");
	ASSERT_GT(strlen(c.out), 0, "--version prints something on stdout");
	cmd_free(&c);
}

static void usage_error(const char *a, const char *b)
{
	const char *args[] = { a, b, NULL };
	struct cmd c;

	run_tracer(args, -1, 10000, &c);
	if (!ASSERT_EQ(exit_code(&c), 2, "usage error exits 2") ||
	    !ASSERT_EQ(lines(c.err), 1, "one line on stderr") ||
	    !ASSERT_TRUE(!strncmp(c.err, "reapertrace: ", 13),
			 "stderr line starts \"reapertrace: \""))
		diag("%s %s -> exit %d, stderr:\n%s", a, b ? b : "", exit_code(&c), c.err);
	ASSERT_EQ(strlen(c.out), 0, "nothing on stdout");
	cmd_free(&c);
}

TEST(cli_bad_option)
{
	usage_error("--no-such-option", NULL);
}

TEST(cli_bad_pid)
{
	usage_error("-p", "abc");
	usage_error("-p", "-5");
}

TEST(cli_bad_events)
{
	usage_error("-e", "bogus");
}

TEST(cli_bad_pidns)
{
	usage_error("--pidns", "x");
	usage_error("--pidns", "0");
	usage_error("--pidns", "/proc/0/ns/pid"); /* a path that does not exist */
}

TEST(cli_bad_cgroup)
{
	usage_error("-c", "/nonexistent");
}

TEST(cli_bad_numbers)
{
	usage_error("-d", "abc");
	usage_error("-b", "3"); /* not a power of two */
	usage_error("-b", "x");
}

TEST(cli_duration)
{
	const char *args[] = { "-d", "1", NULL };
	char names[256];
	struct cmd c;

	run_tracer(args, -1, 15000, &c);
	ASSERT_FALSE(c.timed_out, "-d 1 stops by itself");
	ASSERT_EQ(exit_code(&c), 0, "-d 1 exits 0");
	ASSERT_GE(c.ms, 1000, "-d 1 runs at least a second");
	ASSERT_TRUE(strstr(c.err, "reapertrace: tracing") != NULL, "it attached");
	ASSERT_TRUE(no_reap_programs(names, sizeof(names)), "no reap_* program left");
	if (test_failed())
		diag("stderr:\n%s", c.err);
	cmd_free(&c);
}

/* -v: libbpf's own log on stderr; -b: another ring buffer size still runs. */
TEST(cli_verbose_and_buffer)
{
	const char *args[] = { "-v", "-b", "1", "-d", "1", NULL };
	struct cmd c;

	run_tracer(args, -1, 15000, &c);
	ASSERT_EQ(exit_code(&c), 0, "-v -b 1 -d 1 exits 0");
	ASSERT_TRUE(strstr(c.err, "libbpf: ") != NULL, "-v shows libbpf's log");
	ASSERT_TRUE(strstr(c.err, "reapertrace: tracing") != NULL, "it attached");
	if (test_failed())
		diag("stderr:\n%s", c.err);
	cmd_free(&c);
}

TEST(cli_quiet_without_verbose)
{
	const char *args[] = { "-d", "1", NULL };
	struct cmd c;

	run_tracer(args, -1, 15000, &c);
	ASSERT_EQ(exit_code(&c), 0, "-d 1 exits 0");
	ASSERT_TRUE(strstr(c.err, "libbpf: ") == NULL, "no libbpf log without -v");
	ASSERT_EQ(lines(c.err), 2, "stderr: the tracing line and the final count only");
	if (test_failed())
		diag("stderr:\n%s", c.err);
	cmd_free(&c);
}

/* Output that cannot be written (a full disk) is a runtime failure, not a quiet end. */
TEST(cli_full_disk)
{
	/* -d far beyond the start-up time, even under software emulation */
	const char *args[] = { "-d", "30", NULL };
	struct cmd c;

	run_tracer_to(args, -1, 60000, "/dev/full", &c);
	ASSERT_FALSE(c.timed_out, "stops by itself");
	ASSERT_EQ(exit_code(&c), 1, "exit status 1 when stdout is full");
	ASSERT_TRUE(strstr(c.err, "No space left on device") != NULL, "stderr names the cause");
	ASSERT_LT(c.ms, 25000, "stops at the first failed write, not at -d");
	if (test_failed())
		diag("stderr:\n%s", c.err);
	cmd_free(&c);
}

TEST(cli_sigterm)
{
	const char *args[] = { "--json", NULL };
	struct tracer tr = {};

	if (!tracer_start(&tr, args))
		return;
	tracer_stop_sig(&tr, SIGTERM, 0, NULL, NULL);
	tracer_free(&tr);
}

TEST(cli_sigint_text)
{
	const char *args[] = { NULL };
	struct tracer tr = {};

	if (!tracer_start(&tr, args))
		return;
	if (tracer_stop_sig(&tr, SIGINT, 0, NULL, NULL))
		ASSERT_TRUE(tr.doc.nr_bad > 0 || tr.doc.nr == 0, "text mode is not JSON");
	tracer_free(&tr);
}

/* reapertrace | head -n 1: the tracer exits 0 soon after head closes the pipe. */
TEST(cli_closed_stdout)
{
	int p[2], e[2], st = 0, err;
	char line[512], ebuf[4096];
	size_t n = 0;
	ssize_t r;
	pid_t pid;
	long t0;

	if (!ASSERT_EQ(pipe(p), 0, "pipe") || !ASSERT_EQ(pipe(e), 0, "pipe"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(e[1], 2);
		close(p[0]);
		close(e[0]);
		signal(SIGPIPE, SIG_DFL);
		execl(tracer_bin(), tracer_bin(), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	close(e[1]);
	/* like head -n 1: read one line (the header row), then close */
	while (n < sizeof(line) - 1) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (poll(&pf, 1, 30000) <= 0)
			break;
		r = read(p[0], line + n, 1);
		if (r <= 0 || line[n++] == '\n')
			break;
	}
	line[n] = 0;
	ASSERT_TRUE(n > 0 && line[n - 1] == '\n', "a first line came");
	ASSERT_TRUE(strstr(line, "EVENT") != NULL, "the first line is the header row");
	t0 = now_ms();
	close(p[0]);
	err = wait_pid_timeout(pid, &st, 3000);
	if (!ASSERT_EQ(err, 0, "the tracer exits within 3 s of the closed pipe")) {
		kill(pid, SIGKILL);
		wait_pid_timeout(pid, &st, -1);
	}
	r = read(e[0], ebuf, sizeof(ebuf) - 1);
	ebuf[r > 0 ? r : 0] = 0;
	close(e[0]);
	if (!ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status 0 (not SIGPIPE)"))
		diag("wait status 0x%x after %ld ms; stderr:\n%s", st, now_ms() - t0, ebuf);
}

TEST(cli_unprivileged)
{
	const char *args[] = { "-d", "1", NULL };
	struct cmd c;

	run_tracer(args, 65534, 15000, &c);
	if (exit_code(&c) == 126 || exit_code(&c) == 127) {
		test_skip("uid 65534 cannot run %s (exit %d)", tracer_bin(), exit_code(&c));
		goto out;
	}
	ASSERT_EQ(exit_code(&c), 1, "unprivileged run exits 1");
	if (!ASSERT_TRUE(strstr(c.err, "root") || strstr(c.err, "CAP_BPF"),
			 "the message mentions root or CAP_BPF"))
		diag("stderr:\n%s", c.err);
	ASSERT_EQ(lines(c.err), 1, "one line on stderr");
out:
	cmd_free(&c);
}
