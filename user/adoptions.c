// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adoptions.h"

/* The orphans of one exiting thread, in the order the kernel listed them. */
struct batch {
	__u64 exit_ts; /* with tid, names one exit: a tid is reused, an exec changes it */
	__u32 tid;
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

static int grow(void **array, size_t *cap, size_t elem_size)
{
	size_t new_cap = *cap ? *cap * 2 : 16;
	void *p = realloc(*array, new_cap * elem_size);

	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = new_cap;
	return 0;
}

int adoptions__add(struct adoptions *a, const struct rt_reparent_event *e)
{
	struct batch *b = find_batch(a, e->old_parent.tid, e->hdr.ts_ns);

	if (!b) {
		if (a->nr == a->cap && grow((void **)&a->batches, &a->cap, sizeof(*b)))
			return -ENOMEM;
		b = &a->batches[a->nr++];
		memset(b, 0, sizeof(*b));
		b->tid = e->old_parent.tid;
		b->exit_ts = e->hdr.ts_ns;
	}
	if (b->nr == b->cap && grow((void **)&b->orphans, &b->cap, sizeof(*e)))
		return -ENOMEM;
	b->orphans[b->nr++] = *e;
	a->held++;
	return 0;
}

/* Drop @b from @a. */
static void forget_batch(struct adoptions *a, struct batch *b)
{
	a->held -= b->nr;
	free(b->orphans);
	*b = a->batches[--a->nr];
}

static void report_batch(struct adoptions *a, struct batch *b, const struct rt_adopted_event *e,
			 adoption_report_fn fn, void *ctx)
{
	struct rt_reparent_report r = {};
	size_t i;

	for (i = 0; i < b->nr; i++) {
		const struct rt_reparent_event *o = &b->orphans[i];

		r.orphan = &o->hdr;
		r.old_parent = o->old_parent;
		r.pdeath_signal = o->pdeath_signal;
		r.was_zombie = o->flags & RT_REPARENT_WAS_ZOMBIE;
		if (e) {
			r.ts_ns = e->hdr.ts_ns;
			r.old_parent_start_ns = e->hdr.start_ns;
			r.old_parent_cgroup_id = e->hdr.cgroup_id;
			r.resolved = !(e->flags & RT_ADOPTED_UNRESOLVED);
			r.new_parent = e->new_parent;
			r.kind = e->kind;
		} else {
			r.ts_ns = o->hdr.ts_ns;
			r.kind = RT_KIND_UNKNOWN;
		}
		fn(&r, ctx);
	}
	forget_batch(a, b);
}

void adoptions__resolve(struct adoptions *a, const struct rt_adopted_event *e,
			adoption_report_fn fn, void *ctx)
{
	struct batch *b = find_batch(a, e->exit_tid, e->exit_ts_ns);

	if (!b)
		return;
	if (e->flags & RT_ADOPTED_NONE)
		forget_batch(a, b); /* not reparented after all: no events */
	else
		report_batch(a, b, e, fn, ctx);
}

void adoptions__flush(struct adoptions *a, adoption_report_fn fn, void *ctx)
{
	while (a->nr)
		report_batch(a, &a->batches[0], NULL, fn, ctx);
}

size_t adoptions__held(const struct adoptions *a)
{
	return a->held;
}
