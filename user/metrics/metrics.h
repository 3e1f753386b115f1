/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --metrics: the tracer's counters, the zombies it follows and pids.max
 * pressure, as Prometheus text exposition (format 0.0.4). The pipeline
 * counts what its filter matched into a struct metrics, and at most once
 * a second hands it the zombies held now (metrics__held()) and has it
 * write the page (metrics__write()), which the HTTP side (server.h)
 * serves. Nothing here reads the kernel, the clock or the network.
 *
 * Label cardinality is bounded: the zombies held are grouped by container
 * (else by PID namespace and reaper), and only the @top_n groups holding
 * the most get their own series; the others are summed into one series
 * with group="other". The pids.max series are bounded the same way.
 */
#ifndef REAPERTRACE_METRICS_H
#define REAPERTRACE_METRICS_H

#include <stdio.h>
#include <linux/types.h>

#include "trace/recording.h"
#include "trace/report.h"

/* Series per labelled gauge by default (--metrics-top), and at most. */
#define METRICS_TOP_DEFAULT 20
#define METRICS_TOP_MAX	    1000
#define METRICS_TOP_MAX_STR "1000"

struct metrics;
struct container;
struct pids_limit;

/* NULL when out of memory. */
struct metrics *metrics__new(unsigned int top_n);
void metrics__free(struct metrics *m);

/* Counters, for the records the filter matched. */
void metrics__reparent(struct metrics *m, const struct rt_reparent_report *r);
/* A zombie made while traced (not one found at the start). */
void metrics__zombie(struct metrics *m, const struct rt_zombie_event *e);
/* A reap: counted by how, and its zombie's lifetime into the histogram. */
void metrics__reap(struct metrics *m, const struct rt_reap_event *e);
void metrics__subreaper(struct metrics *m, const struct rt_subreaper_event *e);
void metrics__init_signal(struct metrics *m, const struct rt_init_signal_event *e);
void metrics__ns_teardown(struct metrics *m, const struct rt_ns_teardown_event *e);
void metrics__reaper_handoff(struct metrics *m, const struct rt_reaper_handoff_event *e);
/* The BPF side's counters as last read (every type's losses, what it could not follow). */
void metrics__counts(struct metrics *m, const struct rt_counts *c);

/* One zombie held now, as the pipeline follows it. */
struct metrics_zombie {
	__u64 since_ns;			   /* when it became one (CLOCK_BOOTTIME) */
	__u32 pidns;			   /* its PID namespace */
	const struct rt_task *holder;	   /* who holds it now */
	const struct container *container; /* its container, NULL in none */
};

/*
 * The gauges, for the page written next: every zombie held now (after a
 * metrics__held_reset()), and the pids.max limits of their cgroups
 * (lib/pids.h: each once, its zombies counted; none when not read; sorted
 * in place, the top N kept).
 * 0, or -ENOMEM (the page then says the zombies were not all counted).
 */
void metrics__held_reset(struct metrics *m);
int metrics__held(struct metrics *m, const struct metrics_zombie *z);
void metrics__pids(struct metrics *m, struct pids_limit *limits, size_t nr);

/*
 * The page at @now_ns: every family with its HELP and TYPE, counters and
 * the histogram always, the gauges as of the last metrics__held_*().
 * 0, or -errno when @out failed.
 */
int metrics__write(struct metrics *m, __u64 now_ns, FILE *out);

#endif /* REAPERTRACE_METRICS_H */
