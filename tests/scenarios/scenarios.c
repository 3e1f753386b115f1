// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scenario library: see scenarios.h.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_lib.h"

/* The harness's ends of the runner channel (valid in H and below). */
static int g_to_runner = -1;
static int g_from_runner = -1;

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

static struct sc_event *expect(struct sc_truth *t, int type, int subject, int parent)
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

static void exp_subreaper(struct sc_truth *t, int who, bool on)
{
	struct sc_event *e = expect(t, SC_SUBREAPER, who, SC_NONE);

	e->flag = on;
}

/* The runner lets the scenario start (H, or the ns init, calls it once). */
static int gate(struct sc_truth *t)
{
	if (put_byte(g_to_runner, 'g') || wait_byte(g_from_runner, SYNC_TIMEOUT_MS)) {
		sc_error(t, "runner did not say go");
		return -1;
	}
	return 0;
}

int hold(struct sc_truth *t)
{
	if (put_byte(g_to_runner, 'h') || wait_byte(g_from_runner, SYNC_TIMEOUT_MS)) {
		sc_error(t, "runner did not say continue");
		return -1;
	}
	return 0;
}

/*
 * Waits (at most @ms) for a child; checks that it exited with code (>= 0)
 * or was killed by -code.
 */
static int reap_child_within(struct sc_truth *t, pid_t pid, int code, const char *who, int ms)
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

static int check_state(struct sc_truth *t, int idx, char want)
{
	struct proc_entry e;

	if (proc_stat(t->actors[idx].pid, &e) || e.state != want) {
		sc_error(t, "%s (%d) is not in state %c", t->actors[idx].role, t->actors[idx].pid,
			 want);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scenarios (each one is the body of H, after its gate) */

/*
 * H (subreaper) -> P -> C; P exits: C is adopted by H, kind "subreaper".
 */
static void sc_orphan_subreaper(struct sc_truth *t)
{
	enum { P = 2, C = 3 };
	struct chan rel, rdy, up;
	pid_t p, c;

	if (chan_open(t, &rel) || chan_open(t, &rdy))
		return;
	p = fork();
	if (p == 0) {
		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, P, "parent", "rt-parent");
		if (chan_open(t, &up))
			_exit(1);
		c = fork();
		if (c == 0) {
			xclose(&up.r);
			actor_self(t, C, "orphan", "rt-orphan");
			put_byte(up.w, 'r');
			put_byte(rdy.w, 'r');
			block_on(rel.r);
			_exit(0);
		}
		xclose(&up.w);
		/* C has its name and its truth before it is orphaned. */
		if (c < 0 || wait_byte(up.r, STEP_TIMEOUT_MS))
			sc_error(t, "orphan did not start");
		_exit(0);
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
		sc_error(t, "orphan did not start");
	if (reap_child(t, p, 0, "parent"))
		goto out;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	if (failed(t))
		goto out;
	if (check_ppid(t, C, getpid(), "after the parent exited"))
		goto out;
	exp_reparent(t, C, P, A_HARNESS, "subreaper", false, 0);
	xclose(&rel.w);
	if (reap_child(t, PID(C), 0, "orphan"))
		goto out;
	exp_zombie(t, C, A_HARNESS, 0, 0);
	exp_reap(t, C, A_HARNESS, "wait4");
out:
	chan_close(&rel);
	chan_close(&rdy);
}

/*
 * Two levels of orphaning: H (subreaper) -> A -> B -> X. A exits: H adopts
 * B. B exits: H adopts X. X's origin is then B, and B's is A.
 */
static void sc_origin_chain(struct sc_truth *t)
{
	enum { A = 2, B = 3, X = 4 };
	struct chan rel_b, rel_x, rdy, up;
	pid_t a, b, x;

	if (chan_open(t, &rel_b) || chan_open(t, &rel_x) || chan_open(t, &rdy))
		return;
	a = fork();
	if (a == 0) {
		xclose(&rel_b.w);
		xclose(&rel_x.w);
		xclose(&rdy.r);
		actor_self(t, A, "spawner", "rt-spawner");
		if (chan_open(t, &up))
			_exit(1);
		b = fork();
		if (b == 0) {
			xclose(&up.r);
			actor_self(t, B, "middle", "rt-middle");
			x = fork();
			if (x == 0) {
				xclose(&up.w);
				xclose(&rel_b.r);
				actor_self(t, X, "leaf", "rt-leaf");
				put_byte(rdy.w, 'r');
				block_on(rel_x.r);
				_exit(3);
			}
			xclose(&rel_x.r);
			xclose(&rdy.w);
			/* A exits once X has its truth; B waits for H's word. */
			if (x < 0 || wait_byte(rel_b.r, -1) < 0)
				sc_error(t, "leaf did not start");
			put_byte(up.w, 'r');
			block_on(rel_b.r);
			_exit(2);
		}
		xclose(&up.w);
		if (b < 0 || wait_byte(up.r, STEP_TIMEOUT_MS))
			sc_error(t, "middle did not start");
		_exit(1);
	}
	xclose(&rel_b.r);
	xclose(&rel_x.r);
	xclose(&rdy.w);
	if (a < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
		sc_error(t, "leaf did not start");
	put_byte(rel_b.w, 'g'); /* B: tell A to go */
	if (reap_child(t, a, 1, "spawner"))
		goto out;
	exp_zombie(t, A, A_HARNESS, 1, 0);
	exp_reap(t, A, A_HARNESS, "wait4");
	if (check_ppid(t, B, getpid(), "after the spawner exited"))
		goto out;
	exp_reparent(t, B, A, A_HARNESS, "subreaper", false, 0);

	xclose(&rel_b.w);
	if (reap_child(t, PID(B), 2, "middle"))
		goto out;
	exp_zombie(t, B, A_HARNESS, 2, 0);
	exp_reap(t, B, A_HARNESS, "wait4");
	if (check_ppid(t, X, getpid(), "after the middle exited"))
		goto out;
	exp_reparent(t, X, B, A_HARNESS, "subreaper", false, 0);
	/*
	 * The tracer learns X's origin at B's last context switch, which can
	 * come just after the wait that reaped B: let it pass before X exits,
	 * as any real orphan's later exit would.
	 */
	usleep(100 * 1000);

	xclose(&rel_x.w);
	if (reap_child(t, PID(X), 3, "leaf"))
		goto out;
	exp_zombie(t, X, A_HARNESS, 3, 0);
	exp_reap(t, X, A_HARNESS, "wait4");
out:
	chan_close(&rel_b);
	chan_close(&rel_x);
	chan_close(&rdy);
}

/* H creates a PID namespace; fork() makes its init. 0 in the init. */
static pid_t fork_ns_init(struct sc_truth *t)
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

static void exp_ns_teardown(struct sc_truth *t, int reaper, int killed, int phase);

/*
 * H waits for the ns init and expects its zombie and reap, and the
 * namespace's teardown by the thread @reaper, which killed @killed.
 */
static void finish_ns_init(struct sc_truth *t, int I, pid_t i, int phase, int reaper, int killed)
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

/*
 * The orphans of the namespace: I (init, ns pid 1) -> P -> C1..Cn; P exits:
 * the Cs are adopted by I, kind "ns_init". Used by orphan_ns_init (n = 1)
 * and container (n = 3, a "shell" leaving 3 workers, exit codes 1..3).
 */
static void ns_orphans(struct sc_truth *t, int n, const char *pcomm, const char *ccomm)
{
	enum { I = 2, P = 3, C0 = 4 };
	struct chan rel, rdy;
	pid_t i, p;
	int k;

	i = fork_ns_init(t);
	if (i < 0)
		return;
	if (i > 0) {
		finish_ns_init(t, I, i, 0, I, 0);
		return;
	}
	/* I: the init of the new namespace */
	if (actor_self(t, I, "ns_init", "rt-init"))
		_exit(1);
	if (t->actors[I].ns_pid != 1 || t->actors[I].pidns_level != 1)
		sc_error(t, "ns init has ns pid %d at level %u", t->actors[I].ns_pid,
			 t->actors[I].pidns_level);
	if (gate(t))
		_exit(1);
	if (chan_open(t, &rel) || chan_open(t, &rdy))
		_exit(1);
	p = fork();
	if (p == 0) {
		struct chan up;

		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, P, n > 1 ? "shell" : "parent", pcomm);
		if (chan_open(t, &up))
			_exit(1);
		for (k = 0; k < n; k++) {
			pid_t c = fork();

			if (c == 0) {
				char role[24];

				xclose(&up.r);
				snprintf(role, sizeof(role), n > 1 ? "worker%d" : "orphan", k + 1);
				actor_self(t, C0 + k, role, ccomm);
				put_byte(up.w, 'r');
				put_byte(rdy.w, 'r');
				block_on(rel.r);
				_exit(n > 1 ? k + 1 : 0);
			}
			if (c < 0)
				sc_error(t, "fork: %s", strerror(errno));
		}
		xclose(&up.w);
		/* The Cs have their names and truth before they are orphaned. */
		for (k = 0; k < n; k++)
			if (wait_byte(up.r, STEP_TIMEOUT_MS))
				sc_error(t, "orphan %d did not start", k + 1);
		_exit(0);
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	for (k = 0; k < n; k++)
		if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
			sc_error(t, "orphan %d did not start", k + 1);
	if (reap_child(t, p, 0, "parent"))
		goto out;
	exp_zombie(t, P, I, 0, 0);
	exp_reap(t, P, I, "wait4");
	for (k = 0; k < n && !failed(t); k++) {
		if (check_ppid(t, C0 + k, PID(I), "after the parent exited"))
			goto out;
		if (t->actors[C0 + k].ns_pid <= 1 || t->actors[C0 + k].pidns != t->actors[I].pidns)
			sc_error(t, "orphan %d: ns pid %d, pidns %llu", k + 1,
				 t->actors[C0 + k].ns_pid, t->actors[C0 + k].pidns);
		exp_reparent(t, C0 + k, P, I, "ns_init", false, 0);
	}
	xclose(&rel.w);
	for (k = 0; k < n && !failed(t); k++) {
		/* waitpid() takes the pid as this namespace sees it */
		if (reap_child(t, t->actors[C0 + k].ns_pid, n > 1 ? k + 1 : 0, "orphan"))
			goto out;
		exp_zombie(t, C0 + k, I, n > 1 ? k + 1 : 0, 0);
		exp_reap(t, C0 + k, I, "wait4");
	}
out:
	chan_close(&rel);
	chan_close(&rdy);
	reap_rest(t);
	_exit(failed(t) ? 1 : 0);
}

static void sc_orphan_ns_init(struct sc_truth *t)
{
	ns_orphans(t, 1, "rt-parent", "rt-orphan");
}

static void sc_container(struct sc_truth *t)
{
	ns_orphans(t, 3, "rt-shell", "rt-worker");
}

/*
 * H (subreaper) -> P -> C; C exits with 3 and P does not reap it (waitid
 * WNOWAIT only); P exits: the zombie C is adopted by H (was_zombie) and H
 * reaps it.
 */
static void sc_zombie_orphan(struct sc_truth *t)
{
	enum { P = 2, C = 3 };
	pid_t p;
	int st;

	p = fork();
	if (p == 0) {
		siginfo_t si;
		pid_t c;

		actor_self(t, P, "parent", "rt-parent");
		c = fork();
		if (c == 0) {
			actor_self(t, C, "orphan", "rt-orphan");
			_exit(3);
		}
		if (c < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
		memset(&si, 0, sizeof(si));
		/* Until C is a zombie, without reaping it. */
		if (waitid(P_PID, c, &si, WEXITED | WNOWAIT) || si.si_pid != c ||
		    si.si_code != CLD_EXITED || si.si_status != 3)
			sc_error(t, "waitid(WNOWAIT) on the orphan failed");
		_exit(0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, p, 0, "parent"))
		goto out;
	exp_zombie(t, C, P, 3, 0);
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	if (failed(t) || check_state(t, C, 'Z') ||
	    check_ppid(t, C, getpid(), "after the parent exited"))
		goto out;
	exp_reparent(t, C, P, A_HARNESS, "subreaper", true, 0);
	if (waitpid(PID(C), &st, 0) != PID(C) || !WIFEXITED(st) || WEXITSTATUS(st) != 3) {
		sc_error(t, "reaping the adopted zombie failed");
		goto out;
	}
	exp_reap(t, C, A_HARNESS, "wait4");
out:
	reap_rest(t);
}

/*
 * I (ns init) forks 5 children that exit with 11..15 and never reaps them
 * (waitid WNOWAIT sees each one a zombie). Hold point: all are zombies.
 * Then I exits: the namespace is torn down and the kernel releases them.
 */
static void sc_never_reaping(struct sc_truth *t)
{
	enum { I = 2, K0 = 3, N = 5 };
	pid_t i, k[N];
	int j;

	i = fork_ns_init(t);
	if (i < 0)
		return;
	if (i > 0) {
		/* Zombies are dead already: the teardown kills none. */
		finish_ns_init(t, I, i, 1, I, 0);
		return;
	}
	if (actor_self(t, I, "ns_init", "rt-init") || gate(t))
		_exit(1);
	for (j = 0; j < N; j++) {
		siginfo_t si;

		k[j] = fork();
		if (k[j] == 0) {
			char role[24];

			snprintf(role, sizeof(role), "zombie%d", j + 1);
			actor_self(t, K0 + j, role, "rt-zombie");
			_exit(11 + j);
		}
		if (k[j] < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, k[j], &si, WEXITED | WNOWAIT) || si.si_pid != k[j]) {
			sc_error(t, "waitid(WNOWAIT): %s", strerror(errno));
			_exit(1);
		}
		exp_zombie(t, K0 + j, I, 11 + j, 0);
	}
	for (j = 0; j < N; j++)
		if (check_state(t, K0 + j, 'Z'))
			_exit(1);
	if (hold(t))
		_exit(1);
	/* The kernel (zap_pid_ns_processes) reaps them when I exits. */
	for (j = 0; j < N; j++)
		exp_reap(t, K0 + j, SC_NONE, "auto")->phase = 1;
	_exit(0);
}

/*
 * I (ns init) forks 3 children blocked on a pipe; hold point; I exits: the
 * kernel kills them (SIGKILL) and, I ignoring SIGCHLD while the namespace
 * is torn down, they are released without becoming zombies.
 */
static void sc_ns_init_exit(struct sc_truth *t)
{
	enum { I = 2, W0 = 3, N = 3 };
	struct chan rel, rdy;
	pid_t i;
	int j;

	i = fork_ns_init(t);
	if (i < 0)
		return;
	if (i > 0) {
		finish_ns_init(t, I, i, 1, I, N);
		/* zap_pid_ns_processes() waited for them all. */
		for (j = 0; j < N && !failed(t); j++) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d", PID(W0 + j));
			if (!access(path, F_OK))
				sc_error(t, "worker %d still exists after its ns init",
					 PID(W0 + j));
		}
		return;
	}
	if (actor_self(t, I, "ns_init", "rt-init") || gate(t))
		_exit(1);
	if (chan_open(t, &rel) || chan_open(t, &rdy))
		_exit(1);
	for (j = 0; j < N; j++) {
		pid_t w = fork();

		if (w == 0) {
			char role[24];

			xclose(&rel.w);
			snprintf(role, sizeof(role), "worker%d", j + 1);
			actor_self(t, W0 + j, role, "rt-worker");
			put_byte(rdy.w, 'r');
			for (;;) /* only the kernel's SIGKILL ends it */
				pause();
		}
		if (w < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
	}
	xclose(&rdy.w);
	for (j = 0; j < N; j++)
		if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
			sc_error(t, "worker did not start");
	if (hold(t))
		_exit(1);
	for (j = 0; j < N; j++) {
		struct sc_event *e = exp_reap(t, W0 + j, SC_NONE, "auto");

		e->phase = 1;
		e->optional = true; /* never a zombie: a reap event is optional */
	}
	/*
	 * Exit with rel.w still open: only the kernel's SIGKILL can end the
	 * workers.
	 */
	_exit(0);
}

/*
 * H (subreaper) -> P; P ignores SIGCHLD and forks K, which exits with 5:
 * auto-reaped, no zombie. P's wait4() returns ECHILD once K is gone.
 */
static void sc_sigchld_ignore(struct sc_truth *t)
{
	enum { P = 2, K = 3 };
	struct sc_event *e;
	pid_t p;

	p = fork();
	if (p == 0) {
		pid_t k, r;

		actor_self(t, P, "parent", "rt-ignorer");
		signal(SIGCHLD, SIG_IGN);
		k = fork();
		if (k == 0) {
			actor_self(t, K, "child", "rt-child");
			_exit(5);
		}
		if (k < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
		/* With SIGCHLD ignored, wait blocks until K is released: ECHILD. */
		do
			r = waitpid(-1, NULL, 0);
		while (r < 0 && errno == EINTR);
		if (r != -1 || errno != ECHILD)
			sc_error(t, "waitpid with SIGCHLD ignored returned %d (%s)", r,
				 strerror(errno));
		_exit(0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, p, 0, "parent"))
		return;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	/* K was never a zombie: no zombie event; a reap event only as "auto". */
	e = exp_reap(t, K, SC_NONE, "auto");
	e->optional = true;
}

/*
 * H -> S (subreaper, SIGCHLD ignored) -> P -> C; C exits with 3 and stays a
 * zombie (P waits with WNOWAIT only); P exits: S adopts the zombie C and,
 * ignoring SIGCHLD, the kernel releases it at once (reap "auto"). P itself
 * is auto-reaped and never a zombie.
 */
static void sc_zombie_to_ignorer(struct sc_truth *t)
{
	enum { S = 2, P = 3, C = 4 };
	pid_t s;

	s = fork();
	if (s == 0) {
		char path[64];
		pid_t p, r;

		actor_self(t, S, "ignorer", "rt-ignorer");
		if (prctl(PR_SET_CHILD_SUBREAPER, 1))
			sc_error(t, "prctl: %s", strerror(errno));
		signal(SIGCHLD, SIG_IGN);
		p = fork();
		if (p == 0) {
			siginfo_t si;
			pid_t c;

			actor_self(t, P, "parent", "rt-parent");
			signal(SIGCHLD, SIG_DFL); /* P's own children do not auto-reap */
			c = fork();
			if (c == 0) {
				actor_self(t, C, "orphan", "rt-orphan");
				_exit(3);
			}
			memset(&si, 0, sizeof(si));
			if (c < 0 || waitid(P_PID, c, &si, WEXITED | WNOWAIT) || si.si_pid != c)
				sc_error(t, "waitid(WNOWAIT) on the orphan failed");
			_exit(0);
		}
		if (p < 0)
			_exit(1);
		/* With SIGCHLD ignored: returns ECHILD once P and C are released. */
		do
			r = waitpid(-1, NULL, 0);
		while (r < 0 && errno == EINTR);
		if (r != -1 || errno != ECHILD)
			sc_error(t, "waitpid with SIGCHLD ignored returned %d", r);
		/*
		 * P's exit_notify() releases C after P is EXIT_DEAD (what ends
		 * our wait): C's /proc entry may outlive the wait briefly.
		 */
		snprintf(path, sizeof(path), "/proc/%d", PID(C));
		if (!PID(C) || !wait_path_gone(path, 5000))
			sc_error(t, "the adopted zombie was not released");
		_exit(failed(t) ? 1 : 0);
	}
	if (s < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, s, 0, "ignorer"))
		return;
	exp_subreaper(t, S, true);
	exp_zombie(t, C, P, 3, 0);
	exp_reparent(t, C, P, S, "subreaper", true, 0);
	exp_reap(t, C, SC_NONE, "auto");
	exp_reap(t, P, SC_NONE, "auto")->optional = true;
	exp_zombie(t, S, A_HARNESS, 0, 0);
	exp_reap(t, S, A_HARNESS, "wait4");
}

struct thread_arg {
	struct sc_truth *t;
	int rel_r, rel_w;
	int rdy_r, rdy_w;
};

enum { TH_P = 2, TH_T = 3, TH_C = 4 };

/*
 * Forks the orphan-to-be, actor @idx: it closes @rel_w (the caller's end),
 * says ready on @rdy_w and exits 0 once @rel_r reads end of file. Its pid,
 * or -1.
 */
static pid_t fork_held_orphan(struct sc_truth *t, int idx, int rel_r, int rel_w, int rdy_w)
{
	pid_t c = fork();

	if (c == 0) {
		close(rel_w);
		actor_self(t, idx, "orphan", "rt-orphan");
		put_byte(rdy_w, 'r');
		block_on(rel_r);
		_exit(0);
	}
	return c;
}

static void *forking_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct sc_truth *t = ta->t;
	pid_t c;

	actor_self(t, TH_T, "thread", "rt-thread");
	c = fork_held_orphan(t, TH_C, ta->rel_r, ta->rel_w, ta->rdy_w);
	if (c < 0)
		sc_error(t, "fork in thread: %s", strerror(errno));
	else if (wait_byte(ta->rdy_r, STEP_TIMEOUT_MS))
		sc_error(t, "orphan did not start");
	return NULL; /* the thread exits; its child goes to the main thread */
}

/*
 * H (subreaper) -> P; a second thread T of P forks C and exits while P
 * lives: C is handed to P's main thread (kind "thread": same tgid, other
 * tid). P then releases and reaps C.
 */
static void sc_thread_handoff(struct sc_truth *t)
{
	pid_t p;

	p = fork();
	if (p == 0) {
		struct thread_arg ta = { .t = t };
		struct chan rel, rdy;
		char path[64];
		pthread_t th;
		int err;

		actor_self(t, TH_P, "parent", "rt-parent");
		if (chan_open(t, &rel) || chan_open(t, &rdy))
			_exit(1);
		ta.rel_r = rel.r;
		ta.rel_w = rel.w;
		ta.rdy_r = rdy.r;
		ta.rdy_w = rdy.w;
		err = pthread_create(&th, NULL, forking_thread, &ta);
		if (err) {
			sc_error(t, "pthread_create: %s", strerror(err));
			_exit(1);
		}
		pthread_join(th, NULL);
		if (failed(t))
			goto out;
		/*
		 * join returns at the thread's CLONE_CHILD_CLEARTID, before its
		 * exit_notify(); its /proc entry goes only when it is released,
		 * after its children moved. The kernel gives no other signal.
		 */
		snprintf(path, sizeof(path), "/proc/%d/task/%d", PID(TH_P), t->actors[TH_T].tid);
		if (!wait_path_gone(path, 10000)) {
			sc_error(t, "the forking thread did not go away");
			goto out;
		}
		if (check_ppid(t, TH_C, PID(TH_P), "after the thread exited"))
			goto out;
		xclose(&rel.w);
		if (reap_child(t, PID(TH_C), 0, "orphan"))
			goto out;
out:
		chan_close(&rel);
		chan_close(&rdy);
		reap_rest(t);
		_exit(failed(t) ? 1 : 0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, p, 0, "parent"))
		return;
	exp_reparent(t, TH_C, TH_T, TH_P, "thread", false, 0);
	exp_zombie(t, TH_C, TH_P, 0, 0);
	exp_reap(t, TH_C, TH_P, "wait4");
	exp_zombie(t, TH_P, A_HARNESS, 0, 0);
	exp_reap(t, TH_P, A_HARNESS, "wait4");
}

/*
 * H (subreaper) -> S1 (subreaper) -> S2 (subreaper) -> P -> C.
 * P exits: C goes to S2 (the nearest). S2 exits: C goes to S1.
 */
static void sc_nested_subreapers(struct sc_truth *t)
{
	enum { S1 = 2, S2 = 3, P = 4, C = 5 };
	pid_t s1;

	s1 = fork();
	if (s1 == 0) {
		struct chan rel, rdy;
		pid_t s2;

		actor_self(t, S1, "subreaper1", "rt-sub1");
		if (prctl(PR_SET_CHILD_SUBREAPER, 1))
			sc_error(t, "prctl: %s", strerror(errno));
		if (chan_open(t, &rel) || chan_open(t, &rdy))
			_exit(1);
		s2 = fork();
		if (s2 == 0) {
			pid_t p;

			xclose(&rel.w);
			xclose(&rdy.r);
			actor_self(t, S2, "subreaper2", "rt-sub2");
			if (prctl(PR_SET_CHILD_SUBREAPER, 1))
				sc_error(t, "prctl: %s", strerror(errno));
			p = fork();
			if (p == 0) {
				struct chan up;

				actor_self(t, P, "parent", "rt-parent");
				if (chan_open(t, &up))
					_exit(1);
				if (fork() == 0) {
					xclose(&up.r);
					actor_self(t, C, "orphan", "rt-orphan");
					put_byte(up.w, 'r');
					put_byte(rdy.w, 'r');
					block_on(rel.r);
					_exit(0);
				}
				xclose(&up.w);
				if (wait_byte(up.r, STEP_TIMEOUT_MS))
					sc_error(t, "the orphan did not start");
				_exit(0);
			}
			if (p < 0)
				_exit(1);
			if (reap_child(t, p, 0, "parent") || failed(t))
				_exit(1);
			check_ppid(t, C, getpid(), "after the parent exited");
			_exit(failed(t) ? 1 : 0);
		}
		xclose(&rdy.w);
		/* The orphan is alive and recorded; S2 is still there. */
		if (s2 < 0 || wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
			sc_error(t, "the orphan did not start");
			goto out1;
		}
		if (reap_child(t, s2, 0, "subreaper2"))
			goto out1;
		check_ppid(t, C, getpid(), "after subreaper2 exited");
		xclose(&rel.w);
		reap_child(t, PID(C), 0, "orphan");
out1:
		chan_close(&rel);
		chan_close(&rdy);
		reap_rest(t);
		_exit(failed(t) ? 1 : 0);
	}
	if (s1 < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, s1, 0, "subreaper1"))
		return;
	if (!PID(C)) {
		sc_error(t, "the orphan never recorded itself");
		return;
	}
	exp_subreaper(t, S1, true);
	exp_subreaper(t, S2, true);
	exp_zombie(t, P, S2, 0, 0);
	exp_reap(t, P, S2, "wait4");
	exp_reparent(t, C, P, S2, "subreaper", false, 0);
	exp_zombie(t, S2, S1, 0, 0);
	exp_reap(t, S2, S1, "wait4");
	exp_reparent(t, C, S2, S1, "subreaper", false, 0);
	exp_zombie(t, C, S1, 0, 0);
	exp_reap(t, C, S1, "wait4");
	exp_zombie(t, S1, A_HARNESS, 0, 0);
	exp_reap(t, S1, A_HARNESS, "wait4");
}

/*
 * H (subreaper) reaps four children: exit(7) by wait4, SIGKILL by wait4,
 * exit(42) by waitid, SIGTERM by waitid.
 */
static void sc_exit_codes(struct sc_truth *t)
{
	static const struct {
		const char *role;
		int code; /* >= 0 exit code, < 0 killed by -code */
		bool waitid;
	} kids[] = {
		{ "exit7", 7, false },
		{ "sigkill", -SIGKILL, false },
		{ "exit42", 42, true },
		{ "sigterm", -SIGTERM, true },
	};
	enum { K0 = 2 };
	struct chan rel, rdy;
	unsigned int j;

	if (chan_open(t, &rel) || chan_open(t, &rdy))
		return;
	for (j = 0; j < sizeof(kids) / sizeof(kids[0]) && !failed(t); j++) {
		siginfo_t si;
		pid_t k = fork();
		int st;

		if (k == 0) {
			xclose(&rel.w);
			/*
			 * exit7 has a hostile name: a quote, a backslash, a
			 * control byte, é in UTF-8 and a byte that is no UTF-8;
			 * its JSON must still parse and decode to it.
			 */
			actor_self(t, K0 + j, kids[j].role,
				   j ? "rt-exiter" : "rt\"\\\x01\xc3\xa9\xff-x");
			if (kids[j].code >= 0)
				_exit(kids[j].code);
			put_byte(rdy.w, 'r');
			block_on(rel.r);
			_exit(0);
		}
		if (k < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			break;
		}
		if (kids[j].code < 0) {
			if (wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
				sc_error(t, "%s did not start", kids[j].role);
				break;
			}
			kill(k, -kids[j].code);
		}
		if (kids[j].waitid) {
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, k, &si, WEXITED) || si.si_pid != k ||
			    si.si_code != (kids[j].code >= 0 ? CLD_EXITED : CLD_KILLED) ||
			    si.si_status != (kids[j].code >= 0 ? kids[j].code : -kids[j].code)) {
				sc_error(t, "waitid for %s: code %d status %d", kids[j].role,
					 si.si_code, si.si_status);
				break;
			}
		} else {
			if (waitpid(k, &st, 0) != k ||
			    (kids[j].code >= 0 ?
				     !WIFEXITED(st) || WEXITSTATUS(st) != kids[j].code :
				     !WIFSIGNALED(st) || WTERMSIG(st) != -kids[j].code)) {
				sc_error(t, "waitpid for %s: status 0x%x", kids[j].role, st);
				break;
			}
		}
		exp_zombie(t, K0 + j, A_HARNESS, kids[j].code >= 0 ? kids[j].code : -1,
			   kids[j].code >= 0 ? 0 : -kids[j].code);
		exp_reap(t, K0 + j, A_HARNESS, kids[j].waitid ? "waitid" : "wait4");
	}
	chan_close(&rel);
	chan_close(&rdy);
	reap_rest(t);
}

/*
 * H -> C. C stops itself; H's wait4(WUNTRACED) returns it stopped, and after
 * a SIGCONT wait4(WCONTINUED) returns it continued: neither is a reap. C
 * then exits 5, and H's third wait4 reaps it.
 */
static void sc_stop_continue(struct sc_truth *t)
{
	enum { C = 2 };
	struct chan rel;
	int st = 0;
	pid_t c;

	if (chan_open(t, &rel))
		return;
	c = fork();
	if (c == 0) {
		xclose(&rel.w);
		actor_self(t, C, "stopper", "rt-stopper");
		raise(SIGSTOP);
		block_on(rel.r);
		_exit(5);
	}
	if (c < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st)) {
		sc_error(t, "wait4(WUNTRACED): status 0x%x, not stopped", st);
		goto out;
	}
	kill(c, SIGCONT);
	if (waitpid(c, &st, WCONTINUED) != c || !WIFCONTINUED(st)) {
		sc_error(t, "wait4(WCONTINUED): status 0x%x, not continued", st);
		goto out;
	}
	xclose(&rel.w);
	if (reap_child(t, c, 5, "stopper"))
		goto out;
	exp_zombie(t, C, A_HARNESS, 5, 0);
	exp_reap(t, C, A_HARNESS, "wait4");
out:
	chan_close(&rel);
	reap_rest(t);
}

/* H -> S; S sets PR_SET_CHILD_SUBREAPER, then clears it, and exits. */
static void sc_subreaper_toggle(struct sc_truth *t)
{
	enum { S = 2 };
	pid_t s;

	s = fork();
	if (s == 0) {
		int on = -1;

		actor_self(t, S, "toggler", "rt-toggle");
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) || prctl(PR_GET_CHILD_SUBREAPER, &on) ||
		    on != 1)
			sc_error(t, "PR_SET_CHILD_SUBREAPER 1 failed");
		if (prctl(PR_SET_CHILD_SUBREAPER, 0) || prctl(PR_GET_CHILD_SUBREAPER, &on) ||
		    on != 0)
			sc_error(t, "PR_SET_CHILD_SUBREAPER 0 failed");
		_exit(0);
	}
	if (s < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, s, 0, "toggler"))
		return;
	exp_subreaper(t, S, true);
	exp_subreaper(t, S, false);
	exp_zombie(t, S, A_HARNESS, 0, 0);
	exp_reap(t, S, A_HARNESS, "wait4");
}

/*
 * H (subreaper) -> P -> C; C has PR_SET_PDEATHSIG(SIGTERM). P exits: C is
 * adopted by H, is sent SIGTERM, dies of it and H reaps it.
 */
static void sc_pdeathsig(struct sc_truth *t)
{
	enum { P = 2, C = 3 };
	pid_t p;

	p = fork();
	if (p == 0) {
		struct chan rdy;
		pid_t c;

		actor_self(t, P, "parent", "rt-parent");
		if (chan_open(t, &rdy))
			_exit(1);
		c = fork();
		if (c == 0) {
			actor_self(t, C, "orphan", "rt-orphan");
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != PID(P))
				sc_error(t, "PR_SET_PDEATHSIG failed");
			put_byte(rdy.w, 'r');
			for (;;) /* until the parent-death SIGTERM */
				pause();
		}
		if (c < 0 || wait_byte(rdy.r, STEP_TIMEOUT_MS))
			sc_error(t, "orphan did not start");
		_exit(0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, p, 0, "parent"))
		goto out;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	if (failed(t))
		goto out;
	/* Alive or already dead of SIGTERM, it is ours now. */
	if (check_ppid(t, C, getpid(), "after the parent exited"))
		goto out;
	exp_reparent(t, C, P, A_HARNESS, "subreaper", false, SIGTERM);
	if (reap_child(t, PID(C), -SIGTERM, "orphan"))
		goto out;
	exp_zombie(t, C, A_HARNESS, -1, SIGTERM);
	exp_reap(t, C, A_HARNESS, "wait4");
out:
	reap_rest(t);
}

#define STORM_REPARENT 20000
#define STORM_CYCLES   50000
/* The storm parent forks them all in one step: give it the test's own time. */
#define STORM_STEP_TIMEOUT_MS (1800 * 1000)

long sc_storm_scale(void)
{
	const char *s = getenv("RT_STORM_SCALE");
	long n = s ? atol(s) : 1;

	return n > 1 ? n : 1;
}

long sc_storm_nr_orphans(void)
{
	return STORM_REPARENT / sc_storm_scale();
}

long sc_storm_nr_cycles(void)
{
	return STORM_CYCLES / sc_storm_scale();
}

/*
 * H (subreaper) -> P -> 20,000 children, all blocked on one pipe; P exits
 * at once: all are adopted by H in one exit. H releases and reaps them.
 */
static void sc_storm_reparent(struct sc_truth *t)
{
	enum { P = 2 };
	struct chan rel;
	char why[256];
	pid_t p;
	long j;
	int st;

	if (sc_can_fork(sc_storm_nr_orphans() + 16, why, sizeof(why))) {
		snprintf(t->skip, sizeof(t->skip), "%s", why);
		return;
	}
	if (chan_open(t, &rel))
		return;
	t->bulk_parent = P;
	t->bulk_adopter = A_HARNESS;
	p = fork();
	if (p == 0) {
		xclose(&rel.w);
		actor_self(t, P, "storm parent", "rt-storm");
		for (j = 0; j < sc_storm_nr_orphans(); j++) {
			pid_t k = fork();

			if (k == 0) {
				prctl(PR_SET_NAME, "rt-storm-kid");
				block_on(rel.r);
				_exit(0);
			}
			if (k < 0) {
				sc_error(t, "fork %ld: %s", j, strerror(errno));
				break;
			}
			t->bulk[t->nr_bulk++] = k;
		}
		_exit(0);
	}
	xclose(&rel.r);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (reap_child_within(t, p, 0, "storm parent", STORM_STEP_TIMEOUT_MS))
		goto out;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	for (j = 0; j < t->nr_bulk; j++) {
		struct proc_entry e;

		if (!proc_stat(t->bulk[j], &e) && e.ppid == getpid())
			t->nr_adopted_seen++;
	}
	if (t->nr_adopted_seen != t->nr_bulk)
		sc_error(t, "%ld of %ld children show the harness as ppid", t->nr_adopted_seen,
			 t->nr_bulk);
out:
	xclose(&rel.w);
	while ((p = waitpid(-1, &st, 0)) > 0 || (p < 0 && errno == EINTR))
		if (p > 0)
			t->nr_reaped++;
	if (!failed(t) && t->nr_reaped != sc_storm_nr_orphans())
		sc_error(t, "reaped %ld children, expected %ld", t->nr_reaped,
			 sc_storm_nr_orphans());
}

/* H (subreaper) -> W; W does 50,000 times: fork, child _exit(0), waitpid. */
static void sc_storm_cycles(struct sc_truth *t)
{
	enum { W = 2 };
	char why[256];
	pid_t w;

	if (sc_can_fork(64, why, sizeof(why))) {
		snprintf(t->skip, sizeof(t->skip), "%s", why);
		return;
	}
	t->bulk_parent = W;
	w = fork();
	if (w == 0) {
		long j;

		actor_self(t, W, "cycler", "rt-cycler");
		for (j = 0; j < sc_storm_nr_cycles(); j++) {
			pid_t k = fork();
			int st;

			if (k == 0)
				_exit(0);
			if (k < 0) {
				sc_error(t, "fork %ld: %s", j, strerror(errno));
				break;
			}
			t->bulk[t->nr_bulk++] = k;
			if (waitpid(k, &st, 0) != k || !WIFEXITED(st) || WEXITSTATUS(st)) {
				sc_error(t, "cycle %ld: wait failed", j);
				break;
			}
			t->nr_reaped++;
		}
		_exit(0);
	}
	if (w < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child_within(t, w, 0, "cycler", STORM_STEP_TIMEOUT_MS))
		return;
	if (!failed(t) && t->nr_reaped != sc_storm_nr_cycles())
		sc_error(t, "%ld cycles, expected %ld", t->nr_reaped, sc_storm_nr_cycles());
	exp_zombie(t, W, A_HARNESS, 0, 0);
	exp_reap(t, W, A_HARNESS, "wait4");
}

/* ------------------------------------------------------------------ */
/* Namespace inits: signals, teardown, reaper threads */

static void exp_init_signal(struct sc_truth *t, int init, int sender, int sig, int code)
{
	struct sc_event *e = expect(t, SC_INIT_SIGNAL_DROPPED, init, sender);

	e->signal = sig;
	e->code = code;
}

static void exp_ns_teardown(struct sc_truth *t, int reaper, int killed, int phase)
{
	struct sc_event *e = expect(t, SC_NS_TEARDOWN, reaper, SC_NONE);

	e->count = killed;
	e->phase = phase;
}

static void exp_reaper_handoff(struct sc_truth *t, int old, int new)
{
	expect(t, SC_REAPER_HANDOFF, old, SC_NONE)->new_parent = new;
}

/* Whether signal sig is pending for the calling process (or thread). */
static bool sig_pending(int sig)
{
	static const char *const keys[] = { "SigPnd:", "ShdPnd:" };
	unsigned long long mask;
	char line[256];
	bool found = false;
	unsigned int k;
	FILE *f;

	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		for (k = 0; k < 2; k++)
			if (!strncmp(line, keys[k], strlen(keys[k])) &&
			    sscanf(line + strlen(keys[k]), "%llx", &mask) == 1 &&
			    (mask & (1ULL << (sig - 1))))
				found = true;
	fclose(f);
	return found;
}

static volatile sig_atomic_t g_caught;

static void on_signal(int sig)
{
	(void)sig;
	g_caught++;
}

/*
 * The init I of the signal scenarios. SIGTERM: default (handled, with a
 * handler); SIGHUP: ignored; SIGUSR1: a handler. Tells H it is ready on
 * @rdy, waits for H's signals and "go" on @go; then (no handler) has its
 * child C send it SIGKILL, which the kernel drops too: sent from inside
 * the namespace, it is not forced.
 */
static void signals_init(struct sc_truth *t, bool handler, int rdy, int go)
{
	enum { I = 2, C = 4 };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct chan crel;
	pid_t c;

	if (actor_self(t, I, "ns_init", "rt-init") || gate(t))
		_exit(1);
	/*
	 * One handler must not run inside the other: g_caught++ is a load and
	 * a store, and a SIGUSR1 taken between them (the harness sends it
	 * while the init may already be in its SIGTERM handler) lost a count.
	 */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGUSR1);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_IGN);
	if (sigaction(SIGUSR1, &sa, NULL) || (handler && sigaction(SIGTERM, &sa, NULL))) {
		sc_error(t, "sigaction: %s", strerror(errno));
		_exit(1);
	}
	if (put_byte(rdy, 'r') || wait_byte(go, STEP_TIMEOUT_MS)) {
		sc_error(t, "harness did not send its signals");
		_exit(1);
	}
	/* kill() had returned before "go" was written: all were handled by now. */
	if (g_caught != (handler ? 2 : 1))
		sc_error(t, "the init caught %d signals, expected %d", (int)g_caught,
			 handler ? 2 : 1);
	if (sig_pending(SIGTERM) || sig_pending(SIGHUP))
		sc_error(t, "SIGTERM or SIGHUP is pending in the init");
	if (handler || failed(t))
		_exit(failed(t) ? 1 : 0);

	if (chan_open(t, &crel))
		_exit(1);
	c = fork();
	if (c == 0) {
		xclose(&crel.w);
		actor_self(t, C, "child", "rt-child");
		/* Wait until the init has read our truth (it closes crel.w after). */
		block_on(crel.r);
		if (kill(1, SIGKILL))
			sc_error(t, "kill(1, SIGKILL): %s", strerror(errno));
		_exit(0);
	}
	xclose(&crel.r);
	if (c < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		_exit(1);
	}
	xclose(&crel.w);
	if (reap_child(t, c, 0, "child"))
		_exit(1);
	/* Still here: the SIGKILL was dropped, not queued. */
	if (sig_pending(SIGKILL))
		sc_error(t, "SIGKILL is pending in the init");
	exp_init_signal(t, I, C, SIGKILL, SI_USER);
	exp_zombie(t, C, I, 0, 0);
	exp_reap(t, C, I, "wait4");
	_exit(failed(t) ? 1 : 0);
}

/*
 * H -> I (PID 1 of a new namespace). H sends I SIGTERM, SIGHUP (ignored),
 * SIGUSR1 (handled), SIGCHLD (ignored by default); and SIGTERM to an
 * ordinary process N of its own that ignores it. Without a SIGTERM handler
 * only I's SIGTERM is dropped, then the SIGKILL of I's child C; with a
 * handler, nothing is.
 */
static void init_signals(struct sc_truth *t, bool handler)
{
	enum { I = 2, N = 3 };
	struct chan rdy, go, nrdy, nrel;
	pid_t i = -1, n;

	if (chan_open(t, &rdy) || chan_open(t, &go) || chan_open(t, &nrdy) || chan_open(t, &nrel))
		return;
	/* N first: after unshare(), H's children are born in the new namespace. */
	n = fork();
	if (n == 0) {
		xclose(&nrdy.r);
		xclose(&nrel.w);
		signal(SIGTERM, SIG_IGN);
		actor_self(t, N, "ignorer", "rt-ignorer");
		put_byte(nrdy.w, 'r');
		block_on(nrel.r);
		_exit(0);
	}
	xclose(&nrdy.w);
	xclose(&nrel.r);
	if (n < 0 || wait_byte(nrdy.r, STEP_TIMEOUT_MS)) {
		sc_error(t, "the ignorer did not start");
		goto out;
	}
	i = fork_ns_init(t);
	if (i == 0) {
		xclose(&rdy.r);
		xclose(&go.w);
		chan_close(&nrdy);
		chan_close(&nrel);
		signals_init(t, handler, rdy.w, go.r);
		_exit(1);
	}
	xclose(&rdy.w);
	xclose(&go.r);
	if (i < 0)
		goto out;
	if (wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
		sc_error(t, "the init did not get ready");
		goto out;
	}
	if (kill(i, SIGTERM) || kill(i, SIGHUP) || kill(i, SIGUSR1) || kill(i, SIGCHLD)) {
		sc_error(t, "kill: %s", strerror(errno));
		goto out;
	}
	if (!handler)
		exp_init_signal(t, I, A_HARNESS, SIGTERM, SI_USER);
	/* An ordinary process that ignores SIGTERM: not a drop. */
	if (kill(n, SIGTERM)) {
		sc_error(t, "kill: %s", strerror(errno));
		goto out;
	}
	xclose(&nrel.w);
	if (reap_child(t, n, 0, "ignorer"))
		goto out;
	n = -1;
	exp_zombie(t, N, A_HARNESS, 0, 0);
	exp_reap(t, N, A_HARNESS, "wait4");
	put_byte(go.w, 'g');
	finish_ns_init(t, I, i, 0, I, 0);
	i = -1;
out:
	chan_close(&rdy);
	chan_close(&go);
	chan_close(&nrdy);
	chan_close(&nrel);
	if (n > 0)
		reap_child(t, n, 0, "ignorer");
	if (i > 0)
		reap_child(t, i, 0, "ns init");
}

static void sc_init_sigdrop(struct sc_truth *t)
{
	init_signals(t, false);
}

static void sc_init_sighandled(struct sc_truth *t)
{
	init_signals(t, true);
}

/* ns_teardown: what the init leaves (actor indexes) */
enum { TD_I = 2, TD_C1, TD_G1, TD_G2, TD_G3, TD_C2, TD_C2T, TD_C3, TD_Z, TD_KILLED = 6 };

/* A thread that records itself as actor @idx, then says so on @w. */
struct recording_thread {
	struct sc_truth *t;
	int idx;
	int w;
};

static void *teardown_thread(void *arg)
{
	struct recording_thread *rt = arg;

	actor_self(rt->t, rt->idx, "thread", "rt-thread");
	put_byte(rt->w, 'r');
	for (;;)
		pause();
	return NULL;
}

/* Starts @fn as a thread recording itself as actor @idx; waits until it has. */
static int start_recording_thread(struct sc_truth *t, int idx, void *(*fn)(void *))
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

/* Says ready on @rdy, then waits for the kernel's SIGKILL, the only way out. */
static void __attribute__((noreturn)) ready_to_die(int rdy)
{
	put_byte(rdy, 'r');
	for (;;)
		pause();
}

/* A live process of the teardown scenario: records itself, forks its own, waits to be killed. */
static void teardown_proc(struct sc_truth *t, int idx, const char *role, const int *kids,
			  int nr_kids, int rdy)
{
	int k;

	actor_self(t, idx, role, "rt-child");
	for (k = 0; k < nr_kids; k++) {
		pid_t g = fork();

		if (g == 0) {
			char grole[24];

			snprintf(grole, sizeof(grole), "grandchild%d", kids[k] - TD_G1 + 1);
			actor_self(t, kids[k], grole, "rt-grandchild");
			ready_to_die(rdy);
		}
		if (g < 0)
			sc_error(t, "fork: %s", strerror(errno));
	}
	/* The thread records itself before its process says ready for both. */
	if (idx == TD_C2)
		start_recording_thread(t, TD_C2T, teardown_thread);
	ready_to_die(rdy);
}

/*
 * H -> I (ns init) -> C1 (-> G1, G2), C2 (two threads), C3 (-> G3), and Z,
 * a zombie I does not reap. H kills I with SIGKILL: the kernel tears the
 * namespace down and kills the 6 live processes (not Z, already dead).
 */
static void sc_ns_teardown(struct sc_truth *t)
{
	static const int c1_kids[] = { TD_G1, TD_G2 }, c3_kids[] = { TD_G3 };
	struct chan rdy, done;
	pid_t i;
	int j;

	if (chan_open(t, &done))
		return;
	i = fork_ns_init(t);
	if (i == 0) {
		siginfo_t si;
		pid_t z;

		xclose(&done.r);
		if (actor_self(t, TD_I, "ns_init", "rt-init") || gate(t) || chan_open(t, &rdy))
			_exit(1);
		if (!fork()) {
			teardown_proc(t, TD_C1, "child1", c1_kids, 2, rdy.w);
			_exit(1);
		}
		if (!fork()) {
			teardown_proc(t, TD_C2, "child2", NULL, 0, rdy.w);
			_exit(1);
		}
		if (!fork()) {
			teardown_proc(t, TD_C3, "child3", c3_kids, 1, rdy.w);
			_exit(1);
		}
		xclose(&rdy.w);
		for (j = 0; j < TD_KILLED; j++)
			if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
				sc_error(t, "a process of the namespace did not start");
		z = fork();
		if (z == 0) {
			actor_self(t, TD_Z, "zombie", "rt-zombie");
			_exit(0);
		}
		memset(&si, 0, sizeof(si));
		if (z < 0 || waitid(P_PID, z, &si, WEXITED | WNOWAIT))
			sc_error(t, "zombie: %s", strerror(errno));
		exp_zombie(t, TD_Z, TD_I, 0, 0);
		/* The six are alive (in pause(), or about to be); Z is a zombie. */
		for (j = TD_C1; j < TD_Z && !failed(t); j++) {
			struct proc_entry pe;

			if (proc_stat(PID(j), &pe) || pe.state == 'Z' || pe.state == 'X')
				sc_error(t, "%s (%d) is not alive", t->actors[j].role, PID(j));
		}
		if (!failed(t))
			check_state(t, TD_Z, 'Z');
		put_byte(done.w, failed(t) ? 'e' : 'r');
		for (;;) /* H kills it */
			pause();
	}
	xclose(&done.w);
	if (i < 0)
		goto out;
	if (wait_byte(done.r, STEP_TIMEOUT_MS) || failed(t)) {
		sc_error(t, "the namespace did not get ready");
		kill(i, SIGKILL);
		reap_child(t, i, -SIGKILL, "ns init");
		goto out;
	}
	if (kill(i, SIGKILL)) {
		sc_error(t, "kill: %s", strerror(errno));
		goto out;
	}
	if (reap_child(t, i, -SIGKILL, "ns init"))
		goto out;
	exp_zombie(t, TD_I, A_HARNESS, -1, SIGKILL);
	exp_reap(t, TD_I, A_HARNESS, "wait4");
	exp_ns_teardown(t, TD_I, TD_KILLED, 0);
	/* zap_pid_ns_processes() waited for them all. */
	for (j = TD_C1; j <= TD_Z && !failed(t); j++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", PID(j));
		if (!access(path, F_OK))
			sc_error(t, "%s (%d) still exists after its ns init", t->actors[j].role,
				 PID(j));
	}
out:
	chan_close(&done);
}

/*
 * Waits (10 s) until the main thread of the caller's process, which exits
 * alone, is a zombie: its exit_notify() ran, its children are another
 * thread's. Its state showing Z is the only sign the kernel gives.
 */
static int wait_main_thread_zombie(struct sc_truth *t, pid_t main_tid)
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

/* init_reaper_handoff: the second thread of the init */
static void *second_reaper(void *arg)
{
	struct recording_thread *rt = arg;
	struct sc_truth *t = rt->t;

	actor_self(t, rt->idx, "reaper2", "rt-reaper2");
	put_byte(rt->w, 'r');
	/* The main thread exits once we are recorded: the child_reaper role is ours. */
	wait_main_thread_zombie(t, t->actors[2].tid);
	/* exit_group(): the namespace goes down with us, its child_reaper. */
	_exit(failed(t) ? 1 : 0);
}

/*
 * H -> I, PID 1 of a new namespace, with a second thread T. I's main
 * thread (the namespace's child_reaper) exits alone: T takes the role over
 * (reaper_handoff). T then ends the process: the namespace is torn down
 * from T.
 */
static void sc_init_reaper_handoff(struct sc_truth *t)
{
	enum { I = 2, T = 3 };
	pid_t i;

	i = fork_ns_init(t);
	if (i < 0)
		return;
	if (i > 0) {
		finish_ns_init(t, I, i, 0, T, 0);
		if (!failed(t))
			exp_reaper_handoff(t, I, T);
		return;
	}
	if (actor_self(t, I, "ns_init", "rt-init") || gate(t))
		_exit(1);
	if (start_recording_thread(t, T, second_reaper))
		_exit(1);
	pthread_exit(NULL);
}

/* leader_exits_first: P's thread T outlives P's main thread */
enum { LF_P = 2, LF_T = 3, LF_C = 4 };
static int lf_release_w = -1; /* closed by T: C's signal to exit */

static void *outliving_thread(void *arg)
{
	struct recording_thread *rt = arg;
	struct sc_truth *t = rt->t;

	actor_self(t, rt->idx, "thread", "rt-thread");
	put_byte(rt->w, 'r');
	if (wait_main_thread_zombie(t, PID(LF_P)) ||
	    check_ppid(t, LF_C, PID(LF_P), "after the main thread exited") || hold(t))
		_exit(1);
	xclose(&lf_release_w);
	if (reap_child(t, PID(LF_C), 0, "orphan"))
		_exit(1);
	exp_zombie(t, LF_C, LF_T, 0, 0);
	t->events[t->nr_events - 1].phase = 1;
	exp_reap(t, LF_C, LF_T, "wait4")->phase = 1;
	/* The last thread: the main thread's notification goes out now. */
	_exit(failed(t) ? 1 : 0);
}

/*
 * H (subreaper) -> P -> C. P's main thread exits alone (pthread_exit) while
 * its thread T lives on: C goes to T (kind "thread"). The kernel neither
 * notifies H nor releases the main thread until T ends: only the reader's
 * iterator sees the adoption, which must be out at the hold, while T
 * waits. T then reaps C and ends the process.
 */
static void sc_leader_exits_first(struct sc_truth *t)
{
	struct chan rel, rdy;
	pid_t p, c;

	p = fork();
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (p > 0) {
		if (reap_child(t, p, 0, "parent"))
			return;
		exp_zombie(t, LF_P, A_HARNESS, 0, 0);
		t->events[t->nr_events - 1].phase = 1;
		exp_reap(t, LF_P, A_HARNESS, "wait4")->phase = 1;
		return;
	}
	actor_self(t, LF_P, "parent", "rt-parent");
	if (chan_open(t, &rel) || chan_open(t, &rdy))
		_exit(1);
	c = fork_held_orphan(t, LF_C, rel.r, rel.w, rdy.w);
	if (c < 0 || wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
		sc_error(t, "the orphan did not start");
		_exit(1);
	}
	chan_close(&rdy);
	xclose(&rel.r);
	lf_release_w = rel.w;
	exp_reparent(t, LF_C, LF_P, LF_T, "thread", false, 0);
	if (start_recording_thread(t, LF_T, outliving_thread))
		_exit(1);
	pthread_exit(NULL);
}

/* A SIGCHLD handler that does nothing: the parent is notified and never waits. */
static void ignore_sigchld_note(int sig)
{
}

static int set_sigchld_handler(struct sc_truth *t)
{
	struct sigaction sa = { .sa_handler = ignore_sigchld_note, .sa_flags = SA_RESTART };

	if (sigaction(SIGCHLD, &sa, NULL)) {
		sc_error(t, "sigaction(SIGCHLD): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Forks a child (actor idx) that exits with code; waits until it is a zombie, leaves it. */
static pid_t fork_zombie(struct sc_truth *t, int idx, const char *role, const char *comm, int code)
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

/*
 * Parents that never reap: H (subreaper) -> P1 (rt-leaker) with 3 zombie
 * children (exit 1..3) and P2 (rt-leaker2, a SIGCHLD handler that does not
 * wait) with 1 (exit 4). Hold point: the 4 zombies. Then P1 and P2 exit:
 * H adopts the zombies and reaps them.
 */
static void sc_leaky_parents(struct sc_truth *t)
{
	enum { P1 = 2, Z0 = 4, N1 = 3, N = 4 };
	struct chan rel, rdy;
	pid_t p[2] = {};
	int j;

	if (chan_open(t, &rel) || chan_open(t, &rdy))
		return;
	for (j = 0; j < 2; j++) {
		p[j] = fork();
		if (p[j] == 0) {
			int first = j ? N1 : 0, n = j ? N - N1 : N1, k;

			xclose(&rel.w);
			xclose(&rdy.r);
			actor_self(t, P1 + j, j ? "leaker2" : "leaker",
				   j ? "rt-leaker2" : "rt-leaker");
			if (j && set_sigchld_handler(t))
				_exit(1);
			for (k = 0; k < n; k++) {
				char role[24];

				snprintf(role, sizeof(role), "zombie%d", first + k + 1);
				if (fork_zombie(t, Z0 + first + k, role, "rt-zombie",
						first + k + 1) < 0)
					_exit(1);
			}
			put_byte(rdy.w, 'r');
			block_on(rel.r);
			_exit(0);
		}
		if (p[j] < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			goto out;
		}
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	for (j = 0; j < 2; j++)
		if (wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
			sc_error(t, "a leaker did not make its zombies");
			goto out;
		}
	for (j = 0; j < N; j++) {
		if (check_state(t, Z0 + j, 'Z'))
			goto out;
		exp_zombie(t, Z0 + j, j < N1 ? P1 : P1 + 1, j + 1, 0);
	}
	if (hold(t))
		goto out;
	xclose(&rel.w);
	for (j = 0; j < 2; j++) {
		if (reap_child(t, p[j], 0, "leaker"))
			goto out;
		exp_zombie(t, P1 + j, A_HARNESS, 0, 0);
		t->events[t->nr_events - 1].phase = 1;
		exp_reap(t, P1 + j, A_HARNESS, "wait4")->phase = 1;
	}
	/* The zombies are H's now. */
	for (j = 0; j < N; j++) {
		if (check_ppid(t, Z0 + j, getpid(), "after the leakers exited"))
			goto out;
		exp_reparent(t, Z0 + j, j < N1 ? P1 : P1 + 1, A_HARNESS, "subreaper", true, 0);
		t->events[t->nr_events - 1].phase = 1;
		if (reap_child(t, PID(Z0 + j), j + 1, "adopted zombie"))
			goto out;
		exp_reap(t, Z0 + j, A_HARNESS, "wait4")->phase = 1;
	}
out:
	chan_close(&rel);
	chan_close(&rdy);
}

/*
 * Nested PID namespaces for `reapertrace ns`: I (rt-init, init of a new
 * namespace, a SIGCHLD handler, SIGTERM ignored) -> S (rt-subreaper,
 * PR_SET_CHILD_SUBREAPER), 2 zombies (exit 1, 2) it never reaps, and J
 * (rt-nester) -> I2 (rt-init2, init of a namespace below, default
 * dispositions) -> a zombie (rt-zombie2, exit 5). Hold point. Then I lets
 * S and I2 go; I2's exit tears its namespace down (its zombie released);
 * J reaps I2 and exits; I reaps S, J and its zombies.
 */
static void sc_ns_snapshot(struct sc_truth *t)
{
	enum { I = 2, S = 3, K0 = 4, NK = 2, J = 6, I2 = 7, Z2 = 8 };
	struct chan rel, rdy;
	pid_t i, s, j;
	int n;

	i = fork_ns_init(t);
	if (i < 0)
		return;
	if (i > 0) {
		finish_ns_init(t, I, i, 1, I, 0);
		return;
	}
	if (actor_self(t, I, "ns_init", "rt-init") || gate(t))
		_exit(1);
	if (set_sigchld_handler(t) || signal(SIGTERM, SIG_IGN) == SIG_ERR)
		_exit(1);
	if (chan_open(t, &rel) || chan_open(t, &rdy))
		_exit(1);
	s = fork();
	if (s == 0) {
		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, S, "subreaper", "rt-subreaper");
		if (prctl(PR_SET_CHILD_SUBREAPER, 1))
			sc_error(t, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		put_byte(rdy.w, 'r');
		block_on(rel.r);
		_exit(0);
	}
	if (s < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	for (n = 0; n < NK; n++) {
		char role[24];

		snprintf(role, sizeof(role), "zombie%d", n + 1);
		if (fork_zombie(t, K0 + n, role, "rt-zombie", n + 1) < 0)
			goto out;
	}
	j = fork();
	if (j == 0) {
		pid_t i2;

		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, J, "nester", "rt-nester");
		if (unshare(CLONE_NEWPID)) {
			sc_error(t, "unshare(CLONE_NEWPID) in a namespace: %s", strerror(errno));
			_exit(1);
		}
		i2 = fork();
		if (i2 == 0) {
			actor_self(t, I2, "ns_init2", "rt-init2");
			/* not inherited from I: default dispositions */
			signal(SIGCHLD, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			if (fork_zombie(t, Z2, "zombie_nested", "rt-zombie2", 5) < 0)
				_exit(1);
			put_byte(rdy.w, 'r');
			block_on(rel.r);
			_exit(0);
		}
		xclose(&rel.r);
		xclose(&rdy.w);
		if (i2 < 0) {
			sc_error(t, "fork: %s", strerror(errno));
			_exit(1);
		}
		_exit(reap_child(t, i2, 0, "nested init") ? 1 : 0);
	}
	if (j < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	for (n = 0; n < 2; n++)
		if (wait_byte(rdy.r, STEP_TIMEOUT_MS)) {
			sc_error(t, "the subreaper or the nested init did not start");
			goto out;
		}
	for (n = 0; n < NK; n++)
		if (check_state(t, K0 + n, 'Z'))
			goto out;
	if (check_state(t, Z2, 'Z'))
		goto out;
	if (t->actors[I2].pidns_level != 2 || t->actors[I2].ns_pid != 1 ||
	    t->actors[Z2].pidns != t->actors[I2].pidns) {
		sc_error(t, "the nested namespace is not as designed");
		goto out;
	}
	exp_subreaper(t, S, true);
	for (n = 0; n < NK; n++)
		exp_zombie(t, K0 + n, I, n + 1, 0);
	exp_zombie(t, Z2, I2, 5, 0);
	if (hold(t))
		goto out;
	xclose(&rel.w);
	/* waitpid() takes the pids as this namespace sees them */
	if (reap_child(t, t->actors[S].ns_pid, 0, "subreaper") ||
	    reap_child(t, t->actors[J].ns_pid, 0, "nester"))
		goto out;
	for (n = 0; n < NK; n++)
		if (reap_child(t, t->actors[K0 + n].ns_pid, n + 1, "zombie"))
			goto out;
	exp_zombie(t, S, I, 0, 0);
	exp_reap(t, S, I, "wait4");
	exp_reap(t, Z2, SC_NONE, "auto");
	exp_zombie(t, I2, J, 0, 0);
	exp_reap(t, I2, J, "wait4");
	exp_zombie(t, J, I, 0, 0);
	exp_reap(t, J, I, "wait4");
	for (n = 0; n < NK; n++)
		exp_reap(t, K0 + n, I, "wait4");
	for (n = t->nr_events - 9; n < t->nr_events; n++)
		t->events[n].phase = 1;
	/* I2's exit took its namespace down: nothing was left alive in it. */
	exp_ns_teardown(t, I2, 0, 1);
out:
	chan_close(&rel);
	chan_close(&rdy);
	reap_rest(t);
	_exit(failed(t) ? 1 : 0);
}

/*
 * H (subreaper) -> P; P forks 4 children that exit with 21..24 and leaves
 * them zombies (waitid WNOWAIT sees each one). Hold point: P has 4 zombies.
 * Then P reaps them with wait4 and exits; H reaps P.
 */
static void sc_zombie_keeper(struct sc_truth *t)
{
	enum { P = 2, K0 = 3, N = 4 };
	pid_t p, k[N];
	int j, st = 0;

	p = fork();
	if (p == 0) {
		actor_self(t, P, "keeper", "rt-keeper");
		for (j = 0; j < N; j++) {
			siginfo_t si;

			k[j] = fork();
			if (k[j] == 0) {
				char role[24];

				snprintf(role, sizeof(role), "zombie%d", j + 1);
				actor_self(t, K0 + j, role, "rt-zombie");
				_exit(21 + j);
			}
			if (k[j] < 0) {
				sc_error(t, "fork: %s", strerror(errno));
				_exit(1);
			}
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, k[j], &si, WEXITED | WNOWAIT) || si.si_pid != k[j]) {
				sc_error(t, "waitid(WNOWAIT): %s", strerror(errno));
				_exit(1);
			}
			exp_zombie(t, K0 + j, P, 21 + j, 0);
		}
		for (j = 0; j < N; j++)
			if (check_state(t, K0 + j, 'Z'))
				_exit(1);
		if (hold(t))
			_exit(1);
		for (j = 0; j < N; j++) {
			if (waitpid(k[j], &st, 0) != k[j] || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 21 + j) {
				sc_error(t, "waitpid for zombie %d: status 0x%x", j + 1, st);
				_exit(1);
			}
			exp_reap(t, K0 + j, P, "wait4")->phase = 1;
		}
		_exit(0);
	}
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		return;
	}
	if (reap_child(t, p, 0, "keeper"))
		return;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	t->events[t->nr_events - 1].phase = 1;
	exp_reap(t, P, A_HARNESS, "wait4")->phase = 1;
}

/*
 * H (subreaper) -> P -> C1..C6; P exits: H adopts the 6 (kind subreaper),
 * lets them exit with 1..6 and reaps them.
 */
static void sc_subreaper_adopts(struct sc_truth *t)
{
	enum { P = 2, C0 = 3, N = 6 };
	struct chan rel, rdy, up;
	pid_t p, c;
	int k;

	if (chan_open(t, &rel) || chan_open(t, &rdy))
		return;
	p = fork();
	if (p == 0) {
		xclose(&rel.w);
		xclose(&rdy.r);
		actor_self(t, P, "spawner", "rt-spawner");
		if (chan_open(t, &up))
			_exit(1);
		for (k = 0; k < N; k++) {
			c = fork();
			if (c == 0) {
				char role[24];

				xclose(&up.r);
				snprintf(role, sizeof(role), "orphan%d", k + 1);
				actor_self(t, C0 + k, role, "rt-orphan");
				put_byte(up.w, 'r');
				put_byte(rdy.w, 'r');
				block_on(rel.r);
				_exit(k + 1);
			}
			if (c < 0)
				sc_error(t, "fork: %s", strerror(errno));
		}
		xclose(&up.w);
		/* The Cs have their names and truth before they are orphaned. */
		for (k = 0; k < N; k++)
			if (wait_byte(up.r, STEP_TIMEOUT_MS))
				sc_error(t, "orphan %d did not start", k + 1);
		_exit(0);
	}
	xclose(&rel.r);
	xclose(&rdy.w);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	for (k = 0; k < N; k++)
		if (wait_byte(rdy.r, STEP_TIMEOUT_MS))
			sc_error(t, "orphan %d did not start", k + 1);
	if (reap_child(t, p, 0, "spawner"))
		goto out;
	exp_zombie(t, P, A_HARNESS, 0, 0);
	exp_reap(t, P, A_HARNESS, "wait4");
	for (k = 0; k < N && !failed(t); k++) {
		if (check_ppid(t, C0 + k, getpid(), "after the spawner exited"))
			goto out;
		exp_reparent(t, C0 + k, P, A_HARNESS, "subreaper", false, 0);
	}
	xclose(&rel.w);
	for (k = 0; k < N && !failed(t); k++) {
		if (reap_child(t, PID(C0 + k), k + 1, "orphan"))
			goto out;
		exp_zombie(t, C0 + k, A_HARNESS, k + 1, 0);
		exp_reap(t, C0 + k, A_HARNESS, "wait4");
	}
out:
	chan_close(&rel);
	chan_close(&rdy);
}

const struct scenario scenarios[] = {
	{ "orphan_subreaper", "a child forks a grandchild and exits; a subreaper adopts it",
	  .run = sc_orphan_subreaper },
	{ "origin_chain", "orphaned twice: A forks B forks X; A exits, then B; a subreaper adopts",
	  .run = sc_origin_chain },
	{ "orphan_ns_init", "the same inside a new PID namespace: its init adopts", .pidns = true,
	  .run = sc_orphan_ns_init },
	{ "container", "a PID namespace init adopts the 3 workers of an exiting shell",
	  .pidns = true, .run = sc_container },
	{ "zombie_orphan", "an orphan that is already a zombie when adopted",
	  .run = sc_zombie_orphan },
	{ "never_reaping", "a namespace init keeps 5 zombies unreaped (hold), then exits",
	  .pidns = true, .has_hold = true, .run = sc_never_reaping },
	{ "ns_init_exit", "a namespace init exits: its 3 live processes are killed", .pidns = true,
	  .has_hold = true, .run = sc_ns_init_exit },
	{ "sigchld_ignore", "a parent that ignores SIGCHLD: its child never is a zombie",
	  .run = sc_sigchld_ignore },
	{ "zombie_to_ignorer",
	  "a zombie orphan adopted by a subreaper that ignores SIGCHLD: released at once",
	  .run = sc_zombie_to_ignorer },
	{ "thread_handoff", "a non-main thread forks and exits: its child goes to a sibling",
	  .run = sc_thread_handoff },
	{ "threads_exit_group",
	  "9 spinning threads exit_group; a non-main one forked 5 children (one a zombie)",
	  .run = sc_threads_exit_group },
	{ "forking_thread_first",
	  "the same, but the forking thread exits first, then another thread calls exit_group",
	  .run = sc_forking_thread_first },
	{ "go_exit_group",
	  "a Go program (build/rt-go-exit) starts 3 children from goroutines and calls os.Exit",
	  .run = sc_go_exit_group },
	{ "leader_exits_first",
	  "a main thread exits while another thread lives on (hold): its child goes to that thread",
	  .has_hold = true, .run = sc_leader_exits_first },
	{ "nested_subreapers", "two nested subreapers: the nearest one adopts, then the next",
	  .run = sc_nested_subreapers },
	{ "exit_codes", "exit(7)/SIGKILL reaped by wait4, exit(42)/SIGTERM by waitid",
	  .run = sc_exit_codes },
	{ "stop_continue",
	  "a child stopped and continued, each seen by a wait4, then exits and is reaped",
	  .run = sc_stop_continue },
	{ "subreaper_toggle", "PR_SET_CHILD_SUBREAPER on, then off", .run = sc_subreaper_toggle },
	{ "pdeathsig", "an orphan with PR_SET_PDEATHSIG(SIGTERM) dies of its parent's exit",
	  .run = sc_pdeathsig },
	{ "init_sigdrop",
	  "a namespace init without a SIGTERM handler: SIGTERM from outside, SIGKILL from "
	  "inside, both dropped",
	  .pidns = true, .run = sc_init_sigdrop },
	{ "init_sighandled",
	  "a namespace init with a SIGTERM handler gets SIGTERM: nothing dropped", .pidns = true,
	  .run = sc_init_sighandled },
	{ "ns_teardown", "a namespace init with 3 children, 3 grandchildren and a zombie is killed",
	  .pidns = true, .run = sc_ns_teardown },
	{ "init_reaper_handoff",
	  "the child_reaper thread of a namespace init exits: its other thread takes over",
	  .pidns = true, .run = sc_init_reaper_handoff },
	{ "zombie_keeper", "a parent keeps 4 zombies unreaped (hold), then reaps them",
	  .has_hold = true, .run = sc_zombie_keeper },
	{ "subreaper_adopts", "a subreaper adopts the 6 children of an exiting parent",
	  .run = sc_subreaper_adopts },
	{ "storm_reparent", "one parent with 20,000 children exits at once", .bulk = STORM_REPARENT,
	  .run = sc_storm_reparent },
	{ "storm_cycles", "50,000 fork / exit / wait cycles", .bulk = STORM_CYCLES,
	  .run = sc_storm_cycles },
	{ "crowd_exits", "16 parents of 32 children each exit at the same moment",
	  .bulk = 2 * CROWD_PARENTS * CROWD_CHILDREN, .run = sc_crowd_exits },
	{ "wait_before_start",
	  "a wait begun before the hold releases its zombie and returns after the zombie is freed",
	  .has_hold = true, .run = sc_wait_before_start },
	{ "leaky_parents", "two parents never reap: 3 zombies and 1 zombie (hold), then exit",
	  .has_hold = true, .run = sc_leaky_parents },
	{ "ns_snapshot",
	  "nested PID namespaces holding zombies and a subreaper (hold), then torn down",
	  .pidns = true, .has_hold = true, .run = sc_ns_snapshot },
};

const int nr_scenarios = sizeof(scenarios) / sizeof(scenarios[0]);

const struct scenario *sc_find(const char *name)
{
	int i;

	for (i = 0; i < nr_scenarios; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Capacity */

static long read_long(const char *path)
{
	char buf[64];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "max", 3))
			v = LONG_MAX;
		else
			v = strtol(buf, NULL, 10);
	}
	fclose(f);
	return v;
}

/* pids.max - pids.current of the pids cgroup (v1 or v2) we are in. */
static long pids_cgroup_room(void)
{
	char line[1024], path[1400];
	long room = LONG_MAX;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return room;
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *rel;
		long max, cur;

		if (!ctl)
			continue;
		rel = strchr(ctl + 1, ':');
		if (!rel)
			continue;
		*rel++ = 0;
		rel[strcspn(rel, "\n")] = 0;
		if (!strcmp(ctl + 1, "pids"))
			snprintf(path, sizeof(path), "/sys/fs/cgroup/pids%s", rel);
		else if (!ctl[1] && *cgroup2_mount())
			snprintf(path, sizeof(path), "%s%s", cgroup2_mount(), rel);
		else
			continue;
		/* Every level up to the root limits us. */
		for (;;) {
			char p[1500];

			snprintf(p, sizeof(p), "%s/pids.max", path);
			max = read_long(p);
			snprintf(p, sizeof(p), "%s/pids.current", path);
			cur = read_long(p);
			if (max >= 0 && cur >= 0 && max != LONG_MAX && max - cur < room)
				room = max - cur;
			if (!strrchr(path, '/') || strrchr(path, '/') == path)
				break;
			*strrchr(path, '/') = 0;
			if (!strcmp(path, "/sys/fs/cgroup/pids") || !strcmp(path, cgroup2_mount()))
				break;
		}
	}
	fclose(f);
	return room;
}

int sc_can_fork(long nr, char *buf, size_t len)
{
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	long threads_max = read_long("/proc/sys/kernel/threads-max");
	long running = 0, threads = 0, room;
	struct proc_entry *all = NULL;
	struct rlimit rl;
	char line[256];
	FILE *f;
	int n;

	n = proc_all(&all);
	free(all);
	f = fopen("/proc/loadavg", "re");
	if (f) {
		if (fgets(line, sizeof(line), f))
			sscanf(line, "%*s %*s %*s %ld/%ld", &running, &threads);
		fclose(f);
	}
	if (pid_max > 0 && pid_max - 300 - (threads > n ? threads : n) < nr) {
		snprintf(buf, len,
			 "kernel.pid_max %ld leaves no room for %ld processes (%ld tasks exist)",
			 pid_max, nr, threads);
		return -1;
	}
	if (threads_max > 0 && threads_max - threads < nr + 64) {
		snprintf(buf, len, "kernel.threads-max %ld leaves no room for %ld processes",
			 threads_max, nr);
		return -1;
	}
	if (getuid() != 0 && !getrlimit(RLIMIT_NPROC, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < nr + n) {
		snprintf(buf, len, "RLIMIT_NPROC %ld is below %ld", (long)rl.rlim_cur, nr + n);
		return -1;
	}
	room = pids_cgroup_room();
	if (room < nr + 16) {
		snprintf(buf, len, "the pids cgroup allows %ld more processes, %ld needed", room,
			 nr);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Runner side */

static void harness_main(struct sc_run *run)
{
	struct sc_truth *t = run->truth;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(900); /* a wedged scenario must not outlive the tests */
	if (actor_self(t, A_HARNESS, "harness", "rt-harness"))
		_exit(1);
	if (!run->sc->pidns) {
		/* After the gate: a tracer started at the gate sees the prctl. */
		if (gate(t))
			_exit(1);
		if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
			sc_error(t, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
			_exit(1);
		}
		exp_subreaper(t, A_HARNESS, true);
	}
	run->sc->run(t);
	reap_rest(t);
	if (t->skip[0])
		_exit(0);
	_exit(failed(t) ? 1 : 0);
}

int sc_start(struct sc_run *run, const char *name)
{
	const struct scenario *sc = sc_find(name);
	int to_runner[2], from_runner[2];
	struct sc_truth *t;
	size_t len;

	memset(run, 0, sizeof(*run));
	run->to_runner = run->from_runner = -1;
	if (!sc) {
		errno = ENOENT;
		return -1;
	}
	run->sc = sc;
	len = sizeof(*t) + sc->bulk * sizeof(pid_t);
	len = (len + 4095) & ~4095UL;
	t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return -1;
	run->truth = t;
	run->map_len = len;
	snprintf(t->name, sizeof(t->name), "%s", sc->name);
	t->bulk = (pid_t *)(t + 1);
	t->bulk_cap = sc->bulk;
	t->bulk_parent = t->bulk_adopter = SC_NONE;
	actor_self(t, A_RUNNER, "runner", NULL);
	if (pipe(to_runner))
		return -1;
	if (pipe(from_runner)) {
		close(to_runner[0]);
		close(to_runner[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	run->harness = fork();
	if (run->harness < 0) {
		close(to_runner[0]);
		close(to_runner[1]);
		close(from_runner[0]);
		close(from_runner[1]);
		return -1;
	}
	if (run->harness == 0) {
		close(to_runner[0]);
		close(from_runner[1]);
		g_to_runner = to_runner[1];
		g_from_runner = from_runner[0];
		harness_main(run);
		_exit(1);
	}
	close(to_runner[1]);
	close(from_runner[0]);
	run->to_runner = to_runner[0];
	run->from_runner = from_runner[1];
	run->started = true;
	/* The gate: H (or the ns init) is ready and waits for sc_go(). */
	if (wait_byte(run->to_runner, SYNC_TIMEOUT_MS) == 0)
		return 0;
	/* It exited instead (a skip, or an error). */
	sc_finish(run);
	if (!t->error[0] && !t->skip[0])
		snprintf(t->error, sizeof(t->error), "%s: the harness did not reach its gate",
			 name);
	return -1;
}

int sc_go(struct sc_run *run)
{
	return put_byte(run->from_runner, 'g');
}

int sc_wait_hold(struct sc_run *run)
{
	if (!run->sc->has_hold)
		return 0;
	if (wait_byte(run->to_runner, SYNC_TIMEOUT_MS)) {
		if (!run->truth->error[0])
			snprintf(run->truth->error, sizeof(run->truth->error),
				 "%s: did not reach its hold point", run->sc->name);
		return -1;
	}
	return 0;
}

int sc_continue(struct sc_run *run)
{
	if (!run->sc->has_hold)
		return 0;
	return put_byte(run->from_runner, 'c');
}

int sc_finish(struct sc_run *run)
{
	struct sc_truth *t = run->truth;
	struct sc_event *e;
	int err;

	if (!run->started || run->finished)
		return t && t->error[0] ? -1 : 0;
	run->finished = true;
	/* Closing our ends unblocks a harness still waiting for us. */
	xclose(&run->from_runner);
	err = wait_pid_timeout(run->harness, &run->status, run->sc->bulk ? 900 * 1000 : 300 * 1000);
	if (err == -ETIMEDOUT) {
		kill(run->harness, SIGKILL);
		wait_pid_timeout(run->harness, &run->status, -1);
		if (!t->error[0])
			snprintf(t->error, sizeof(t->error), "%s: timed out", t->name);
	}
	xclose(&run->to_runner);
	if (!t->error[0] && !(WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0))
		snprintf(t->error, sizeof(t->error), "%s: harness wait status 0x%x", t->name,
			 run->status);
	if (!t->error[0] && !t->skip[0]) {
		int phase = run->sc->has_hold ? 1 : 0;

		e = expect(t, SC_ZOMBIE, A_HARNESS, A_RUNNER);
		e->phase = phase;
		e = expect(t, SC_REAP, A_HARNESS, A_RUNNER);
		snprintf(e->kind, sizeof(e->kind), "wait4");
		e->phase = phase;
	}
	return t->error[0] ? -1 : 0;
}

void sc_release(struct sc_run *run)
{
	if (run->started && !run->finished)
		sc_finish(run);
	if (run->truth)
		munmap(run->truth, run->map_len);
	run->truth = NULL;
}

int sc_run(struct sc_run *run, const char *name)
{
	if (sc_start(run, name))
		return -1;
	if (sc_go(run) || sc_wait_hold(run) || sc_continue(run)) {
		sc_finish(run);
		return -1;
	}
	return sc_finish(run);
}

/* ------------------------------------------------------------------ */
/* Printing and lookups */

const char *sc_ev_name(int type)
{
	switch (type) {
	case SC_REPARENT:
		return "reparent";
	case SC_ZOMBIE:
		return "zombie";
	case SC_REAP:
		return "reap";
	case SC_SUBREAPER:
		return "subreaper";
	case SC_INIT_SIGNAL_DROPPED:
		return "init_signal_dropped";
	case SC_NS_TEARDOWN:
		return "ns_teardown";
	case SC_REAPER_HANDOFF:
		return "reaper_handoff";
	}
	return "?";
}

int sc_actor_by_pid(const struct sc_truth *t, pid_t pid)
{
	int i;

	for (i = 0; i < t->nr_actors; i++)
		if (t->actors[i].pid == pid && t->actors[i].tid == pid)
			return i;
	for (i = 0; i < t->nr_actors; i++)
		if (t->actors[i].pid == pid)
			return i;
	return -1;
}

int sc_actor_by_role(const struct sc_truth *t, const char *role)
{
	int i;

	for (i = 0; i < t->nr_actors; i++)
		if (!strcmp(t->actors[i].role, role))
			return i;
	return -1;
}

static const char *role_of(const struct sc_truth *t, int idx)
{
	return idx == SC_NONE ? "-" : t->actors[idx].role;
}

void sc_print_truth(const struct sc_truth *t, FILE *f)
{
	int i;

	fprintf(f, "scenario %s%s%s\n", t->name, t->error[0] ? ": ERROR " : "", t->error);
	if (t->skip[0])
		fprintf(f, "skipped: %s\n", t->skip);
	fprintf(f, "%-12s %-16s %8s %8s %6s %5s %12s %10s %8s\n", "ROLE", "COMM", "PID", "TID",
		"NSPID", "LEVEL", "PIDNS", "CGROUP", "PPID-SEEN");
	for (i = 0; i < t->nr_actors; i++) {
		const struct sc_actor *a = &t->actors[i];

		fprintf(f, "%-12s %-16s %8d %8d %6d %5u %12llu %10llu %8d\n", a->role, a->comm,
			a->pid, a->tid, a->ns_pid, a->pidns_level, a->pidns, a->cgroup_id,
			a->ppid_seen);
	}
	if (t->nr_bulk)
		fprintf(f,
			"bulk: %ld pids (first %d, last %d), parent %s, %ld reaped, %ld adoptions seen\n",
			t->nr_bulk, t->bulk[0], t->bulk[t->nr_bulk - 1], role_of(t, t->bulk_parent),
			t->nr_reaped, t->nr_adopted_seen);
	fprintf(f, "expected events:\n");
	for (i = 0; i < t->nr_events; i++) {
		const struct sc_event *e = &t->events[i];
		const struct sc_actor *s = &t->actors[e->subject];

		fprintf(f, "  %-9s %s (%d)", sc_ev_name(e->type), s->role, s->pid);
		switch (e->type) {
		case SC_REPARENT:
			fprintf(f, " from %s (%d/%d) to %s (%d/%d) kind %s%s pdeath %d",
				role_of(t, e->parent), t->actors[e->parent].pid,
				t->actors[e->parent].tid, role_of(t, e->new_parent),
				t->actors[e->new_parent].pid, t->actors[e->new_parent].tid, e->kind,
				e->flag ? " was_zombie" : "", e->signal);
			if (e->any_thread)
				fprintf(f, " (from any thread of %s)", role_of(t, e->parent));
			break;
		case SC_ZOMBIE:
			fprintf(f, " parent %s (%d)", role_of(t, e->parent),
				t->actors[e->parent].pid);
			if (e->exit_code >= 0)
				fprintf(f, " exit %d", e->exit_code);
			else
				fprintf(f, " killed by %d", e->signal);
			break;
		case SC_REAP:
			if (e->parent == SC_NONE)
				fprintf(f, " how %s", e->kind);
			else
				fprintf(f, " by %s (%d) how %s", role_of(t, e->parent),
					t->actors[e->parent].pid, e->kind);
			break;
		case SC_SUBREAPER:
			fprintf(f, " %s", e->flag ? "on" : "off");
			break;
		case SC_INIT_SIGNAL_DROPPED:
			fprintf(f, " signal %d si_code %d from %s (%d)", e->signal, e->code,
				role_of(t, e->parent), t->actors[e->parent].pid);
			break;
		case SC_NS_TEARDOWN:
			fprintf(f, " by tid %d killed %d", t->actors[e->subject].tid, e->count);
			break;
		case SC_REAPER_HANDOFF:
			fprintf(f, " tid %d -> %d", t->actors[e->subject].tid,
				t->actors[e->new_parent].tid);
			break;
		}
		fprintf(f, "%s%s%s\n", e->threads_only ? " (-T only)" : "",
			e->optional ? " (optional)" : "", e->phase ? " (after hold)" : "");
	}
}
