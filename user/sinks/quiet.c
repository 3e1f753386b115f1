// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * -q: the sink that prints nothing. The pipeline still joins, accounts and
 * filters every record, for --metrics, --zombie-age --fail-on-leak and the
 * summary line on stderr.
 */
#include "sinks/sink.h"

static void quiet_header(FILE *out)
{
}

static void quiet_reparent(FILE *out, const struct rt_reparent_report *r)
{
}

static void quiet_zombie(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin,
			 const struct container *ct)
{
}

static void quiet_reap(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin,
		       const struct container *ct)
{
}

static void quiet_subreaper(FILE *out, const struct rt_subreaper_event *e,
			    const struct container *ct)
{
}

static void quiet_leak(FILE *out, const struct rt_leak_report *r)
{
}

static void quiet_init_signal(FILE *out, const struct rt_init_signal_event *e,
			      const struct container *ct)
{
}

static void quiet_ns_teardown(FILE *out, const struct rt_ns_teardown_event *e,
			      const struct container *ct)
{
}

static void quiet_reaper_handoff(FILE *out, const struct rt_reaper_handoff_event *e,
				 const struct container *ct)
{
}

static void quiet_lost(FILE *out, __u64 ts_ns, __u64 lost, __u64 total)
{
}

static void quiet_summary(FILE *out, const struct rt_totals *t)
{
}

const struct rt_sink rt_quiet_sink = {
	.header = quiet_header,
	.reparent = quiet_reparent,
	.zombie = quiet_zombie,
	.reap = quiet_reap,
	.subreaper = quiet_subreaper,
	.leak = quiet_leak,
	.init_signal_dropped = quiet_init_signal,
	.ns_teardown = quiet_ns_teardown,
	.reaper_handoff = quiet_reaper_handoff,
	.lost = quiet_lost,
	.summary = quiet_summary,
};
