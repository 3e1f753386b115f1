/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The interface behind which every output of the trace pipeline sits: the
 * text and JSON printers (text.c, json.c), -q's nothing (quiet.c) and top's
 * per-reaper table (top/top.c). A new output is one more struct rt_sink.
 */
#ifndef REAPERTRACE_SINK_H
#define REAPERTRACE_SINK_H

#include "trace/report.h"

/*
 * A sink: where the pipeline's records go. Each event callback is given a
 * record the filter matched and writes at most one whole line to @out.
 */
struct rt_sink {
	void (*header)(FILE *out);
	/* Optional: what the kernel took, before any event. */
	void (*features)(FILE *out, const struct rt_features_report *r);
	void (*reparent)(FILE *out, const struct rt_reparent_report *r);
	/*
	 * @origin: where the process came from, NULL when not known; @ct: the
	 * container of the process the record is about, NULL when in none
	 * (the reports carry theirs).
	 */
	void (*zombie)(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin,
		       const struct container *ct);
	void (*reap)(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin,
		     const struct container *ct);
	void (*subreaper)(FILE *out, const struct rt_subreaper_event *e,
			  const struct container *ct);
	void (*leak)(FILE *out, const struct rt_leak_report *r);
	void (*init_signal_dropped)(FILE *out, const struct rt_init_signal_event *e,
				    const struct container *ct);
	void (*ns_teardown)(FILE *out, const struct rt_ns_teardown_event *e,
			    const struct container *ct);
	void (*reaper_handoff)(FILE *out, const struct rt_reaper_handoff_event *e,
			       const struct container *ct);
	/* @lost more were lost just now, @total so far. */
	void (*lost)(FILE *out, __u64 ts_ns, __u64 lost, __u64 total);
	void (*summary)(FILE *out, const struct rt_totals *t);
	/*
	 * Optional (NULL for the event printers): called after every poll
	 * cycle (at most POLL_MS apart) with the totals so far. 0 to go on,
	 * > 0 to stop cleanly (drain, summary), -errno to fail.
	 */
	int (*tick)(FILE *out, const struct rt_totals *t);
	/*
	 * Optional: a record that only -p turned away, of RT_EV_* @type: a
	 * struct rt_reparent_report for a reparent, else the ring buffer's
	 * record. top follows each zombie to its reap, whoever reaps it.
	 */
	void (*unmatched)(FILE *out, __u32 type, const void *record);
	/* zombie() is also called for the zombies found at the start (RT_ZOMBIE_EXISTING). */
	bool existing_zombies;
};

extern const struct rt_sink rt_text_sink;
extern const struct rt_sink rt_json_sink;
extern const struct rt_sink rt_quiet_sink; /* -q: nothing */

#endif /* REAPERTRACE_SINK_H */
