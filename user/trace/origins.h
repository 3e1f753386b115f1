/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where an orphan came from. Once a process is adopted, /proc names only
 * its new parent; while the tracer runs, it remembers the parent that
 * spawned it, and that parent's own origin if it was an orphan too, so that
 * the zombie a container's init fails to reap still names who forked it.
 *
 * The origins form a tree shared by all orphans of one exit: one node per
 * exited parent, one table entry per living orphan.
 */
#ifndef REAPERTRACE_ORIGINS_H
#define REAPERTRACE_ORIGINS_H

#include "trace/report.h"

struct origins;

/*
 * Reaped orphans lingering at most: past it the oldest is forgotten at
 * once. A storm's children are reaped a few thousand a second
 * (bench/README.md), well under it; it bounds the memory when reaps come
 * faster than that.
 */
#define RT_ORIGIN_LINGER_MAX 16384

/* At most @max_orphans remembered at once (further ones get no origin). */
struct origins *origins__new(size_t max_orphans);
void origins__free(struct origins *o);

/*
 * The orphan of @r was adopted: remember who it came from (its first origin
 * is kept when it is orphaned again). 0, or -ENOSPC when full.
 */
int origins__reparent(struct origins *o, const struct rt_reparent_report *r);

/* The origin of process @h (its pid and start), in @out; false if unknown. */
bool origins__find(const struct origins *o, const struct rt_event_hdr *h, struct rt_origin *out);

/*
 * Process @h was reaped at h->ts_ns: forget it a second later (its own
 * orphans' adoption may still be on its way), or sooner once
 * RT_ORIGIN_LINGER_MAX reaped ones are waiting.
 */
void origins__forget(struct origins *o, const struct rt_event_hdr *h);
/* Forget the processes reaped more than a second before @now_ns. */
void origins__expire(struct origins *o, __u64 now_ns);

size_t origins__count(const struct origins *o);

#endif /* REAPERTRACE_ORIGINS_H */
