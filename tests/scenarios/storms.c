// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The storms: one exit with 20,000 orphans, 50,000 fork/exit/wait cycles
 * (both divided by RT_STORM_SCALE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "scenario_lib.h"

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
void sc_storm_reparent(struct sc_truth *t)
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
void sc_storm_cycles(struct sc_truth *t)
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
