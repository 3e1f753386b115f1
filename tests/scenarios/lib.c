// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scenario library's helpers, for every scenario file (scenario_lib.h)
 * and the runner: see scenarios.h.
 *
 * Conventions inside a scenario:
 * - actor 0 is the runner (the caller of sc_start()), actor 1 the harness H;
 * - an actor records itself (actor_self()) before anything is observed of
 *   it, so its comm, pids and namespace are those of its life;
 * - a blocked actor waits on the read end of a "release" pipe whose only
 *   write end is held by the process that will release it: closing that end
 *   (also on every error path) lets it go, so nothing can hang;
 * - only H (or the ns init) adds expected events; inner processes report
 *   failures with sc_error() into the shared truth and _exit();
 * - processes other than the runner leave with _exit(), never exit(), so
 *   that no stdio buffer is flushed twice.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "scenario_lib.h"

/* The harness's ends of the runner channel (valid in H and below). */
int sc_to_runner = -1;
int sc_from_runner = -1;

/* ------------------------------------------------------------------ */
/* Scenario plumbing */

void sc_error(struct sc_truth *t, const char *fmt, ...)
{
	char buf[sizeof(t->error)];
	va_list ap;

	/* The first error wins; several processes may report at once. */
	if (!__sync_bool_compare_and_swap(&t->error_taken, 0, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(t->error, sizeof(t->error), "%s: %.400s", t->name, buf);
}

bool failed(struct sc_truth *t)
{
	return t->error_taken != 0;
}

/* Reads one byte; 0 on a byte, -1 on EOF, error or timeout. */
int wait_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int put_byte(int fd, char c)
{
	ssize_t n;

	do
		n = write(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

/* Blocks until the release pipe is closed (or written to). */
void block_on(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
}

int chan_open(struct sc_truth *t, struct chan *c)
{
	int fds[2];

	if (pipe(fds)) {
		sc_error(t, "pipe: %s", strerror(errno));
		c->r = c->w = -1;
		return -1;
	}
	c->r = fds[0];
	c->w = fds[1];
	return 0;
}

void xclose(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void chan_close(struct chan *c)
{
	xclose(&c->r);
	xclose(&c->w);
}

int read_nspid(const char *path, pid_t *global, pid_t *inner, unsigned int *level)
{
	char line[512];
	int ret = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;
		unsigned int n = 0;
		long v;

		if (strncmp(line, "NSpid:", 6))
			continue;
		p = line + 6;
		for (;;) {
			v = strtol(p, &end, 10);
			if (end == p)
				break;
			if (n == 0)
				*global = v;
			*inner = v;
			n++;
			p = end;
		}
		if (n) {
			*level = n - 1;
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

/*
 * For what the kernel gives no signal of: wait up to @ms for @path (a /proc
 * entry of a task being released) to disappear.
 */
bool wait_path_gone(const char *path, int ms)
{
	int n;

	for (n = 0; !access(path, F_OK) && n < ms; n++)
		usleep(1000);
	return access(path, F_OK) != 0;
}

/* The calling thread records itself as actor idx (and names itself comm). */
int actor_self(struct sc_truth *t, int idx, const char *role, const char *comm)
{
	struct sc_actor *a = &t->actors[idx];
	pid_t tid_global = 0, tid_inner = 0;
	unsigned int level = 0;
	char path[64];
	FILE *f;

	if (idx >= SC_MAX_ACTORS) {
		sc_error(t, "actor index %d too large", idx);
		return -1;
	}
	if (comm)
		prctl(PR_SET_NAME, comm);
	snprintf(a->role, sizeof(a->role), "%s", role);
	if (read_nspid("/proc/self/status", &a->pid, &a->ns_pid, &a->pidns_level) ||
	    read_nspid("/proc/thread-self/status", &tid_global, &tid_inner, &level)) {
		sc_error(t, "%s: cannot read NSpid", role);
		return -1;
	}
	a->tid = tid_global;
	a->pidns = ns_inode("/proc/thread-self/ns/pid");
	a->cgroup_id = proc_cgroup_id(a->pid);
	f = fopen("/proc/thread-self/comm", "re");
	if (f) {
		if (fgets(a->comm, sizeof(a->comm), f))
			a->comm[strcspn(a->comm, "\n")] = 0;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d", a->pid);
	if (!a->pidns || access(path, F_OK)) {
		sc_error(t, "%s: cannot see itself in /proc", role);
		return -1;
	}
	if (idx >= t->nr_actors)
		t->nr_actors = idx + 1;
	return 0;
}

struct sc_event *expect(struct sc_truth *t, int type, int subject, int parent)
{
	struct sc_event *e;

	if (t->nr_events == SC_MAX_EVENTS) {
		sc_error(t, "too many expected events");
		return &t->events[SC_MAX_EVENTS - 1];
	}
	e = &t->events[t->nr_events++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->subject = subject;
	e->parent = parent;
	e->new_parent = SC_NONE;
	return e;
}

void exp_reparent(struct sc_truth *t, int orphan, int old, int new, const char *kind,
		  bool was_zombie, int pdeath)
{
	struct sc_event *e = expect(t, SC_REPARENT, orphan, old);

	e->new_parent = new;
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->flag = was_zombie;
	e->signal = pdeath;
	e->threads_only = !strcmp(kind, "thread");
}

void exp_zombie(struct sc_truth *t, int who, int parent, int exit_code, int sig)
{
	struct sc_event *e = expect(t, SC_ZOMBIE, who, parent);

	e->exit_code = exit_code;
	e->signal = sig;
}

struct sc_event *exp_reap(struct sc_truth *t, int who, int reaper, const char *how)
{
	struct sc_event *e = expect(t, SC_REAP, who, reaper);

	snprintf(e->kind, sizeof(e->kind), "%s", how);
	return e;
}

void exp_subreaper(struct sc_truth *t, int who, bool on)
{
	struct sc_event *e = expect(t, SC_SUBREAPER, who, SC_NONE);

	e->flag = on;
}

/* The runner lets the scenario start (H, or the ns init, calls it once). */
int gate(struct sc_truth *t)
{
	if (put_byte(sc_to_runner, 'g') || wait_byte(sc_from_runner, SYNC_TIMEOUT_MS)) {
		sc_error(t, "runner did not say go");
		return -1;
	}
	return 0;
}

int hold(struct sc_truth *t)
{
	if (put_byte(sc_to_runner, 'h') || wait_byte(sc_from_runner, SYNC_TIMEOUT_MS)) {
		sc_error(t, "runner did not say continue");
		return -1;
	}
	return 0;
}

/*
 * Waits (at most @ms) for a child; checks that it exited with code (>= 0)
 * or was killed by -code.
 */
int reap_child_within(struct sc_truth *t, pid_t pid, int code, const char *who, int ms)
{
	int st, err;

	err = wait_pid_timeout(pid, &st, ms);
	if (err) {
		sc_error(t, "waitpid %s (%d): %s", who, pid, strerror(-err));
		return -1;
	}
	if (code >= 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == code)) {
		sc_error(t, "%s (%d): wait status 0x%x, expected exit %d", who, pid, st, code);
		return -1;
	}
	if (code < 0 && !(WIFSIGNALED(st) && WTERMSIG(st) == -code)) {
		sc_error(t, "%s (%d): wait status 0x%x, expected signal %d", who, pid, st, -code);
		return -1;
	}
	return 0;
}

int reap_child(struct sc_truth *t, pid_t pid, int code, const char *who)
{
	return reap_child_within(t, pid, code, who, STEP_TIMEOUT_MS);
}

/* Reaps what is left (nothing, when the scenario went as designed). */
void reap_rest(struct sc_truth *t)
{
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, __WALL)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			sc_error(t, "pid %d was left for the final reap (status 0x%x)", r, st);
}

/* The kernel's view of pid's parent must be want. */
int check_ppid(struct sc_truth *t, int idx, pid_t want, const char *when)
{
	struct proc_entry e;

	if (proc_stat(t->actors[idx].pid, &e)) {
		sc_error(t, "%s: /proc/%d/stat: %s", when, t->actors[idx].pid, strerror(errno));
		return -1;
	}
	t->actors[idx].ppid_seen = e.ppid;
	if (e.ppid != want) {
		sc_error(t, "%s: ppid of %s (%d) is %d, expected %d", when, t->actors[idx].role,
			 t->actors[idx].pid, e.ppid, want);
		return -1;
	}
	return 0;
}

int check_state(struct sc_truth *t, int idx, char want)
{
	struct proc_entry e;

	if (proc_stat(t->actors[idx].pid, &e) || e.state != want) {
		sc_error(t, "%s (%d) is not in state %c", t->actors[idx].role, t->actors[idx].pid,
			 want);
		return -1;
	}
	return 0;
}

/* H creates a PID namespace; fork() makes its init. 0 in the init. */
pid_t fork_ns_init(struct sc_truth *t)
{
	pid_t i;

	if (unshare(CLONE_NEWPID)) {
		if (errno == EPERM || errno == EINVAL || errno == ENOSPC)
			snprintf(t->skip, sizeof(t->skip), "unshare(CLONE_NEWPID): %s",
				 strerror(errno));
		else
			sc_error(t, "unshare(CLONE_NEWPID): %s", strerror(errno));
		return -1;
	}
	i = fork();
	if (i < 0)
		sc_error(t, "fork of the ns init: %s", strerror(errno));
	return i;
}

/*
 * H waits for the ns init and expects its zombie and reap, and the
 * namespace's teardown by the thread @reaper, which killed @killed.
 */
void finish_ns_init(struct sc_truth *t, int I, pid_t i, int phase, int reaper, int killed)
{
	struct sc_event *e;

	if (reap_child(t, i, 0, "ns init"))
		return;
	exp_zombie(t, I, A_HARNESS, 0, 0);
	t->events[t->nr_events - 1].phase = phase;
	e = exp_reap(t, I, A_HARNESS, "wait4");
	e->phase = phase;
	exp_ns_teardown(t, reaper, killed, phase);
}

/* Namespace inits: signals, teardown, reaper threads */

void exp_init_signal(struct sc_truth *t, int init, int sender, int sig, int code)
{
	struct sc_event *e = expect(t, SC_INIT_SIGNAL_DROPPED, init, sender);

	e->signal = sig;
	e->code = code;
}

void exp_ns_teardown(struct sc_truth *t, int reaper, int killed, int phase)
{
	struct sc_event *e = expect(t, SC_NS_TEARDOWN, reaper, SC_NONE);

	e->count = killed;
	e->phase = phase;
}

void exp_reaper_handoff(struct sc_truth *t, int old, int new)
{
	expect(t, SC_REAPER_HANDOFF, old, SC_NONE)->new_parent = new;
}

/* A SIGCHLD handler that does nothing: the parent is notified and never waits. */
static void ignore_sigchld_note(int sig)
{
}

int set_sigchld_handler(struct sc_truth *t)
{
	struct sigaction sa = { .sa_handler = ignore_sigchld_note, .sa_flags = SA_RESTART };

	if (sigaction(SIGCHLD, &sa, NULL)) {
		sc_error(t, "sigaction(SIGCHLD): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Forks a child (actor idx) that exits with code; waits until it is a zombie, leaves it. */
pid_t fork_zombie(struct sc_truth *t, int idx, const char *role, const char *comm, int code)
{
	siginfo_t si;
	pid_t c;

	c = fork();
	if (c == 0) {
		actor_self(t, idx, role, comm);
		_exit(code);
	}
	if (c < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return -1;
	}
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, c, &si, WEXITED | WNOWAIT) || si.si_pid != c) {
		sc_error(t, "waitid(WNOWAIT) on %s: %s", role, strerror(errno));
		return -1;
	}
	return c;
}

/* Starts @fn as a thread recording itself as actor @idx; waits until it has. */
int start_recording_thread(struct sc_truth *t, int idx, void *(*fn)(void *))
{
	static struct recording_thread rt;
	struct chan c;
	pthread_t th;
	int err;

	if (chan_open(t, &c))
		return -1;
	rt = (struct recording_thread){ .t = t, .idx = idx, .w = c.w };
	err = pthread_create(&th, NULL, fn, &rt);
	if (err)
		sc_error(t, "pthread_create: %s", strerror(err));
	else if (wait_byte(c.r, STEP_TIMEOUT_MS))
		sc_error(t, "the thread did not start");
	/* The thread may still use its end: leave c.w open. */
	xclose(&c.r);
	return err || failed(t) ? -1 : 0;
}

/*
 * Waits (10 s) until the main thread of the caller's process, which exits
 * alone, is a zombie: its exit_notify() ran, its children are another
 * thread's. Its state showing Z is the only sign the kernel gives.
 */
int wait_main_thread_zombie(struct sc_truth *t, pid_t main_tid)
{
	char path[64];
	int spins;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", main_tid);
	for (spins = 0; spins < 10000; spins++) {
		char buf[512];
		FILE *f = fopen(path, "re");

		if (!f) {
			sc_error(t, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (fgets(buf, sizeof(buf), f) && strstr(buf, ") Z ")) {
			fclose(f);
			return 0;
		}
		fclose(f);
		usleep(1000);
	}
	sc_error(t, "the main thread (%d) did not become a zombie", main_tid);
	return -1;
}
