// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A crowd of exits: CROWD_PARENTS parents, each with its own children,
 * all exit at the same moment, so that on one CPU an exit's orphan walk is
 * preempted by the next exit (where the kernel's tracepoints are
 * preemptible, as in 7.x). The kernel skips a BPF program's run while the
 * same program is running on that CPU: this is the scenario where the
 * standby walk must take over (bpf/reapertrace.bpf.c).
 *
 * The truth is in the bulk, as pairs: bulk[2k] an orphan, bulk[2k + 1]
 * the parent it had. Each parent writes its own slice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario_lib.h"

/* Fewer children per parent where forks are slow (RT_STORM_SCALE), never fewer parents. */
static long crowd_children(void)
{
	long n = CROWD_CHILDREN / sc_storm_scale();

	return n < 8 ? 8 : n;
}

long sc_crowd_nr_orphans(void)
{
	return CROWD_PARENTS * crowd_children();
}

/* Parent @i: forks its children (blocked on @rel), says ready, exits at @go's end. */
static void crowd_parent(struct sc_truth *t, long i, struct chan *rel, struct chan *go,
			 struct chan *rdy)
{
	pid_t *pairs = t->bulk + 2 * i * crowd_children();
	long j;

	xclose(&rel->w);
	xclose(&go->w);
	xclose(&rdy->r);
	prctl(PR_SET_NAME, "rt-crowd");
	for (j = 0; j < crowd_children(); j++) {
		pid_t k = fork();

		if (k == 0) {
			prctl(PR_SET_NAME, "rt-crowd-kid");
			block_on(rel->r);
			_exit(0);
		}
		if (k < 0) {
			sc_error(t, "parent %ld, fork %ld: %s", i, j, strerror(errno));
			_exit(1);
		}
		pairs[2 * j] = k;
		pairs[2 * j + 1] = getpid();
	}
	put_byte(rdy->w, 'r');
	block_on(go->r);
	_exit(0);
}

/*
 * H (subreaper) -> P1..P16, each with its children, blocked on one pipe;
 * once all are forked the Ps exit at once, and H adopts every child. H
 * releases and reaps them.
 */
void sc_crowd_exits(struct sc_truth *t)
{
	struct chan rel = { -1, -1 }, go = { -1, -1 }, rdy = { -1, -1 };
	long i, nr_parents = 0, ready;
	char why[256];
	pid_t p;
	int st;

	if (sc_can_fork(sc_crowd_nr_orphans() + CROWD_PARENTS + 16, why, sizeof(why))) {
		snprintf(t->skip, sizeof(t->skip), "%s", why);
		return;
	}
	if (chan_open(t, &rel) || chan_open(t, &go) || chan_open(t, &rdy))
		goto out;
	for (i = 0; i < CROWD_PARENTS; i++) {
		p = fork();
		if (p == 0)
			crowd_parent(t, i, &rel, &go, &rdy);
		if (p < 0) {
			sc_error(t, "fork parent %ld: %s", i, strerror(errno));
			goto out;
		}
		nr_parents++;
	}
	xclose(&rdy.w);
	for (ready = 0; ready < nr_parents; ready++)
		if (wait_byte(rdy.r, SYNC_TIMEOUT_MS)) {
			sc_error(t, "%ld of %ld parents forked their children", ready, nr_parents);
			goto out;
		}
	t->nr_bulk = 2 * sc_crowd_nr_orphans();
	xclose(&go.w); /* all parents exit now */
	for (i = 0; i < nr_parents; i++) {
		p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (p < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			sc_error(t, "a parent did not exit 0 (%d)", p < 0 ? -errno : st);
			goto out;
		}
		t->nr_reaped++;
	}
	for (i = 0; i < t->nr_bulk; i += 2) {
		struct proc_entry e;

		if (!proc_stat(t->bulk[i], &e) && e.ppid == getpid())
			t->nr_adopted_seen++;
	}
	if (t->nr_adopted_seen != sc_crowd_nr_orphans())
		sc_error(t, "%ld of %ld children show the harness as ppid", t->nr_adopted_seen,
			 sc_crowd_nr_orphans());
out:
	xclose(&rel.w);
	xclose(&go.w);
	chan_close(&rdy);
	chan_close(&rel);
	chan_close(&go);
	while ((p = waitpid(-1, &st, 0)) > 0 || (p < 0 && errno == EINTR))
		if (p > 0)
			t->nr_reaped++;
	if (!failed(t) && t->nr_reaped != sc_crowd_nr_orphans() + nr_parents)
		sc_error(t, "reaped %ld processes, expected %ld", t->nr_reaped,
			 sc_crowd_nr_orphans() + nr_parents);
}
