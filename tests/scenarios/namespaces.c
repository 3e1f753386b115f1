// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scenarios of PID namespace inits: their exit, the signals they drop or
 * handle, their teardown, their reaper thread handing over, nested
 * namespaces holding zombies.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "scenario_lib.h"

/*
 * I (ns init) forks 3 children blocked on a pipe; hold point; I exits: the
 * kernel kills them (SIGKILL) and, I ignoring SIGCHLD while the namespace
 * is torn down, they are released without becoming zombies.
 */
void sc_ns_init_exit(struct sc_truth *t)
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

void sc_init_sigdrop(struct sc_truth *t)
{
	init_signals(t, false);
}

void sc_init_sighandled(struct sc_truth *t)
{
	init_signals(t, true);
}

/* ns_teardown: what the init leaves (actor indexes) */
enum { TD_I = 2, TD_C1, TD_G1, TD_G2, TD_G3, TD_C2, TD_C2T, TD_C3, TD_Z, TD_KILLED = 6 };

static void *teardown_thread(void *arg)
{
	struct recording_thread *rt = arg;

	actor_self(rt->t, rt->idx, "thread", "rt-thread");
	put_byte(rt->w, 'r');
	for (;;)
		pause();
	return NULL;
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
void sc_ns_teardown(struct sc_truth *t)
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
void sc_init_reaper_handoff(struct sc_truth *t)
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

/*
 * Nested PID namespaces for `reapertrace ns`: I (rt-init, init of a new
 * namespace, a SIGCHLD handler, SIGTERM ignored) -> S (rt-subreaper,
 * PR_SET_CHILD_SUBREAPER), 2 zombies (exit 1, 2) it never reaps, and J
 * (rt-nester) -> I2 (rt-init2, init of a namespace below, default
 * dispositions) -> a zombie (rt-zombie2, exit 5). Hold point. Then I lets
 * S and I2 go; I2's exit tears its namespace down (its zombie released);
 * J reaps I2 and exits; I reaps S, J and its zombies.
 */
void sc_ns_snapshot(struct sc_truth *t)
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
