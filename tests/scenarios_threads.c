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
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
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
