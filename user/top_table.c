// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "top_table.h"

/* As many zombies as the BPF side tracks; reapers are far fewer. */
#define MAX_ZOMBIES (1 << 18)
#define MAX_REAPERS (1 << 16)

struct top_zombie {
	__u32 pid;   /* first, the table's key */
	__u32 owner; /* the reaper whose child it is now */
	__u64 since_ns;
};

struct top_table {
	struct pid_table reapers;
	struct pid_table zombies;
	struct top_sums sums;
	__u64 idle_ns;
	const struct top_reaper **rows;
	size_t rows_cap;
};

struct top_table *top_table__new(__u64 idle_ns)
{
	struct top_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pid_table__init(&t->reapers, sizeof(struct top_reaper), MAX_REAPERS);
	pid_table__init(&t->zombies, sizeof(struct top_zombie), MAX_ZOMBIES);
	t->idle_ns = idle_ns;
	return t;
}

void top_table__free(struct top_table *t)
{
	if (!t)
		return;
	pid_table__fini(&t->reapers);
	pid_table__fini(&t->zombies);
	free(t->rows);
	free(t);
}

/* The inode of /proc/PID/ns/pid, 0 when the process is gone. */
static __u32 proc_pidns(__u32 pid)
{
	char path[48];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/pid", pid);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* The row of @task's process, made if new; NULL when there is no room. */
static struct top_reaper *reaper_of(struct top_table *t, const struct rt_task *task, __u64 ts_ns)
{
	struct top_reaper *r;
	int created;

	r = pid_table__get(&t->reapers, task->pid, &created);
	if (!r) {
		t->sums.untracked++;
		return NULL;
	}
	/* A row names the process: prefer its main thread's comm. */
	if (created || (!r->comm_is_leader && task->tid == task->pid)) {
		memcpy(r->comm, task->comm, sizeof(r->comm));
		r->comm[sizeof(r->comm) - 1] = 0;
		r->comm_is_leader = task->tid == task->pid;
	}
	if (ts_ns > r->active_ns)
		r->active_ns = ts_ns;
	return r;
}

void top_table__adopt(struct top_table *t, const struct rt_task *reaper, __u64 ts_ns)
{
	struct top_reaper *r = reaper_of(t, reaper, ts_ns);

	if (!r)
		return;
	r->adoptions++;
	t->sums.adoptions++;
}

/* Zombie @z no longer belongs to its owner. */
static void disown(struct top_table *t, const struct top_zombie *z)
{
	struct top_reaper *r = pid_table__find(&t->reapers, z->owner);

	if (r && r->zombies)
		r->zombies--;
}

void top_table__zombie(struct top_table *t, __u32 pid, __u32 pidns, const struct rt_task *parent,
		       __u64 ts_ns)
{
	struct top_reaper *r;
	struct top_zombie *z;
	int created;

	r = reaper_of(t, parent, ts_ns);
	if (!r)
		return;
	r->zombies_seen++;
	t->sums.zombies_seen++;
	z = pid_table__get(&t->zombies, pid, &created);
	if (!z) {
		t->sums.untracked++;
		return;
	}
	/* Still there: its reap was lost, and its pid is in use again. */
	if (!created)
		disown(t, z);
	z->owner = r->pid;
	z->since_ns = ts_ns;
	r->zombies++;
	top_table__pidns(t, pid, pidns);
}

void top_table__move(struct top_table *t, __u32 pid, const struct rt_task *new_parent, __u64 ts_ns)
{
	struct top_zombie *z = pid_table__find(&t->zombies, pid);
	struct top_reaper *r;

	/* Already reaped (the reap can come first), or not tracked. */
	if (!z || z->owner == new_parent->pid)
		return;
	disown(t, z);
	r = reaper_of(t, new_parent, ts_ns);
	if (!r) {
		pid_table__del(&t->zombies, z);
		return;
	}
	z->owner = r->pid;
	r->zombies++;
}

void top_table__reap(struct top_table *t, __u32 pid, const struct rt_task *reaper, __u64 ts_ns,
		     bool count)
{
	struct top_zombie *z = pid_table__find(&t->zombies, pid);
	struct top_reaper *r = NULL;
	struct rt_task owner = {};

	if (z) {
		disown(t, z);
		owner.pid = owner.tid = z->owner;
		pid_table__del(&t->zombies, z);
	} else if (!count) {
		return;
	}
	if (reaper)
		r = reaper_of(t, reaper, ts_ns);
	else if (owner.pid)
		r = pid_table__find(&t->reapers, owner.pid);
	if (!r)
		return;
	if (ts_ns > r->active_ns)
		r->active_ns = ts_ns;
	r->reaps++;
	t->sums.reaps++;
}

void top_table__pidns(struct top_table *t, __u32 pid, __u32 pidns)
{
	struct top_reaper *r = pid_table__find(&t->reapers, pid);

	if (r && !r->pidns)
		r->pidns = pidns;
}

static double per_second(__u64 n, __u64 elapsed_ns)
{
	return elapsed_ns ? n * 1e9 / elapsed_ns : 0;
}

void top_table__advance(struct top_table *t, __u64 now_ns, __u64 elapsed_ns)
{
	struct top_reaper *r;
	size_t i;

	struct top_sums *s = &t->sums;

	for (i = 0; i < t->reapers.cap; i++) {
		r = pid_table__slot(&t->reapers, i);
		if (!r)
			continue;
		r->adoptions_last = r->adoptions - r->adoptions_mark;
		r->reaps_last = r->reaps - r->reaps_mark;
		r->adoptions_mark = r->adoptions;
		r->reaps_mark = r->reaps;
		r->adoptions_rate = per_second(r->adoptions_last, elapsed_ns);
		r->reaps_rate = per_second(r->reaps_last, elapsed_ns);
	}
	/* Not the sum of the rows: the sums keep counting what evicted rows did. */
	s->adoptions_last = s->adoptions - s->adoptions_mark;
	s->reaps_last = s->reaps - s->reaps_mark;
	s->adoptions_mark = s->adoptions;
	s->reaps_mark = s->reaps;
	s->adoptions_rate = per_second(s->adoptions_last, elapsed_ns);
	s->reaps_rate = per_second(s->reaps_last, elapsed_ns);
	if (!t->idle_ns)
		return;
	for (i = 0; i < t->reapers.cap;) {
		r = pid_table__slot(&t->reapers, i);
		if (r && !r->zombies && !r->adoptions_last && !r->reaps_last &&
		    r->active_ns + t->idle_ns < now_ns) {
			/* A later entry may move into slot i: look at it again. */
			pid_table__del(&t->reapers, r);
			t->sums.reapers_evicted++;
			continue;
		}
		i++;
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct top_reaper *x = *(const struct top_reaper *const *)a;
	const struct top_reaper *y = *(const struct top_reaper *const *)b;

	if (x->zombies != y->zombies)
		return x->zombies > y->zombies ? -1 : 1;
	if (x->adoptions_rate != y->adoptions_rate)
		return x->adoptions_rate > y->adoptions_rate ? -1 : 1;
	if (x->adoptions != y->adoptions)
		return x->adoptions > y->adoptions ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int top_table__snapshot(struct top_table *t, const struct top_reaper *const **rows, size_t *nr_rows)
{
	struct top_reaper *r;
	struct top_zombie *z;
	size_t i, n = 0;

	if (t->rows_cap < t->reapers.nr) {
		const struct top_reaper **p;
		size_t cap = t->reapers.nr * 2;

		p = realloc(t->rows, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->rows = p;
		t->rows_cap = cap;
	}
	t->sums.zombies = 0;
	for (i = 0; i < t->reapers.cap; i++) {
		r = pid_table__slot(&t->reapers, i);
		if (!r)
			continue;
		r->oldest_ns = 0;
		/* Once, here rather than per event: most reapers learn it from their own events. */
		if (!r->pidns && !r->pidns_asked) {
			r->pidns = proc_pidns(r->pid);
			r->pidns_asked = true;
		}
		t->sums.zombies += r->zombies;
		t->rows[n++] = r;
	}
	for (i = 0; i < t->zombies.cap; i++) {
		z = pid_table__slot(&t->zombies, i);
		if (!z)
			continue;
		r = pid_table__find(&t->reapers, z->owner);
		if (r && (!r->oldest_ns || z->since_ns < r->oldest_ns))
			r->oldest_ns = z->since_ns ?: 1;
	}
	qsort(t->rows, n, sizeof(*t->rows), cmp_rows);
	*rows = t->rows;
	*nr_rows = n;
	return 0;
}

const struct top_sums *top_table__sums(const struct top_table *t)
{
	return &t->sums;
}
