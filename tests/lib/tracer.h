/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Running reapertrace around a scenario, and checking its JSON against the
 * scenario's truth.
 *
 *	struct tracer tr;
 *	const char *opts[] = { "--json", NULL };
 *
 *	sc_start(&run, "orphan_subreaper");
 *	if (!tracer_start(&tr, opts))		   waits for "reapertrace: tracing"
 *		goto out;
 *	sc_go(&run); sc_finish(&run);
 *	if (!tracer_stop(&tr, NULL, NULL))	   settle, SIGINT, exit 0, parse
 *		goto out;
 *	check_events(&tr.doc, run.truth, &(struct check_opts){});
 */
#ifndef RT_TESTS_TRACER_H
#define RT_TESTS_TRACER_H

#include <stdbool.h>
#include <sys/types.h>

#include "jsonl.h"
#include "scenarios.h"

struct tracer {
	pid_t pid;
	bool running;
	bool json;
	bool lossy;	 /* the test provokes losses: do not require "lost":0 */
	int exit_status; /* expected from tracer_stop() (0 unless set before tracer_start()) */
	int status;	 /* wait status after tracer_stop() */
	char out_path[64];
	char err_path[64];
	char *err_text;			/* stderr, after tracer_stop() */
	unsigned long long t_start;	/* CLOCK_BOOTTIME before the start */
	unsigned long long t_stop;	/* CLOCK_BOOTTIME before SIGINT */
	struct jsonl_doc doc;		/* the records (summary included) */
	const struct json_obj *summary; /* the last line, if a summary */
	char *features;			/* the first line, if a features record (not in doc) */
	long long runs_skipped_said;	/* the summary's runs_skipped, if stderr said them */
};

/* $RT_BIN, default <repo>/build/reapertrace */
const char *tracer_bin(void);

/* The whole file behind @fd, from its start (@fd is closed); "" if unreadable. */
char *slurp_fd(int fd);

/*
 * Spawns the tracer with argv opts (NULL-terminated, without argv[0]),
 * stdout and stderr to temporary files; waits (30 s) for the
 * "reapertrace: tracing" line. Asserts; false on failure (tracer killed).
 */
bool tracer_start(struct tracer *t, const char *const *opts); /* keeps lossy, exit_status */

/*
 * Waits settle_ms for the last events, sends sig (SIGINT if 0), waits for
 * the exit (10 s), asserts the exit status (t->exit_status), that no reap_* BPF program is
 * left, and (in --json mode) that every line is valid JSON, the last one a
 * summary with "lost":0. keep() filters what is kept in memory (the
 * summary is always kept).
 */
bool tracer_stop_sig(struct tracer *t, int sig, int settle_ms,
		     bool (*keep)(const struct json_obj *o, void *arg), void *arg);
bool tracer_stop(struct tracer *t, bool (*keep)(const struct json_obj *o, void *arg), void *arg);
/*
 * With --metrics: the port the tracer said it serves on ("reapertrace:
 * serving metrics on http://HOST:PORT/metrics", before "tracing"); 0 if it
 * said none.
 */
unsigned int tracer_metrics_port(const struct tracer *t);
/* Kills and reaps a tracer still running; frees everything. */
void tracer_free(struct tracer *t);

/* Shows the records involving any actor of the truth (for diagnostics). */
void dump_scenario_records(const struct jsonl_doc *d, const struct sc_truth *t);

/* true if no loaded BPF program is named reap_* (waits up to 3 s) */
bool no_reap_programs(char *names, size_t len);

struct check_opts {
	bool threads;		/* the tracer ran with -T */
	int max_phase;		/* expected events of a later phase must be absent */
	bool only_expected;	/* a filter ran: only these event names are printed */
	const char *only_event; /* -e NAME ran: only that event kind */
	/* Expected events this returns false for must be absent (a filter). */
	bool (*wanted)(const struct sc_truth *t, const struct sc_event *e, void *arg);
	void *arg;
};

/*
 * Every expected event of the scenario is in the doc exactly once (optional
 * ones at most once), with every field as the truth says; and no other
 * event is about an actor of the scenario. Asserts field by field.
 */
bool check_events(const struct jsonl_doc *d, const struct sc_truth *t, const struct check_opts *o,
		  const struct tracer *tr);

/* Common checks of one event record about actor a. */
bool check_header(const struct json_obj *o, const struct sc_actor *a);
/* The task object at key matches actor a ({pid, tid, comm}). */
bool check_task(const struct json_obj *o, const char *key, const struct sc_actor *a);

/* Count of records with that event name. */
int count_events(const struct jsonl_doc *d, const char *event);
bool is_event_record(const struct json_obj *o);

/* The truth, as TAP diagnostics. */
void diag_truth(const struct sc_truth *t);

/*
 * sc_start(); where it fails, skips the test if the machine cannot run the
 * scenario, else asserts (with the scenario's error). True if started.
 */
bool scenario_started(struct sc_run *run, const char *scenario);
/* Lets a started, unfinished scenario run to its end (an error path). */
void scenario_abandon(struct sc_run *run);

/*
 * sc_start(scenario), tracer_start(opts), go, (hold, continue), finish,
 * tracer_stop. false on failure (asserted) or skip (test_skipped()).
 */
bool run_traced(const char *scenario, const char *const *opts, struct sc_run *run,
		struct tracer *tr);

#endif /* RT_TESTS_TRACER_H */
