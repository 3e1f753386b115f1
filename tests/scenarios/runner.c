// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scenario library's runner side: the table of scenarios, the capacity
 * check, starting, holding, finishing and printing a scenario (scenarios.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "scenario_lib.h"

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
		sc_to_runner = to_runner[1];
		sc_from_runner = from_runner[0];
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
