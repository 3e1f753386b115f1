/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_OPTIONS_H
#define REAPERTRACE_OPTIONS_H

#include <stdbool.h>
#include <linux/types.h>
#include "events.h"

/* Bit (1 << type) for each event type the user asked for. */
#define RT_EVENTS_ALL                                                                              \
	((1U << RT_EV_REPARENT) | (1U << RT_EV_ZOMBIE) | (1U << RT_EV_REAP) |                      \
	 (1U << RT_EV_SUBREAPER) | (1U << RT_EV_INIT_SIGNAL_DROPPED) | (1U << RT_EV_NS_TEARDOWN) | \
	 (1U << RT_EV_REAPER_HANDOFF))
/* Events some of whose programs are classic tracepoints (they need tracefs). */
#define RT_EVENTS_SYSCALLS ((1U << RT_EV_ZOMBIE) | (1U << RT_EV_REAP) | (1U << RT_EV_SUBREAPER))

struct rt_options {
	bool json;
	bool threads; /* -T: show thread handoffs */
	bool verbose;
	__u32 events;	 /* RT_EVENTS_ALL or a subset */
	__u32 pid;	 /* -p, 0 = any */
	__u32 pidns;	 /* --pidns inode, 0 = any */
	__u64 cgroup_id; /* -c, 0 = any */
	const char *cgroup_path;
	const char *container; /* --container: an id or a prefix of it, NULL = any */
	unsigned int duration; /* -d seconds, 0 = until stopped */
	unsigned int buffer_mb;
	__u64 zombie_age_ns;	  /* --zombie-age, 0 = no leak alerts */
	bool fail_on_leak;	  /* exit status 3 when a leak was reported */
	bool top;		  /* `reapertrace top` */
	__u64 interval_ns;	  /* top -i, 0 = default (1 s) */
	unsigned int count;	  /* top -n intervals, 0 = until stopped */
	const char *metrics;	  /* --metrics [HOST:]PORT to serve them on, NULL = none */
	unsigned int metrics_top; /* --metrics-top: labelled series per gauge */
	bool quiet;		  /* -q: no events on stdout (with --metrics: an exporter) */
};

/* rt_options_parse() results besides 0 and -EINVAL: print this, exit 0. */
#define RT_OPTIONS_HELP	   1
#define RT_OPTIONS_VERSION 2

/*
 * Parses trace's options, or top's when opt->top, into @opt (which holds
 * the defaults). 0; RT_OPTIONS_HELP or RT_OPTIONS_VERSION for -h and -V;
 * -EINVAL after printing one line that says what is wrong.
 */
int rt_options_parse(int argc, char **argv, struct rt_options *opt);
/* trace's --help (top's is rt_top_usage, user/top/top.h). */
extern const char rt_trace_usage[];

/* run_trace() returns RT_EXIT_LEAK (lib/cli.h) when --fail-on-leak and a leak was reported. */

#endif /* REAPERTRACE_OPTIONS_H */
