/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Scenarios: process trees in an exactly known state, with their truth.
 *
 * A scenario runs in a harness process H forked by the caller (the
 * "runner"). H is a PR_SET_CHILD_SUBREAPER, or (for the namespace
 * scenarios) H creates the init I of a new PID namespace that is the
 * harness of everything inside. H reaps all it adopts; when sc_finish()
 * returns, no process and no zombie of the scenario is left.
 *
 * Every process of a scenario (an "actor") records itself, while it lives,
 * in the truth (a MAP_SHARED mapping): its global pid and tid, its pid in
 * its own PID namespace, the namespace inode (readlink /proc/self/ns/pid),
 * its cgroup v2 id, and the comm it gave itself. The scenario also lists
 * the events the kernel must have produced (reparent, zombie, reap,
 * subreaper), each naming actors by index. Steps are sequenced with pipes;
 * nothing relies on sleeping.
 *
 *	struct sc_run run;
 *	if (sc_start(&run, "orphan_subreaper"))	   H exists, waits at its gate
 *		...;
 *	(start a tracer with run.truth->actors[...].pid as filter...)
 *	sc_go(&run);				   the scenario runs
 *	sc_finish(&run);			   H is reaped; truth final
 *	... run.truth ...
 *	sc_release(&run);
 *
 * Scenarios with a hold point (sc_has_hold()) stop there until the runner
 * calls sc_continue(), after sc_wait_hold().
 */
#ifndef RT_TESTS_SCENARIOS_H
#define RT_TESTS_SCENARIOS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proc.h"

#define SC_MAX_ACTORS 24
#define SC_MAX_EVENTS 64
#define SC_COMM_LEN   16

struct sc_actor {
	char role[24];		/* "harness", "parent", "orphan", ... */
	char comm[SC_COMM_LEN]; /* as in /proc/PID/comm ("" = not recorded) */
	pid_t pid;		/* tgid, global */
	pid_t tid;		/* global */
	pid_t ns_pid;		/* tgid in its own PID namespace */
	unsigned int pidns_level;
	unsigned long long pidns;     /* inode of /proc/PID/ns/pid */
	unsigned long long cgroup_id; /* 0: no cgroup v2 */
	pid_t ppid_seen; /* ppid read from /proc/PID/stat after adoption, 0 = not read */
};

enum sc_ev_type {
	SC_REPARENT = 1,
	SC_ZOMBIE,
	SC_REAP,
	SC_SUBREAPER,
	SC_INIT_SIGNAL_DROPPED,
	SC_NS_TEARDOWN,
	SC_REAPER_HANDOFF,
};

#define SC_NONE (-1) /* no actor: JSON null */

struct sc_event {
	int type;	   /* enum sc_ev_type */
	int subject;	   /* actor index: the orphan, zombie, reaped zombie, prctl caller;
			    * the init thread a signal was sent to, that tore the namespace
			    * down, or that handed the child_reaper role over */
	int parent;	   /* reparent: old parent; zombie: parent; reap: reaper (SC_NONE = null);
			    * init_signal_dropped: the sender */
	int new_parent;	   /* reparent; reaper_handoff: the new reaper thread */
	char kind[12];	   /* reparent: reaper_kind; reap: how */
	bool flag;	   /* reparent: was_zombie; subreaper: enabled */
	int exit_code;	   /* zombie: exit code, -1 = null (killed) */
	int signal;	   /* zombie: killing signal; reparent: pdeath_signal;
			    * init_signal_dropped: the signal */
	int code;	   /* init_signal_dropped: si_code */
	int count;	   /* ns_teardown: processes killed */
	bool threads_only; /* printed only with -T */
	bool optional;	   /* may be absent (but at most once) */
	char alt_kind[12]; /* reap: another acceptable "how" ("" = none) */
	int phase;	   /* 0: before the hold point, 1: after it */
	bool any_thread;   /* reparent: from whichever thread of the parent's process had the
			    * orphan last (an exit_group's race); not a kind "thread" one */
};

struct sc_truth {
	char name[32];
	char error[512]; /* "" when the scenario ran as designed */
	int error_taken;
	char skip[256]; /* "" unless the machine cannot run it */
	int nr_actors;
	struct sc_actor actors[SC_MAX_ACTORS];
	int nr_events;
	struct sc_event events[SC_MAX_EVENTS];
	/* Its processes may start threads it does not list (a Go runtime's): any_thread takes them. */
	bool threads_unlisted;

	/* Bulk scenarios (storms): the pids are in bulk[0..nr_bulk). */
	int bulk_parent;  /* actor index of the parent of the bulk */
	int bulk_adopter; /* storm_reparent: actor that adopted them */
	long nr_bulk;
	long bulk_cap;
	pid_t *bulk;
	/* Counters the scenario measured itself. */
	long nr_reaped;
	long nr_adopted_seen; /* children whose /proc ppid showed the adopter */
};

struct sc_run {
	const struct scenario *sc;
	struct sc_truth *truth;
	size_t map_len;
	pid_t harness;
	int to_runner;	 /* read end: the scenario reached its gate / hold */
	int from_runner; /* write end: go / continue */
	int status;	 /* harness wait status */
	bool started, finished;
};

struct scenario {
	const char *name;
	const char *help;
	bool has_hold;
	bool pidns;			 /* runs in a PID namespace of its own */
	long bulk;			 /* number of bulk pid slots */
	void (*run)(struct sc_truth *t); /* body of H */
};

extern const struct scenario scenarios[];
extern const int nr_scenarios;

const struct scenario *sc_find(const char *name);

/* Runner side. All return 0 or -1 (with truth->error / errno set). */
int sc_start(struct sc_run *run, const char *name);
int sc_go(struct sc_run *run);
int sc_wait_hold(struct sc_run *run);
int sc_continue(struct sc_run *run);
int sc_finish(struct sc_run *run);
void sc_release(struct sc_run *run);
/* start + go + (continue) + finish */
int sc_run(struct sc_run *run, const char *name);

/* Prints the truth (actors, expected events) as text. */
void sc_print_truth(const struct sc_truth *t, FILE *f);
const char *sc_ev_name(int type);
/* actor index of the pid (tgid and tid for threads), or -1 */
int sc_actor_by_pid(const struct sc_truth *t, pid_t pid);
int sc_actor_by_role(const struct sc_truth *t, const char *role);

/*
 * The storms' sizes: 20,000 orphans and 50,000 cycles, divided by
 * $RT_STORM_SCALE (vmtest sets it under software emulation, where a fork
 * takes ~100 times longer).
 */
long sc_storm_scale(void);
long sc_storm_nr_orphans(void);
long sc_storm_nr_cycles(void);
/* crowd_exits: CROWD_PARENTS parents of CROWD_CHILDREN children each exit at once. */
#define CROWD_PARENTS  16
#define CROWD_CHILDREN 32
/* ... and its orphans (fewer children per parent with RT_STORM_SCALE). */
long sc_crowd_nr_orphans(void);

/* Storm capacity check: 0 if the machine can hold nr more processes, else
 * -1 with the reason in buf. */
int sc_can_fork(long nr, char *buf, size_t len);

#endif /* RT_TESTS_SCENARIOS_H */
