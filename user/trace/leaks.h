/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --zombie-age: the zombies seen being made and not yet reaped, and the
 * reapers that hold one longer than the limit (an application running as a
 * container's PID 1 that never waits). Each reaper is reported once.
 */
#ifndef REAPERTRACE_LEAKS_H
#define REAPERTRACE_LEAKS_H

#include "trace/report.h"

struct leaks;

typedef void (*leak_report_fn)(const struct rt_leak_report *r, void *ctx);

/* Reports reapers holding a zombie older than @limit_ns; tracks at most @max_zombies. */
struct leaks *leaks__new(__u64 limit_ns, size_t max_zombies);
void leaks__free(struct leaks *l);

/* A zombie was made. 0, or -ENOSPC when the table is full (it goes untracked). */
int leaks__zombie(struct leaks *l, const struct rt_zombie_event *e);
/* A zombie was reaped. */
void leaks__reap(struct leaks *l, const struct rt_reap_event *e);
/* An orphan was adopted: if it is a tracked zombie, its new parent holds it. */
void leaks__reparent(struct leaks *l, const struct rt_reparent_report *r);

/*
 * How many of the zombies followed @fn says yes to: each with its head as
 * it became a zombie and the process that holds it now.
 */
__u32 leaks__count(const struct leaks *l,
		   bool (*fn)(const struct rt_event_hdr *h, const struct rt_task *holder,
			      void *ctx),
		   void *ctx);

/*
 * Reports, through @fn, each reaper not reported before that now (@now_ns,
 * CLOCK_BOOTTIME) holds a zombie older than the limit. @origin_of fills the
 * origin of a zombie, if known. Returns how many were reported.
 */
int leaks__check(struct leaks *l, __u64 now_ns,
		 bool (*origin_of)(const struct rt_event_hdr *h, struct rt_origin *out, void *ctx),
		 leak_report_fn fn, void *ctx);

size_t leaks__tracked(const struct leaks *l);

#endif /* REAPERTRACE_LEAKS_H */
