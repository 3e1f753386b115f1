// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TAP harness for rt-tests. See harness.h.
 *
 * rt-tests [-l] [NAME_SUBSTRING...]
 *	runs every test whose name contains one of the substrings (all tests
 *	without arguments), prints TAP and a closing line
 *	"N passed, N failed, N skipped"; exits 1 iff a test failed.
 *	-l lists the test names.
 *
 * Environment: RT_TEST_TIMEOUT (seconds per test, default 900).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "proc.h"

#define MAX_TESTS 256

struct test_entry {
	const char *name;
	const char *file;
	test_fn fn;
};

static struct test_entry tests[MAX_TESTS];
static int nr_tests;

/* How many failed assertions a failed test's recap repeats. */
#define RECAP_ASSERTS 4

/* Shared between the harness and a test's process. */
struct test_result {
	int failed;
	int skipped;
	char skip_reason[512];
	int nr_asserts_failed;
	/* The first failed assertions, said again before "not ok". */
	char asserts_failed[RECAP_ASSERTS][320];
};

static struct test_result *result;
static char root_dir[PATH_MAX];

void harness_register(const char *name, test_fn fn, const char *file)
{
	if (nr_tests == MAX_TESTS) {
		fprintf(stderr, "harness: too many tests (%d)\n", MAX_TESTS);
		exit(2);
	}
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	tests[nr_tests].file = file;
	nr_tests++;
}

const char *repo_root(void)
{
	return root_dir;
}

void diag(const char *fmt, ...)
{
	char *buf = NULL, *line, *save = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(buf);
	fflush(stdout);
}

void test_fail(void)
{
	if (result)
		result->failed = 1;
}

bool test_failed(void)
{
	return result && result->failed;
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	if (!result)
		return;
	result->skipped = 1;
	va_start(ap, fmt);
	vsnprintf(result->skip_reason, sizeof(result->skip_reason), fmt, ap);
	va_end(ap);
}

bool test_skipped(void)
{
	return result && result->skipped;
}

static const char *base(const char *file)
{
	const char *s = strrchr(file, '/');

	return s ? s + 1 : file;
}

/*
 * A failed assertion: said at once, and the first few said again at the
 * test's end, where a log cut to its tail still shows why it failed.
 */
static bool assert_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool assert_failed(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		diag("%s", msg);
	/* the recap's copy is cut to its slot; the line above is whole */
	if (n >= 0 && result && result->nr_asserts_failed < RECAP_ASSERTS)
		snprintf(result->asserts_failed[result->nr_asserts_failed],
			 sizeof(result->asserts_failed[0]), "%s", msg);
	if (result)
		result->nr_asserts_failed++;
	free(msg);
	test_fail();
	return false;
}

bool assert_fail_ll(const char *file, int line, const char *what, const char *a_expr, long long a,
		    const char *op, const char *b_expr, long long b)
{
	return assert_failed("%s:%d: %s: expected %s %s %s, actual %lld vs %lld", base(file), line,
			     what, a_expr, op, b_expr, a, b);
}

bool assert_fail_str(const char *file, int line, const char *what, const char *a_expr,
		     const char *a, const char *b_expr, const char *b)
{
	return assert_failed("%s:%d: %s: expected %s == %s, actual \"%s\" vs \"%s\"", base(file),
			     line, what, a_expr, b_expr, a ? a : "(null)", b ? b : "(null)");
}

bool assert_fail_true(const char *file, int line, const char *what, const char *expr, bool expected)
{
	return assert_failed("%s:%d: %s: expected (%s) to be %s", base(file), line, what, expr,
			     expected ? "true" : "false");
}

bool assert_fail_errno(const char *file, int line, const char *what, const char *expr,
		       long long ret, long long want)
{
	if (want)
		return assert_failed("%s:%d: %s: expected (%s) == %lld (%s), got %lld (%s)",
				     base(file), line, what, expr, want, strerror(-want), ret,
				     ret < 0 ? strerror(-ret) : "no error");
	return assert_failed("%s:%d: %s: expected (%s) to succeed, got %lld (%s)", base(file), line,
			     what, expr, ret, ret < 0 ? strerror(-ret) : "not an -errno");
}

/*
 * Everything left under this process: report it (zombies and live ones),
 * then kill and reap it. Returns the number of leftovers.
 */
static int reap_leftovers(bool report)
{
	struct proc_entry *procs = NULL;
	int n, i, left = 0, idle = 0;
	pid_t self = getpid();

	n = proc_descendants(self, &procs);
	for (i = 0; i < n; i++) {
		if (report)
			diag("left behind: pid %d ppid %d state %c comm %s", procs[i].pid,
			     procs[i].ppid, procs[i].state, procs[i].comm);
		left++;
		if (procs[i].state != 'Z')
			kill(procs[i].pid, SIGKILL);
	}
	free(procs);
	/*
	 * Killed ones re-parent to us (we are a subreaper): reap until none.
	 * Only waits without a reap count towards giving up: a killed storm
	 * leaves tens of thousands.
	 */
	while (idle < 500) {
		pid_t r = waitpid(-1, NULL, WNOHANG | __WALL);

		if (r < 0 && errno == ECHILD)
			break;
		if (r <= 0) {
			idle++;
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			/* Nothing to reap yet: kill what appeared meanwhile. */
			n = proc_descendants(self, &procs);
			for (i = 0; i < n; i++)
				if (procs[i].state != 'Z')
					kill(procs[i].pid, SIGKILL);
			free(procs);
			procs = NULL;
			nanosleep(&ts, NULL);
		}
	}
	return left;
}

static void run_one(const struct test_entry *t)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	t->fn();
	if (reap_leftovers(true)) {
		diag("%s left processes or zombies behind (see above)", t->name);
		test_fail();
	}
	fflush(stdout);
	exit(0);
}

/* The first failed assertions again, next to "not ok". */
static void recap_asserts(const char *name)
{
	int i, n = result->nr_asserts_failed;

	if (!n)
		return;
	diag("%s: %d assertion%s failed%s:", name, n, n == 1 ? "" : "s",
	     n > RECAP_ASSERTS ? ", the first ones" : "");
	for (i = 0; i < n && i < RECAP_ASSERTS; i++)
		diag("  %s", result->asserts_failed[i]);
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc == 0)
		return true;
	for (i = 0; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

static int cmp_test(const void *a, const void *b)
{
	const struct test_entry *x = a, *y = b;
	int r = strcmp(base(x->file), base(y->file));

	return r ? r : 0;
}

int main(int argc, char **argv)
{
	int i, nr = 0, passed = 0, failed = 0, skipped = 0, num = 0;
	int timeout = 900;
	const char *s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < nr_tests; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s [-l] [NAME_SUBSTRING...]\n", argv[0]);
		return 0;
	}
	if (!getcwd(root_dir, sizeof(root_dir))) {
		perror("getcwd");
		return 2;
	}
	s = getenv("RT_TEST_TIMEOUT");
	if (s && atoi(s) > 0)
		timeout = atoi(s);

	/* Stable order: by file, then registration order within a file. */
	for (i = 1; i < nr_tests; i++) {
		struct test_entry t = tests[i];
		int j = i - 1;

		while (j >= 0 && cmp_test(&tests[j], &t) > 0) {
			tests[j + 1] = tests[j];
			j--;
		}
		tests[j + 1] = t;
	}

	for (i = 0; i < nr_tests; i++)
		if (selected(tests[i].name, argc - 1, argv + 1))
			nr++;

	/* Anything a test lets escape comes back to us, not to PID 1. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	result = mmap(NULL, sizeof(*result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (result == MAP_FAILED) {
		perror("mmap");
		return 2;
	}

	printf("TAP version 13\n1..%d\n", nr);
	for (i = 0; i < nr_tests; i++) {
		const struct test_entry *t = &tests[i];
		int status = 0;
		bool timed_out = false;
		pid_t pid;

		if (!selected(t->name, argc - 1, argv + 1))
			continue;
		num++;
		memset(result, 0, sizeof(*result));
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			run_one(t);
		if (wait_pid_timeout(pid, &status, timeout * 1000) == -ETIMEDOUT) {
			diag("%s: timed out after %d s, killed", t->name, timeout);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			timed_out = true;
		}
		/* Whatever the test process left (it died, or was killed). */
		if (reap_leftovers(!timed_out && !(WIFEXITED(status) && !WEXITSTATUS(status)))) {
			if (!timed_out)
				result->failed = 1;
		}
		if (!timed_out && (!WIFEXITED(status) || WEXITSTATUS(status))) {
			if (WIFSIGNALED(status))
				diag("%s: test process killed by signal %d", t->name,
				     WTERMSIG(status));
			else
				diag("%s: test process exited with %d", t->name,
				     WEXITSTATUS(status));
			result->failed = 1;
		}
		if (timed_out || result->failed) {
			failed++;
			recap_asserts(t->name);
			printf("not ok %d %s\n", num, t->name);
		} else if (result->skipped) {
			skipped++;
			printf("ok %d %s # SKIP %s\n", num, t->name, result->skip_reason);
		} else {
			passed++;
			printf("ok %d %s\n", num, t->name);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
