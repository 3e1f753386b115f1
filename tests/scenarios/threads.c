// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scenarios of multi-threaded exits, as containerd-shim's and runc's (Go
 * programs) are under dockerd: a process with many threads, one of which
 * forked the children, ends with exit_group() while they live on.
 *
 * Children belong to the thread that forked them. When it exits, the
 * kernel hands them to a live sibling thread (find_alive_thread(): one
 * without PF_EXITING); when that one exits, to the next; the last thread
 * to exit hands them out of the process, here to the subreaper H. Which
 * threads take part in that chain is the scheduler's choice: the truth
 * names the process as the old parent of the adoption by H (any_thread),
 * and the hand-offs that are certain.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_lib.h"

#define TG_THREADS     8 /* besides the main thread */
#define TG_ORPHANS     5 /* the last one is a zombie when the process exits */
#define TG_ZOMBIE_CODE 5
#define TG_SPIN_NS     2000000 /* the main thread's spin before exit_group */

/* P's main thread, its threads T1..T8 (T1 forks), the orphans C1..C5 */
enum { TG_P = 2, TG_T1 = 3, TG_C1 = TG_T1 + TG_THREADS, TG_ZOMBIE = TG_C1 + TG_ORPHANS - 1 };

/* What P's threads share (P's own memory: it is forked from H). */
static struct {
	struct sc_truth *t;
	bool forker_first;
	int rel_r;	   /* the orphans' release: H holds the write end */
	struct chan rdy;   /* a byte from each thread and each orphan once recorded */
	volatile int go;   /* all threads spin from here on */
	volatile int exit; /* forking_thread_first: T8's turn to call exit_group */
	volatile int never;
} tg;

/* Busy until @flag is set (by another thread of P) or, with @ns, that long passed. */
static void spin(volatile int *flag, long ns)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!*flag) {
		if (!ns)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L + now.tv_nsec - t0.tv_nsec >= ns)
			return;
	}
}

/* Thread @i on one CPU of those allowed, round robin: their exits run in parallel. */
static void pin(long i)
{
	cpu_set_t allowed, one;
	long n, cpu, seen = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	n = CPU_COUNT(&allowed);
	if (n < 2)
		return;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || seen++ != i % n)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
		return;
	}
}

/*
 * In T1: forks C1..C5. Each records itself and says so; C1..C4 then wait
 * for H's release, C5 exits at once, and T1 waits (without reaping it)
 * until it is a zombie: one that is handed over dead.
 */
static int fork_orphans(struct sc_truth *t)
{
	pid_t c, zombie = 0;
	siginfo_t si;
	int k;

	for (k = 0; k < TG_ORPHANS; k++) {
		c = fork();
		if (c == 0) {
			char comm[SC_COMM_LEN];

			xclose(&tg.rdy.r);
			snprintf(comm, sizeof(comm), "rt-orphan%d", k % TG_ORPHANS + 1);
			actor_self(t, TG_C1 + k, "orphan", comm);
			put_byte(tg.rdy.w, 'c');
			if (TG_C1 + k == TG_ZOMBIE)
				_exit(TG_ZOMBIE_CODE);
			block_on(tg.rel_r);
			_exit(0);
		}
		if (c < 0) {
			sc_error(t, "fork in thread: %s", strerror(errno));
			return -1;
		}
		zombie = c;
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, zombie, &si, WEXITED | WNOWAIT) && errno == EINTR)
		;
	if (si.si_pid != zombie || si.si_code != CLD_EXITED) {
		sc_error(t, "the zombie orphan (%d) did not exit: %s", zombie, strerror(errno));
		return -1;
	}
	return 0;
}

static void *tg_thread(void *arg)
{
	long i = (long)arg;
	struct sc_truth *t = tg.t;
	char comm[SC_COMM_LEN];

	snprintf(comm, sizeof(comm), "rt-thr%d", (int)(i % TG_THREADS) + 1);
	if (actor_self(t, TG_T1 + i, "thread", comm))
		_exit(1);
	if (i == 0 && fork_orphans(t))
		_exit(1);
	pin(i);
	put_byte(tg.rdy.w, 't');
	spin(&tg.go, 0);
	if (tg.forker_first && i == 0)
		return NULL; /* its children go to the main thread */
	if (tg.forker_first && i == TG_THREADS - 1) {
		spin(&tg.exit, 0);
		_exit(0); /* exit_group() while the others spin */
	}
	spin(&tg.never, 0); /* until exit_group() kills it */
	return NULL;
}

/* The body of P: threads, the orphans, then the exit of them all. */
static void __attribute__((noreturn)) tg_parent(struct sc_truth *t)
{
	pthread_t th[TG_THREADS];
	char path[64];
	long i;
	int err;

	if (actor_self(t, TG_P, "parent", "rt-parent") || chan_open(t, &tg.rdy))
		_exit(1);
	for (i = 0; i < TG_THREADS; i++) {
		err = pthread_create(&th[i], NULL, tg_thread, (void *)i);
		if (err) {
			sc_error(t, "pthread_create: %s", strerror(err));
			_exit(1);
		}
	}
	for (i = 0; i < TG_THREADS + TG_ORPHANS; i++) {
		if (wait_byte(tg.rdy.r, STEP_TIMEOUT_MS)) {
			sc_error(t, "the threads or the orphans did not start");
			_exit(1);
		}
	}
	if (failed(t))
		_exit(1);
	tg.go = 1;
	if (!tg.forker_first) {
		spin(&tg.never, TG_SPIN_NS); /* let every thread be on a CPU */
		_exit(0);		     /* exit_group() */
	}
	/*
	 * T1 is joined at its CLONE_CHILD_CLEARTID, before its exit_notify();
	 * its /proc entry goes at its release, after its children moved to
	 * this thread (the first live one). The kernel gives no other signal.
	 */
	pthread_join(th[0], NULL);
	snprintf(path, sizeof(path), "/proc/%d/task/%d", PID(TG_P), t->actors[TG_T1].tid);
	if (!wait_path_gone(path, 10000)) {
		sc_error(t, "the forking thread did not go away");
		_exit(1);
	}
	tg.exit = 1;
	spin(&tg.never, 0); /* until T8's exit_group() kills it */
	_exit(1);
}

/*
 * H (subreaper) -> P, 9 threads: T1 forks C1..C5 (C5 exits, a zombie) and
 * all spin, each on a CPU in turn. Then P exits in one of two ways. Either
 * way H adopts the five, kind subreaper, from the last thread of P that
 * had them; /proc then shows H as their parent; H releases and reaps them.
 */
static void threads_exit(struct sc_truth *t, bool forker_first)
{
	struct chan rel;
	pid_t p;
	int k;

	if (chan_open(t, &rel))
		return;
	p = fork();
	if (p == 0) {
		xclose(&rel.w);
		tg.t = t;
		tg.forker_first = forker_first;
		tg.rel_r = rel.r;
		tg_parent(t);
	}
	xclose(&rel.r);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (reap_child(t, p, 0, "parent"))
		goto out;
	exp_zombie(t, TG_P, A_HARNESS, 0, 0);
	exp_reap(t, TG_P, A_HARNESS, "wait4");
	/* The zombie told the thread that forked it, while that one lived. */
	exp_zombie(t, TG_ZOMBIE, TG_T1, TG_ZOMBIE_CODE, 0);
	for (k = TG_C1; k < TG_C1 + TG_ORPHANS; k++) {
		if (check_ppid(t, k, getpid(), "after the parent's exit"))
			goto out;
		exp_reparent(t, k, TG_P, A_HARNESS, "subreaper", k == TG_ZOMBIE, 0);
		t->events[t->nr_events - 1].any_thread = true;
		/* T1 exited alone: the main thread, the first live one, took them. */
		if (forker_first)
			exp_reparent(t, k, TG_T1, TG_P, "thread", k == TG_ZOMBIE, 0);
	}
	xclose(&rel.w);
	for (k = TG_C1; k < TG_C1 + TG_ORPHANS; k++) {
		if (reap_child(t, PID(k), k == TG_ZOMBIE ? TG_ZOMBIE_CODE : 0, "orphan"))
			goto out;
		if (k != TG_ZOMBIE)
			exp_zombie(t, k, A_HARNESS, 0, 0);
		exp_reap(t, k, A_HARNESS, "wait4");
	}
out:
	chan_close(&rel);
}

/* P's main thread calls exit_group() while its 8 threads spin. */
void sc_threads_exit_group(struct sc_truth *t)
{
	threads_exit(t, false);
}

/*
 * T1 exits alone first (its children go to the main thread); once it is
 * gone, T8 calls exit_group() while the others spin.
 */
void sc_forking_thread_first(struct sc_truth *t)
{
	threads_exit(t, true);
}

/* ---- go_exit_group: a real Go program's exit ---- */

#define GO_ORPHANS 3
#define GO_P	   2 /* then its threads, then the orphans */

/* build/rt-go-exit, next to this binary, or $RT_GO_EXIT. */
static const char *go_program(char *buf, size_t len)
{
	const char *env = getenv("RT_GO_EXIT");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + sizeof("/rt-go-exit") > len)
		return NULL;
	strcpy(slash, "/rt-go-exit");
	return buf;
}

/*
 * Thread @tid of process @pid recorded as actor @idx, from /proc: a Go
 * program cannot record itself in the truth.
 */
static int actor_of(struct sc_truth *t, int idx, pid_t pid, pid_t tid, const char *role)
{
	struct sc_actor *a = &t->actors[idx];
	pid_t global = 0, inner = 0;
	unsigned int level = 0;
	char path[96];
	FILE *f;

	if (idx >= SC_MAX_ACTORS) {
		sc_error(t, "more than %d actors", SC_MAX_ACTORS);
		return -1;
	}
	snprintf(a->role, sizeof(a->role), "%s", role);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_nspid(path, &a->pid, &a->ns_pid, &a->pidns_level))
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	if (read_nspid(path, &global, &inner, &level))
		goto fail;
	a->tid = global;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/pid", pid, tid);
	a->pidns = ns_inode(path);
	a->cgroup_id = proc_cgroup_id(pid);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(path, "re");
	if (!f)
		goto fail;
	if (fgets(a->comm, sizeof(a->comm), f))
		a->comm[strcspn(a->comm, "\n")] = 0;
	fclose(f);
	if (!a->pidns || !a->comm[0])
		goto fail;
	if (idx >= t->nr_actors)
		t->nr_actors = idx + 1;
	return 0;
fail:
	sc_error(t, "%s %d/%d: cannot read it in /proc", role, pid, tid);
	return -1;
}

/* Every thread of @pid but the main one, as actors from @idx on; the next index, or -1. */
static int record_threads(struct sc_truth *t, pid_t pid, int idx)
{
	struct dirent *d;
	char path[64];
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir) {
		sc_error(t, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((d = readdir(dir))) {
		pid_t tid = atoi(d->d_name);

		if (tid > 0 && tid != pid && actor_of(t, idx++, pid, tid, "thread"))
			break;
	}
	closedir(dir);
	return failed(t) ? -1 : idx;
}

/*
 * H (subreaper) -> P, the Go program rt-go-exit: its goroutines start 3
 * children (cat, reading a pipe whose write end H holds), which the
 * runtime forks from whatever threads run them; P then spins on every P of
 * the runtime and calls os.Exit(0) once H closes its pipe. H adopts the
 * 3, kind subreaper, from whichever thread of P had them last. P and its
 * threads are recorded from /proc while it spins; the runtime may still
 * start one (threads_unlisted: seen on a 1-CPU VM, where syscalls are
 * slow enough for sysmon to hand a P to a new thread).
 */
void sc_go_exit_group(struct sc_truth *t)
{
	struct chan rel = { -1, -1 }, go = { -1, -1 }, out = { -1, -1 };
	pid_t p, kids[GO_ORPHANS];
	char buf[PATH_MAX], line[64];
	const char *bin = go_program(buf, sizeof(buf));
	int k, first = 0;
	FILE *f = NULL;

	if (!bin || access(bin, X_OK)) {
		snprintf(t->skip, sizeof(t->skip),
			 "%.150s not built: make builds it with a Go toolchain",
			 bin ? bin : "rt-go-exit");
		return;
	}
	if (chan_open(t, &rel) || chan_open(t, &go) || chan_open(t, &out))
		goto out;
	p = fork();
	if (p == 0) {
		/* Out of the way first: the pipes may be fds 3 and 4 already. */
		int r = fcntl(rel.r, F_DUPFD, 10), g = fcntl(go.r, F_DUPFD, 10);
		int o = fcntl(out.w, F_DUPFD, 10);
		char n[8];

		snprintf(n, sizeof(n), "%d", GO_ORPHANS);
		chan_close(&rel);
		chan_close(&go);
		chan_close(&out);
		if (r < 0 || g < 0 || o < 0 || dup2(r, 3) < 0 || dup2(g, 4) < 0 || dup2(o, 1) < 0)
			_exit(127);
		close(r);
		close(g);
		close(o);
		execl(bin, "rt-go-exit", n, (char *)NULL);
		_exit(127);
	}
	xclose(&rel.r);
	xclose(&go.r);
	xclose(&out.w);
	if (p < 0) {
		sc_error(t, "fork: %s", strerror(errno));
		goto out;
	}
	f = fdopen(out.r, "r");
	if (!f)
		goto out;
	out.r = -1;
	for (k = 0; k < GO_ORPHANS; k++) {
		if (!fgets(line, sizeof(line), f) || (kids[k] = atoi(line)) <= 0) {
			sc_error(t, "the Go program did not say its children");
			goto out;
		}
	}
	if (!fgets(line, sizeof(line), f) || strcmp(line, "ready\n")) {
		sc_error(t, "the Go program is not ready");
		goto out;
	}
	/* The runtime may start a thread after these are read (a slow syscall, sysmon). */
	t->threads_unlisted = true;
	if (actor_of(t, GO_P, p, p, "parent"))
		goto out;
	first = record_threads(t, p, GO_P + 1);
	if (first < 0)
		goto out;
	for (k = 0; k < GO_ORPHANS; k++)
		if (actor_of(t, first + k, kids[k], kids[k], "orphan"))
			goto out;
	xclose(&go.w); /* os.Exit(0) */
	if (reap_child(t, p, 0, "the Go program"))
		goto out;
	exp_zombie(t, GO_P, A_HARNESS, 0, 0);
	exp_reap(t, GO_P, A_HARNESS, "wait4");
	for (k = first; k < first + GO_ORPHANS; k++) {
		if (check_ppid(t, k, getpid(), "after the Go program's exit"))
			goto out;
		exp_reparent(t, k, GO_P, A_HARNESS, "subreaper", false, 0);
		t->events[t->nr_events - 1].any_thread = true;
	}
	xclose(&rel.w);
	for (k = first; k < first + GO_ORPHANS; k++) {
		if (reap_child(t, PID(k), 0, "orphan"))
			goto out;
		exp_zombie(t, k, A_HARNESS, 0, 0);
		exp_reap(t, k, A_HARNESS, "wait4");
	}
out:
	if (f)
		fclose(f);
	chan_close(&rel);
	chan_close(&go);
	chan_close(&out);
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
void sc_thread_handoff(struct sc_truth *t)
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
void sc_leader_exits_first(struct sc_truth *t)
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
