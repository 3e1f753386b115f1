// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scenarios of orphans and their adopters: subreapers (nested, toggled,
 * adopting many), a namespace init, an origin chain, a parent-death signal.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "scenario_lib.h"

/*
 * H (subreaper) -> P -> C; P exits: C is adopted by H, kind "subreaper".
 */
void sc_orphan_subreaper(struct sc_truth *t)
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
void sc_origin_chain(struct sc_truth *t)
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

void sc_orphan_ns_init(struct sc_truth *t)
{
	ns_orphans(t, 1, "rt-parent", "rt-orphan");
}

void sc_container(struct sc_truth *t)
{
	ns_orphans(t, 3, "rt-shell", "rt-worker");
}

/*
 * H (subreaper) -> S1 (subreaper) -> S2 (subreaper) -> P -> C.
 * P exits: C goes to S2 (the nearest). S2 exits: C goes to S1.
 */
void sc_nested_subreapers(struct sc_truth *t)
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

/* H -> S; S sets PR_SET_CHILD_SUBREAPER, then clears it, and exits. */
void sc_subreaper_toggle(struct sc_truth *t)
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
void sc_pdeathsig(struct sc_truth *t)
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

/*
 * H (subreaper) -> P -> C1..C6; P exits: H adopts the 6 (kind subreaper),
 * lets them exit with 1..6 and reaps them.
 */
void sc_subreaper_adopts(struct sc_truth *t)
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
