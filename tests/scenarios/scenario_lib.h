/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The scenario library's own helpers, for the files that add scenarios to
 * it (scenarios_*.c). See the conventions at the top of scenarios.c.
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

/* The hold point: tells the runner, waits for its "continue". */
int hold(struct sc_truth *t);

/* The scenarios of scenarios_threads.c */
void sc_threads_exit_group(struct sc_truth *t);
void sc_forking_thread_first(struct sc_truth *t);
void sc_go_exit_group(struct sc_truth *t);

/* The scenario of scenarios_crowd.c (sizes in scenarios.h) */
void sc_crowd_exits(struct sc_truth *t);

/* The scenario of scenarios_waits.c */
void sc_wait_before_start(struct sc_truth *t);

#endif /* RT_TESTS_SCENARIO_LIB_H */
