// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The join of reparent records with their adoption: see adoptions.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "trace/adoptions.h"

/* The orphans of one exiting thread, in the order the kernel listed them. */
struct batch {
	__u64 exit_ts; /* with tid, names one exit: a tid is reused, an exec changes it */
	__u32 tid;
	__u32 pid; /* its process */
	size_t nr, cap;
	struct rt_reparent_event *orphans;
};

/* Few threads are mid-exit at once: a short array, searched linearly. */
struct adoptions {
	struct batch *batches;
	size_t nr, cap;
	size_t held;
};

struct adoptions *adoptions__new(void)
{
	return calloc(1, sizeof(struct adoptions));
}

void adoptions__free(struct adoptions *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nr; i++)
		free(a->batches[i].orphans);
	free(a->batches);
	free(a);
}

static struct batch *find_batch(struct adoptions *a, __u32 tid, __u64 exit_ts)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (a->batches[i].tid == tid && a->batches[i].exit_ts == exit_ts)
			return &a->batches[i];
	return NULL;
}

/* Drop @b from @a. */
static void forget_batch(struct adoptions *a, struct batch *b)
{
	a->held -= b->nr;
	free(b->orphans);
	*b = a->batches[--a->nr];
}

/*
 * Report each orphan of @b as @how says (its orphan's own fields filled in
 * here), and drop @b. A @how with no ts_ns: each at its own exit's time.
 */
static void report_batch(struct adoptions *a, struct batch *b, const struct rt_reparent_report *how,
			 adoption_report_fn fn, void *ctx)
{
	struct rt_reparent_report r = *how;
	size_t i;

	for (i = 0; i < b->nr; i++) {
		const struct rt_reparent_event *o = &b->orphans[i];

		r.orphan = &o->hdr;
		r.old_parent = o->old_parent;
		r.pdeath_signal = o->pdeath_signal;
		r.was_zombie = o->flags & RT_REPARENT_WAS_ZOMBIE;
		if (!how->ts_ns)
			r.ts_ns = o->hdr.ts_ns;
		fn(&r, ctx);
	}
	forget_batch(a, b);
}

/*
 * The batch of another exit of the same process that holds @e's orphan, or
 * NULL. A process's children lists change only by fork and by reparenting,
 * so an orphan of thread Tk that is on the list of thread Tj's exit was
 * handed to Tj by Tk's exit_notify(): find_new_reaper() chose Tj, a live
 * thread (find_alive_thread(): no PF_EXITING, which Tj sets before this
 * walk of its children). Tk's adoption record may read the orphan's
 * real_parent only after Tj's exit_notify() moved it on (Tk's exit is
 * settled late: at its release, or by the next exit notification), and
 * would name whoever has it last; it comes after this record, reserved
 * before Tj's exit_notify().
 */
static struct batch *handed_batch(struct adoptions *a, const struct rt_reparent_event *e)
{
	size_t i, j;

	for (i = 0; i < a->nr; i++) {
		struct batch *b = &a->batches[i];

		if (b->pid != e->old_parent.pid ||
		    (b->tid == e->old_parent.tid && b->exit_ts == e->hdr.ts_ns))
			continue;
		for (j = 0; j < b->nr; j++)
			if (b->orphans[j].hdr.task.pid == e->hdr.task.pid &&
			    b->orphans[j].hdr.start_ns == e->hdr.start_ns)
				return b;
	}
	return NULL;
}

int adoptions__add(struct adoptions *a, const struct rt_reparent_event *e, adoption_report_fn fn,
		   void *ctx)
{
	struct rt_reparent_report handoff = {
		.ts_ns = e->hdr.ts_ns,
		.new_parent = e->old_parent,
		.kind = RT_KIND_THREAD,
		.resolved = true,
	};
	struct batch *b;

	/* Its batch went to this thread whole: report it; its adoption record finds nothing. */
	while ((b = handed_batch(a, e)))
		report_batch(a, b, &handoff, fn, ctx);
	b = find_batch(a, e->old_parent.tid, e->hdr.ts_ns);
	if (!b) {
		if (array_reserve((void **)&a->batches, &a->cap, sizeof(*b), a->nr + 1))
			return -ENOMEM;
		b = &a->batches[a->nr++];
		memset(b, 0, sizeof(*b));
		b->tid = e->old_parent.tid;
		b->pid = e->old_parent.pid;
		b->exit_ts = e->hdr.ts_ns;
	}
	if (array_reserve((void **)&b->orphans, &b->cap, sizeof(*e), b->nr + 1))
		return -ENOMEM;
	b->orphans[b->nr++] = *e;
	a->held++;
	return 0;
}

void adoptions__resolve(struct adoptions *a, const struct rt_adopted_event *e,
			adoption_report_fn fn, void *ctx)
{
	struct batch *b = find_batch(a, e->exit_tid, e->exit_ts_ns);
	struct rt_reparent_report how = {
		.ts_ns = e->hdr.ts_ns,
		.old_parent_start_ns = e->hdr.start_ns,
		.old_parent_cgroup_id = e->hdr.cgroup_id,
		.new_parent = e->new_parent,
		.kind = e->kind,
		.resolved = !(e->flags & RT_ADOPTED_UNRESOLVED),
	};

	if (!b)
		return; /* reported already, handed to another thread (adoptions__add) */
	if (e->flags & RT_ADOPTED_NONE)
		forget_batch(a, b); /* not reparented after all: no events */
	else
		report_batch(a, b, &how, fn, ctx);
}

void adoptions__flush(struct adoptions *a, adoption_report_fn fn, void *ctx)
{
	static const struct rt_reparent_report unresolved = { .kind = RT_KIND_UNKNOWN };

	while (a->nr)
		report_batch(a, &a->batches[0], &unresolved, fn, ctx);
}

size_t adoptions__held(const struct adoptions *a)
{
	return a->held;
}
