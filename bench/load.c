// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-load: the workloads the benchmarks measure, each timed by itself.
 * It makes itself a subreaper first, so nothing it orphans can reach PID 1,
 * and it reaps everything before it returns.
 *
 *   rt-bench-load cycles N    N times: fork, the child _exit(0)s, waitpid
 *   rt-bench-load storm N     a parent forks N children and exits: N orphans
 *                             adopted by this process in one exit, then
 *                             released and reaped
 *   rt-bench-load signals N   N signals to itself (SIGUSR1, handled): no exit
 *   rt-bench-load prctls N    N prctl(PR_GET_DUMPABLE): not a subreaper call
 *   rt-bench-load marker      one child named rt-bench-mark exits, reaped
 *   rt-bench-load startup OUT TRACER [ARG...]
 *                             start TRACER with stdout to the file OUT (it
 *                             must print JSON), then run markers every
 *                             millisecond until one appears in OUT; stop
 *                             TRACER with SIGINT. Prints the CLOCK_BOOTTIME
 *                             ms from before its exec to the event of the
 *                             first marker it reported (attached by then),
 *                             and to the moment that event was read in OUT
 *
 * Prints one line "MODE N SECONDS PER_SECOND CPU_SECONDS PER_CPU_SECOND" on
 * stdout, CPU being the user and system time of this process and of the
 * children it reaped: what the work cost, which other load on the machine
 * inflates far less than wall time (and where a tracer's programs are
 * charged, as they run in the traced tasks). startup prints "startup
 * FIRST_EVENT_MS SEEN_MS MARKERS". 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User and system seconds of this process and its reaped children. */
static double cpu_seconds(void)
{
	struct rusage self, children;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	return self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec +
	       children.ru_stime.tv_sec +
	       (self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec +
		children.ru_stime.tv_usec) /
		       1e6;
}

static int cycles(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t k = fork();
		int st;

		if (k == 0)
			_exit(0);
		if (k < 0 || waitpid(k, &st, 0) != k) {
			fprintf(stderr, "rt-bench-load: cycle %ld: %s\n", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Read until EOF: the children block here until the release pipe closes. */
static void block_on(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/*
 * The children's pids go to a shared array so that they can be reaped by
 * pid: waitpid(-1) scans the whole list of children on every call, which
 * makes reaping a storm quadratic. Phase times go to stderr.
 */
static int storm(long n)
{
	int rel[2], ready[2], err = 0;
	double t0 = now(), t1, t2;
	long made = 0, i;
	pid_t p, *kids;
	int st;

	kids = mmap(NULL, n * sizeof(*kids), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		    0);
	if (kids == MAP_FAILED || pipe(rel) || pipe(ready))
		return -1;
	p = fork();
	if (p == 0) {
		close(rel[1]);
		close(ready[0]);
		prctl(PR_SET_NAME, "rt-bench-storm");
		for (i = 0; i < n; i++) {
			pid_t k = fork();

			if (k == 0) {
				prctl(PR_SET_NAME, "rt-storm-kid");
				block_on(rel[0]);
				_exit(0);
			}
			if (k < 0) {
				fprintf(stderr, "rt-bench-load: fork %ld: %s\n", i,
					strerror(errno));
				break;
			}
			kids[i] = k;
		}
		if (write(ready[1], &i, sizeof(i)) != sizeof(i))
			_exit(1);
		_exit(0); /* all its children are orphaned at once */
	}
	close(rel[0]);
	close(ready[1]);
	if (p < 0 || read(ready[0], &made, sizeof(made)) != sizeof(made) ||
	    waitpid(p, &st, 0) != p) {
		err = -1;
		made = 0;
	}
	t1 = now();
	close(ready[0]);
	close(rel[1]); /* release the orphans */
	for (i = 0; i < made; i++)
		while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR)
			;
	while ((p = waitpid(-1, &st, 0)) > 0 || (p < 0 && errno == EINTR))
		;
	t2 = now();
	munmap(kids, n * sizeof(*kids));
	fprintf(stderr,
		"rt-bench-load: storm of %ld: fork and orphan %.2f s, release and reap %.2f s\n",
		made, t1 - t0, t2 - t1);
	if (made != n) {
		fprintf(stderr, "rt-bench-load: storm made %ld of %ld children\n", made, n);
		err = -1;
	}
	return err;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int signals(long n)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long i;

	if (sigaction(SIGUSR1, &sa, NULL))
		return -1;
	for (i = 0; i < n; i++)
		if (kill(getpid(), SIGUSR1))
			return -1;
	return 0;
}

static int prctls(long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (prctl(PR_GET_DUMPABLE) < 0)
			return -1;
	return 0;
}

static int marker(void)
{
	pid_t k = fork();
	int st;

	if (k == 0) {
		prctl(PR_SET_NAME, "rt-bench-mark");
		_exit(0);
	}
	return k < 0 || waitpid(k, &st, 0) != k ? -1 : 0;
}

static unsigned long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ts_ns of the first rt-bench-mark record in @path, or 0. */
static unsigned long long marker_ts(const char *path)
{
	unsigned long long ts = 0;
	char line[1024], *p;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (!ts && fgets(line, sizeof(line), f)) {
		p = strstr(line, "\"ts_ns\":");
		if (strstr(line, "\"rt-bench-mark\"") && p)
			ts = strtoull(p + 8, NULL, 10);
	}
	fclose(f);
	return ts;
}

static int startup(char **argv)
{
	unsigned long long t0, ts = 0, seen;
	long markers = 0;
	int fd, st;
	pid_t t;

	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	t0 = boottime_ns();
	t = fork();
	if (t == 0) {
		dup2(fd, 1);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	close(fd);
	if (t < 0)
		return -1;
	while (!(ts = marker_ts(argv[0])) && boottime_ns() - t0 < 30000000000ULL) {
		if (waitpid(t, &st, WNOHANG) == t) {
			fprintf(stderr, "rt-bench-load: %s exited\n", argv[1]);
			return -1;
		}
		marker();
		markers++;
		usleep(1000);
	}
	seen = boottime_ns();
	kill(t, SIGINT);
	waitpid(t, &st, 0);
	if (!ts) {
		fprintf(stderr, "rt-bench-load: no marker seen in 30 s\n");
		return -1;
	}
	printf("startup %.1f %.1f %ld\n", (ts - t0) / 1e6, (seen - t0) / 1e6, markers);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 1;
	double t0, dt, c0, dc;
	int err;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("rt-bench-load: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "startup") && argc > 3)
		return startup(argv + 2) ? 1 : 0;
	t0 = now();
	c0 = cpu_seconds();
	if (!strcmp(mode, "cycles") && n > 0)
		err = cycles(n);
	else if (!strcmp(mode, "storm") && n > 0)
		err = storm(n);
	else if (!strcmp(mode, "signals") && n > 0)
		err = signals(n);
	else if (!strcmp(mode, "prctls") && n > 0)
		err = prctls(n);
	else if (!strcmp(mode, "marker"))
		err = marker();
	else {
		fprintf(stderr, "usage: rt-bench-load cycles|storm|signals|prctls N | marker | "
				"startup OUT TRACER [ARG...]\n");
		return 2;
	}
	dt = now() - t0;
	dc = cpu_seconds() - c0;
	if (err)
		return 1;
	printf("%s %ld %.6f %.0f %.6f %.0f\n", mode, n, dt, n / dt, dc, dc > 0 ? n / dc : 0);
	return 0;
}
