// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Where each orphan came from, kept while the tracer runs: see origins.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "trace/origins.h"
#include "lib/task_table.h"

/* An exited parent that orphans still name; "up" is where it came from. */
struct node {
	__u64 start_ns;
	__u64 cgroup_id;
	__u32 pid;
	__u32 up;   /* index + 1 of its own origin's node, 0 for none; next free when free */
	__u32 refs; /* orphans and nodes that name it; 0: free */
	char comm[RT_COMM_LEN];
};

/* A reaped orphan, forgotten only after ORIGIN_LINGER_NS. */
struct gone {
	struct task_key key;
	__u64 ts;
};

/*
 * How long a reaped orphan's origin stays: its own orphans' adoption is
 * seen at the end of its exit, which can come after the wait that reaped
 * it. Keys hold the start time, so a reused pid never finds it.
 */
#define ORIGIN_LINGER_NS 1000000000ULL

struct origins {
	struct task_table *orphans; /* orphan -> __u32 node index + 1 */
	struct gone *gone;	    /* oldest first, from gone_head */
	size_t gone_head, nr_gone, cap_gone;
	struct node *nodes;
	__u32 nr_nodes;
	size_t cap_nodes;
	__u32 free_list; /* index + 1 */
	__u32 last;	 /* index + 1 of the newest node: the orphans of one exit share it */
};

struct origins *origins__new(size_t max_orphans)
{
	struct origins *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->orphans = task_table__new(sizeof(__u32), max_orphans);
	if (!o->orphans) {
		free(o);
		return NULL;
	}
	return o;
}

void origins__free(struct origins *o)
{
	if (!o)
		return;
	free(o->gone);
	task_table__free(o->orphans);
	free(o->nodes);
	free(o);
}

/* A new node (refs 0), or 0; returns index + 1. */
static __u32 new_node(struct origins *o)
{
	__u32 id = o->free_list;

	if (id) {
		o->free_list = o->nodes[id - 1].up;
	} else {
		if (array_reserve((void **)&o->nodes, &o->cap_nodes, sizeof(*o->nodes),
				  o->nr_nodes + 1))
			return 0;
		id = ++o->nr_nodes;
	}
	memset(&o->nodes[id - 1], 0, sizeof(struct node));
	return id;
}

/* Drops one reference to node @id, freeing it and its own origin when unused. */
static void put_node(struct origins *o, __u32 id)
{
	while (id) {
		struct node *n = &o->nodes[id - 1];
		__u32 up = n->up;

		if (--n->refs)
			return;
		n->up = o->free_list;
		o->free_list = id;
		id = up;
	}
}

/* The node of the parent @r's orphan left, shared by all orphans of its exit. */
static __u32 parent_node(struct origins *o, const struct rt_reparent_report *r)
{
	struct task_key parent = { .pid = r->old_parent.pid, .start_ns = r->old_parent_start_ns };
	struct node *n;
	__u32 id = o->last, *up;

	if (id) {
		n = &o->nodes[id - 1];
		if (n->refs && n->pid == parent.pid && n->start_ns == parent.start_ns)
			return id;
	}
	id = new_node(o);
	if (!id)
		return 0;
	n = &o->nodes[id - 1];
	n->pid = parent.pid;
	n->start_ns = parent.start_ns;
	n->cgroup_id = r->old_parent_cgroup_id;
	memcpy(n->comm, r->old_parent.comm, sizeof(n->comm));
	/* The parent was an orphan itself: its origin goes on. */
	up = parent.start_ns ? task_table__lookup(o->orphans, &parent) : NULL;
	if (up && *up) {
		n->up = *up;
		o->nodes[*up - 1].refs++;
	}
	o->last = id;
	return id;
}

int origins__reparent(struct origins *o, const struct rt_reparent_report *r)
{
	struct task_key key = { .pid = r->orphan->task.pid, .start_ns = r->orphan->start_ns };
	bool created;
	__u32 *slot, id;

	/* A handoff between threads: the process that forked it is still its parent. */
	if (r->kind == RT_KIND_THREAD || !r->old_parent.pid)
		return 0;
	if (task_table__lookup(o->orphans, &key))
		return 0; /* orphaned again: the first origin is the one that tells */
	id = parent_node(o, r);
	if (!id)
		return -ENOMEM;
	/* Hold the node while inserting, so that a failure frees an unused one. */
	o->nodes[id - 1].refs++;
	slot = task_table__insert(o->orphans, &key, &created);
	if (!slot) {
		put_node(o, id);
		return -ENOSPC;
	}
	*slot = id;
	return 0;
}

bool origins__find(const struct origins *o, const struct rt_event_hdr *h, struct rt_origin *out)
{
	struct task_key key = { .pid = h->task.pid, .start_ns = h->start_ns };
	const __u32 *slot = task_table__lookup(o->orphans, &key);
	__u32 id = slot ? *slot : 0;

	memset(out, 0, sizeof(*out));
	for (; id && out->depth < RT_ORIGIN_DEPTH; id = o->nodes[id - 1].up) {
		const struct node *n = &o->nodes[id - 1];
		struct rt_origin_link *l = &out->links[out->depth++];

		l->pid = n->pid;
		l->cgroup_id = n->cgroup_id;
		memcpy(l->comm, n->comm, sizeof(l->comm));
	}
	out->truncated = id != 0;
	return out->depth > 0;
}

static void forget_now(struct origins *o, const struct task_key *key)
{
	__u32 id;

	if (task_table__delete(o->orphans, key, &id))
		put_node(o, id);
}

void origins__expire(struct origins *o, __u64 now_ns)
{
	while (o->gone_head < o->nr_gone && o->gone[o->gone_head].ts + ORIGIN_LINGER_NS < now_ns)
		forget_now(o, &o->gone[o->gone_head++].key);
	if (o->gone_head == o->nr_gone)
		o->gone_head = o->nr_gone = 0;
}

void origins__forget(struct origins *o, const struct rt_event_hdr *h)
{
	struct task_key key = { .pid = h->task.pid, .start_ns = h->start_ns };

	if (!task_table__lookup(o->orphans, &key))
		return;
	if (o->nr_gone == o->cap_gone) {
		/* Reuse the room of the expired ones first. */
		if (o->gone_head) {
			memmove(o->gone, o->gone + o->gone_head,
				(o->nr_gone - o->gone_head) * sizeof(*o->gone));
			o->nr_gone -= o->gone_head;
			o->gone_head = 0;
		} else if (array_reserve((void **)&o->gone, &o->cap_gone, sizeof(*o->gone),
					 o->nr_gone + 1)) {
			forget_now(o, &key);
			return;
		}
	}
	o->gone[o->nr_gone++] = (struct gone){ .key = key, .ts = h->ts_ns };
	if (o->nr_gone - o->gone_head > RT_ORIGIN_LINGER_MAX)
		forget_now(o, &o->gone[o->gone_head++].key);
}

size_t origins__count(const struct origins *o)
{
	return task_table__count(o->orphans);
}
