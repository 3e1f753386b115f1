// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scenarios of zombies: made and reaped (exit codes, stop/continue), adopted
 * already dead, never reaped, released at once by a parent that ignores
 * SIGCHLD.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "scenario_lib.h"

/*
 * H (subreaper) -> P -> C; C exits with 3 and P does not reap it (waitid
 * WNOWAIT only); P exits: the zombie C is adopted by H (was_zombie) and H
 * reaps it.
 */
void sc_zombie_orphan(struct sc_truth *t)
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
void sc_never_reaping(struct sc_truth *t)
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
 * H (subreaper) -> P; P ignores SIGCHLD and forks K, which exits with 5:
 * auto-reaped, no zombie. P's wait4() returns ECHILD once K is gone.
 */
void sc_sigchld_ignore(struct sc_truth *t)
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
void sc_zombie_to_ignorer(struct sc_truth *t)
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

/*
 * H (subreaper) reaps four children: exit(7) by wait4, SIGKILL by wait4,
 * exit(42) by waitid, SIGTERM by waitid.
 */
void sc_exit_codes(struct sc_truth *t)
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
void sc_stop_continue(struct sc_truth *t)
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

/*
 * Parents that never reap: H (subreaper) -> P1 (rt-leaker) with 3 zombie
 * children (exit 1..3) and P2 (rt-leaker2, a SIGCHLD handler that does not
 * wait) with 1 (exit 4). Hold point: the 4 zombies. Then P1 and P2 exit:
 * H adopts the zombies and reaps them.
 */
void sc_leaky_parents(struct sc_truth *t)
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
 * H (subreaper) -> P; P forks 4 children that exit with 21..24 and leaves
 * them zombies (waitid WNOWAIT sees each one). Hold point: P has 4 zombies.
 * Then P reaps them with wait4 and exits; H reaps P.
 */
void sc_zombie_keeper(struct sc_truth *t)
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
