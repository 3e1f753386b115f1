/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The scenario library's own helpers (lib.c), for the files that add
 * scenarios to it, one subject each. See the conventions at the top of
 * lib.c.
 */
#ifndef RT_TESTS_SCENARIO_LIB_H
#define RT_TESTS_SCENARIO_LIB_H

#include <stdbool.h>
#include <sys/types.h>

#include "scenarios.h"

#define A_RUNNER  0
#define A_HARNESS 1

#define SYNC_TIMEOUT_MS (120 * 1000) /* the runner may need 30 s for a tracer */
#define STEP_TIMEOUT_MS (60 * 1000)

#define PID(i) (t->actors[i].pid)

/* The storms' sizes before RT_STORM_SCALE (storms.c; the runner's table names them). */
#define STORM_REPARENT 20000
#define STORM_CYCLES   50000
/* The storm parent forks them all in one step: give it the test's own time. */
#define STORM_STEP_TIMEOUT_MS (1800 * 1000)

/* A pipe: a blocked actor reads r; closing w (also on errors) lets it go. */
struct chan {
	int r, w;
};

/* The first error of the scenario, in the shared truth. */
void sc_error(struct sc_truth *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool failed(struct sc_truth *t);

/* One byte: 0, or -1 on end of file, error or timeout. */
int wait_byte(int fd, int timeout_ms);
int put_byte(int fd, char c);
/* Until the pipe's write ends are closed (or written to). */
void block_on(int fd);
int chan_open(struct sc_truth *t, struct chan *c);
void chan_close(struct chan *c);
void xclose(int *fd);

/* NSpid of a /proc status file: the first (global) and last (innermost) pids, and the level. */
int read_nspid(const char *path, pid_t *global, pid_t *inner, unsigned int *level);

/* The calling thread records itself as actor @idx, named @comm. */
int actor_self(struct sc_truth *t, int idx, const char *role, const char *comm);

/* Expected events (the last one added is t->events[t->nr_events - 1]). */
void exp_reparent(struct sc_truth *t, int orphan, int old, int new, const char *kind,
		  bool was_zombie, int pdeath);
void exp_zombie(struct sc_truth *t, int who, int parent, int exit_code, int sig);
struct sc_event *exp_reap(struct sc_truth *t, int who, int reaper, const char *how);

/* Waits for the child @pid: exit @code (>= 0) or killed by signal -@code. */
int reap_child(struct sc_truth *t, pid_t pid, int code, const char *who);
/* Reaps what is left (an error: nothing should be). */
void reap_rest(struct sc_truth *t);
/* /proc/PID/stat of actor @idx must show ppid @want (recorded as ppid_seen). */
int check_ppid(struct sc_truth *t, int idx, pid_t want, const char *when);
/* Up to @ms for @path (the /proc entry of a task being released) to go. */
bool wait_path_gone(const char *path, int ms);

/* H's ends of the runner channel (valid in H and below; runner.c sets them). */
extern int sc_to_runner, sc_from_runner;

/* An expected event of @type about actor @subject, with @parent (or SC_NONE). */
struct sc_event *expect(struct sc_truth *t, int type, int subject, int parent);
/* reap_child() within @ms. */
int reap_child_within(struct sc_truth *t, pid_t pid, int code, const char *who, int ms);

/* The hold point: tells the runner, waits for its "continue". */
int hold(struct sc_truth *t);
/* The runner lets the scenario start (H, or the ns init, calls it once). */
int gate(struct sc_truth *t);
/* /proc/PID/stat of actor @idx must show state @want. */
int check_state(struct sc_truth *t, int idx, char want);

void exp_subreaper(struct sc_truth *t, int who, bool on);
void exp_init_signal(struct sc_truth *t, int init, int sender, int sig, int code);
void exp_ns_teardown(struct sc_truth *t, int reaper, int killed, int phase);
void exp_reaper_handoff(struct sc_truth *t, int old, int new);

/* H creates a PID namespace; fork() makes its init I. 0 in the init. */
pid_t fork_ns_init(struct sc_truth *t);
/* H's side of a namespace init's end: its exit, and the teardown it means. */
void finish_ns_init(struct sc_truth *t, int I, pid_t i, int phase, int reaper, int killed);
/* A child (actor @idx) that exits with @code, left a zombie once it is one. */
pid_t fork_zombie(struct sc_truth *t, int idx, const char *role, const char *comm, int code);
/* SIGCHLD caught by a handler that does nothing: notified, never waiting. */
int set_sigchld_handler(struct sc_truth *t);

/* A thread that records itself as actor @idx, then says so on @w. */
struct recording_thread {
	struct sc_truth *t;
	int idx;
	int w;
};

/* Up to 10 s for the caller's main thread, exiting alone, to be a zombie. */
int wait_main_thread_zombie(struct sc_truth *t, pid_t main_tid);

/* Starts @fn as a thread recording itself as actor @idx; waits until it has. */
int start_recording_thread(struct sc_truth *t, int idx, void *(*fn)(void *));

/* The scenarios, each the body of H after its gate; runner.c lists them. */
/* orphans.c */
void sc_orphan_subreaper(struct sc_truth *t);
void sc_origin_chain(struct sc_truth *t);
void sc_orphan_ns_init(struct sc_truth *t);
void sc_container(struct sc_truth *t);
void sc_nested_subreapers(struct sc_truth *t);
void sc_subreaper_toggle(struct sc_truth *t);
void sc_pdeathsig(struct sc_truth *t);
void sc_subreaper_adopts(struct sc_truth *t);
/* zombies.c */
void sc_zombie_orphan(struct sc_truth *t);
void sc_never_reaping(struct sc_truth *t);
void sc_sigchld_ignore(struct sc_truth *t);
void sc_zombie_to_ignorer(struct sc_truth *t);
void sc_exit_codes(struct sc_truth *t);
void sc_stop_continue(struct sc_truth *t);
void sc_leaky_parents(struct sc_truth *t);
void sc_zombie_keeper(struct sc_truth *t);
/* namespaces.c */
void sc_ns_init_exit(struct sc_truth *t);
void sc_init_sigdrop(struct sc_truth *t);
void sc_init_sighandled(struct sc_truth *t);
void sc_ns_teardown(struct sc_truth *t);
void sc_init_reaper_handoff(struct sc_truth *t);
void sc_ns_snapshot(struct sc_truth *t);
/* threads.c */
void sc_thread_handoff(struct sc_truth *t);
void sc_leader_exits_first(struct sc_truth *t);
void sc_threads_exit_group(struct sc_truth *t);
void sc_forking_thread_first(struct sc_truth *t);
void sc_go_exit_group(struct sc_truth *t);
/* storms.c */
void sc_storm_reparent(struct sc_truth *t);
void sc_storm_cycles(struct sc_truth *t);
/* crowd.c (sizes in scenarios.h) */
void sc_crowd_exits(struct sc_truth *t);
/* waits.c */
void sc_wait_before_start(struct sc_truth *t);

#endif /* RT_TESTS_SCENARIO_LIB_H */
