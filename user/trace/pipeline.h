/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The trace pipeline. Each ring buffer record passes each stage once, in
 * this order:
 *
 *   decode   its type and size: one table of minimum sizes per type
 *   join     a reparent with the adoption that names its new parent
 *            (adoptions.c); each process with where it came from (origins.c)
 *   account  the zombies --zombie-age follows (leaks.c), the totals
 *   enrich   each process's cgroup id with its path and container
 *            (lib/cgroups.c, lib/container.c)
 *   filter   -e, -T, -p, --pidns, -c, --container (filter.c)
 *   sink     text, JSON, top (sink.h)
 *
 * Nothing here reads the kernel or the clock: trace.c feeds it records, the
 * kernel's counters and the moments it looks, and a recording
 * (recording.h) feeds it the same, so that one input gives one output.
 * The one thing looked up is where a cgroup id is, and only after
 * rt_pipeline_resolve_cgroups(): what is found is recorded, so that a
 * replay finds the same.
 */
#ifndef REAPERTRACE_PIPELINE_H
#define REAPERTRACE_PIPELINE_H

#include <stddef.h>
#include <stdio.h>
#include "trace/options.h"
#include "trace/recording.h"
#include "sinks/sink.h"

struct rt_pipeline;

/*
 * A pipeline from the options @opt to @sink writing to @out, for the event
 * types in @delivered (what the programs deliver). NULL when out of memory.
 */
struct rt_pipeline *rt_pipeline_new(const struct rt_options *opt, __u32 delivered,
				    const struct rt_sink *sink, FILE *out);
void rt_pipeline_free(struct rt_pipeline *p);

/* Look cgroup ids up in the system's cgroup2 mount (the live tracer; not a replay). */
void rt_pipeline_resolve_cgroups(struct rt_pipeline *p);
/* From now on, write every input into @rec too (REAPERTRACE_RECORD). */
void rt_pipeline_record_to(struct rt_pipeline *p, struct rt_recording *rec);

/* One ring buffer record. 0, or -ENOMEM (the join had no room). */
int rt_pipeline_event(struct rt_pipeline *p, const void *data, size_t size);
/* The BPF side's counters: what it could not deliver is said, and counted. */
void rt_pipeline_counts(struct rt_pipeline *p, const struct rt_counts *c);
/* Forget the origins of processes reaped a while before @now_ns. */
void rt_pipeline_expire(struct rt_pipeline *p, __u64 now_ns);
/* --zombie-age: at most once a second, and at the last look (@final). */
void rt_pipeline_check_leaks(struct rt_pipeline *p, __u64 now_ns, bool final);
/* The end: orphans still held are reported unresolved, then the summary. */
void rt_pipeline_flush(struct rt_pipeline *p);
void rt_pipeline_summary(struct rt_pipeline *p);

/*
 * --metrics: the page at @now_ns (CLOCK_BOOTTIME), the zombies held now
 * counted by where they live, and live, their cgroups' pids.max read.
 * 0, or -errno (-EINVAL without --metrics).
 */
int rt_pipeline_write_metrics(struct rt_pipeline *p, __u64 now_ns, FILE *out);

/* Feeds the recording @f (after its header) through. 0, or -errno after printing why. */
int rt_pipeline_replay(struct rt_pipeline *p, FILE *f);

/* Orphans waiting for their adoption record. */
size_t rt_pipeline_held(const struct rt_pipeline *p);
const struct rt_totals *rt_pipeline_totals(const struct rt_pipeline *p);

#endif /* REAPERTRACE_PIPELINE_H */
