/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pipeline's filter stage: which records the user asked for. One place
 * for every choice: -e (and what the kernel delivers), -T, -p, --pidns, -c
 * (the cgroup and those below it), --container.
 */
#ifndef REAPERTRACE_FILTER_H
#define REAPERTRACE_FILTER_H

#include <stdbool.h>
#include "trace/options.h"
#include "lib/cgroups.h"
#include "trace/report.h"

struct rt_filter {
	__u32 events;	       /* bit (1 << type): asked for and delivered */
	bool threads;	       /* -T: thread hand-offs too */
	__u32 pid;	       /* -p, 0 = any */
	__u32 pidns;	       /* --pidns inode, 0 = any */
	__u64 cgroup_id;       /* -c, 0 = any */
	const char *container; /* --container: an id or its prefix, NULL = any */
	/*
	 * Where the cgroups of -c's descendants and of --container are looked
	 * up (the pipeline's); NULL: -c matches its own cgroup only, and
	 * --container nothing.
	 */
	struct cgroups *cgroups;
};

enum rt_verdict {
	/* Not asked for: its type, a thread hand-off without -T, another namespace or cgroup. */
	RT_DROP,
	/* Asked for, but -p names none of its processes. */
	RT_OTHER_PID,
	RT_MATCH,
};

/* The filter of @opt, for the event types in @delivered. */
void rt_filter_init(struct rt_filter *f, const struct rt_options *opt, __u32 delivered);

enum rt_verdict rt_filter_reparent(const struct rt_filter *f, const struct rt_reparent_report *r);
enum rt_verdict rt_filter_zombie(const struct rt_filter *f, const struct rt_zombie_event *e);
enum rt_verdict rt_filter_reap(const struct rt_filter *f, const struct rt_reap_event *e);
enum rt_verdict rt_filter_subreaper(const struct rt_filter *f, const struct rt_subreaper_event *e);
/* The oldest zombie's namespace and cgroup; -p: the reaper or that zombie. */
enum rt_verdict rt_filter_leak(const struct rt_filter *f, const struct rt_leak_report *r);
/* A zombie held now (--metrics): where it lives; -p: it or its holder. */
enum rt_verdict rt_filter_held(const struct rt_filter *f, const struct rt_event_hdr *zombie,
			       const struct rt_task *holder);
/* The init the signal was meant for, or its sender. */
enum rt_verdict rt_filter_init_signal(const struct rt_filter *f,
				      const struct rt_init_signal_event *e);
/* The init; --pidns: the namespace torn down. */
enum rt_verdict rt_filter_ns_teardown(const struct rt_filter *f,
				      const struct rt_ns_teardown_event *e);
enum rt_verdict rt_filter_reaper_handoff(const struct rt_filter *f,
					 const struct rt_reaper_handoff_event *e);

#endif /* REAPERTRACE_FILTER_H */
