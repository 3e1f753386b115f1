// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --zombie-age: the zombies followed, the reapers that hold old ones: see leaks.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/leaks.h"
#include "lib/task_table.h"

struct zombie {
	struct rt_event_hdr hdr; /* as it became a zombie: ts_ns is when */
	struct rt_task parent;	 /* who holds it now */
};

/* One reaper while checking: what it holds. */
struct holder {
	struct rt_task reaper;
	__u32 nr_zombies, nr_old;
	const struct zombie *oldest;
};

struct leaks {
	__u64 limit_ns;
	struct task_table *zombies;  /* zombie -> struct zombie */
	struct task_table *reported; /* reapers (pid, 0) reported: a set, no value */
	struct task_table *holders;  /* reaper (pid, 0) -> struct holder, during a check */
};

struct leaks *leaks__new(__u64 limit_ns, size_t max_zombies)
{
	struct leaks *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->limit_ns = limit_ns;
	l->zombies = task_table__new(sizeof(struct zombie), max_zombies);
	l->reported = task_table__new(1, max_zombies);
	l->holders = task_table__new(sizeof(struct holder), max_zombies);
	if (!l->zombies || !l->reported || !l->holders) {
		leaks__free(l);
		return NULL;
	}
	return l;
}

void leaks__free(struct leaks *l)
{
	if (!l)
		return;
	task_table__free(l->zombies);
	task_table__free(l->reported);
	task_table__free(l->holders);
	free(l);
}

static struct task_key key_of(const struct rt_event_hdr *h)
{
	return (struct task_key){ .pid = h->task.pid, .start_ns = h->start_ns };
}

int leaks__zombie(struct leaks *l, const struct rt_zombie_event *e)
{
	struct task_key key = key_of(&e->hdr);
	struct zombie *z;
	bool created;

	z = task_table__insert(l->zombies, &key, &created);
	if (!z)
		return -ENOSPC;
	z->hdr = e->hdr;
	z->parent = e->parent;
	return 0;
}

void leaks__reap(struct leaks *l, const struct rt_reap_event *e)
{
	struct task_key key = key_of(&e->hdr);

	task_table__delete(l->zombies, &key, NULL);
}

void leaks__reparent(struct leaks *l, const struct rt_reparent_report *r)
{
	struct task_key key = key_of(r->orphan);
	struct zombie *z;

	if (!r->was_zombie || !r->resolved)
		return;
	z = task_table__lookup(l->zombies, &key);
	if (z)
		z->parent = r->new_parent;
}

/* Groups the tracked zombies by the process that holds them. */
static void count_holders(struct leaks *l, __u64 now_ns)
{
	struct task_key key, reaper = {};
	const struct zombie *z;
	struct holder *h;
	size_t pos = 0;
	bool created;

	while ((z = task_table__next(l->zombies, &pos, &key))) {
		reaper.pid = z->parent.pid;
		h = task_table__insert(l->holders, &reaper, &created);
		if (!h)
			continue;
		if (created)
			h->reaper = z->parent;
		h->nr_zombies++;
		if (now_ns - z->hdr.ts_ns > l->limit_ns)
			h->nr_old++;
		if (!h->oldest || z->hdr.ts_ns < h->oldest->hdr.ts_ns)
			h->oldest = z;
	}
}

int leaks__check(struct leaks *l, __u64 now_ns,
		 bool (*origin_of)(const struct rt_event_hdr *h, struct rt_origin *out, void *ctx),
		 leak_report_fn fn, void *ctx)
{
	struct rt_leak_report r = { .ts_ns = now_ns, .limit_ns = l->limit_ns };
	struct task_key key;
	struct rt_origin origin;
	struct holder *h;
	size_t pos = 0;
	bool created;
	int n = 0;

	count_holders(l, now_ns);
	while ((h = task_table__next(l->holders, &pos, &key))) {
		if (!h->nr_old)
			continue;
		/* Once per reaper (a full set still reports). */
		if (task_table__insert(l->reported, &key, &created) && !created)
			continue;
		r.reaper = h->reaper;
		r.nr_zombies = h->nr_zombies;
		r.nr_old = h->nr_old;
		r.oldest_ns = now_ns - h->oldest->hdr.ts_ns;
		r.oldest = h->oldest->hdr.task;
		r.oldest_pidns = h->oldest->hdr.pidns;
		r.oldest_cgroup_id = h->oldest->hdr.cgroup_id;
		r.origin = origin_of && origin_of(&h->oldest->hdr, &origin, ctx) ? &origin : NULL;
		fn(&r, ctx);
		n++;
	}
	task_table__clear(l->holders);
	return n;
}

size_t leaks__tracked(const struct leaks *l)
{
	return task_table__count(l->zombies);
}

__u32 leaks__count(const struct leaks *l,
		   bool (*fn)(const struct rt_event_hdr *h, const struct rt_task *holder,
			      void *ctx),
		   void *ctx)
{
	const struct zombie *z;
	struct task_key key;
	size_t pos = 0;
	__u32 n = 0;

	while ((z = task_table__next(l->zombies, &pos, &key)))
		n += fn(&z->hdr, &z->parent, ctx);
	return n;
}
