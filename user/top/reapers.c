// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* top's per-reaper counts and the zombies it follows: see reapers.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/array.h"
#include "lib/cgroups.h"
#include "lib/task_table.h"
#include "top/reapers.h"

/* As many zombies as the BPF side tracks; reapers are far fewer. */
#define MAX_ZOMBIES (1 << 18)
#define MAX_REAPERS (1 << 16)

/* Both tables are keyed by a pid alone: top follows pids, not process starts. */
struct top_zombie {
	__u32 owner; /* the reaper whose child it is now */
	__u64 since_ns;
};

struct top_table {
	struct task_table *reapers;
	struct task_table *zombies;
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
	t->reapers = task_table__new(sizeof(struct top_reaper), MAX_REAPERS);
	t->zombies = task_table__new(sizeof(struct top_zombie), MAX_ZOMBIES);
	t->idle_ns = idle_ns;
	if (!t->reapers || !t->zombies) {
		top_table__free(t);
		return NULL;
	}
	return t;
}

void top_table__free(struct top_table *t)
{
	if (!t)
		return;
	task_table__free(t->reapers);
	task_table__free(t->zombies);
	free(t->rows);
	free(t);
}

/* The inode of /proc/PID/ns/pid, 0 when the process is gone. */
static struct task_key key_of(__u32 pid)
{
	struct task_key k = { .pid = pid };

	return k;
}

static struct top_reaper *find_reaper(const struct top_table *t, __u32 pid)
{
	struct task_key k = key_of(pid);

	return task_table__lookup(t->reapers, &k);
}

static struct top_zombie *find_zombie(const struct top_table *t, __u32 pid)
{
	struct task_key k = key_of(pid);

	return task_table__lookup(t->zombies, &k);
}

static void forget_zombie(struct top_table *t, __u32 pid)
{
	struct task_key k = key_of(pid);

	task_table__delete(t->zombies, &k, NULL);
}

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
	struct task_key k = key_of(task->pid);
	struct top_reaper *r;
	bool created;

	r = task_table__insert(t->reapers, &k, &created);
	if (!r) {
		t->sums.untracked++;
		return NULL;
	}
	r->pid = task->pid;
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
	struct top_reaper *r = find_reaper(t, z->owner);

	if (r && r->zombies)
		r->zombies--;
}

void top_table__zombie(struct top_table *t, __u32 pid, __u32 pidns, const struct rt_task *parent,
		       __u64 ts_ns)
{
	struct task_key k = key_of(pid);
	struct top_reaper *r;
	struct top_zombie *z;
	bool created;

	r = reaper_of(t, parent, ts_ns);
	if (!r)
		return;
	r->zombies_seen++;
	t->sums.zombies_seen++;
	z = task_table__insert(t->zombies, &k, &created);
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
	struct top_zombie *z = find_zombie(t, pid);
	struct top_reaper *r;

	/* Already reaped (the reap can come first), or not tracked. */
	if (!z || z->owner == new_parent->pid)
		return;
	disown(t, z);
	r = reaper_of(t, new_parent, ts_ns);
	if (!r) {
		forget_zombie(t, pid);
		return;
	}
	z->owner = r->pid;
	r->zombies++;
}

void top_table__reap(struct top_table *t, __u32 pid, const struct rt_task *reaper, __u64 ts_ns,
		     bool count)
{
	struct top_zombie *z = find_zombie(t, pid);
	struct top_reaper *r = NULL;
	struct rt_task owner = {};

	if (z) {
		disown(t, z);
		owner.pid = owner.tid = z->owner;
		forget_zombie(t, pid);
	} else if (!count) {
		return;
	}
	if (reaper)
		r = reaper_of(t, reaper, ts_ns);
	else if (owner.pid)
		r = find_reaper(t, owner.pid);
	if (!r)
		return;
	if (ts_ns > r->active_ns)
		r->active_ns = ts_ns;
	r->reaps++;
	t->sums.reaps++;
}

void top_table__pidns(struct top_table *t, __u32 pid, __u32 pidns)
{
	struct top_reaper *r = find_reaper(t, pid);

	if (r && !r->pidns)
		r->pidns = pidns;
}

static double per_second(__u64 n, __u64 elapsed_ns)
{
	return elapsed_ns ? n * 1e9 / elapsed_ns : 0;
}

/* A count's interval: what it gained since the mark, and that per second. */
static void roll(__u64 total, __u64 *mark, __u64 *last, double *rate, __u64 elapsed_ns)
{
	*last = total - *mark;
	*mark = total;
	*rate = per_second(*last, elapsed_ns);
}

/* A reaper with nothing outstanding, idle for long enough. */
static bool idle(const struct top_table *t, const struct top_reaper *r, __u64 now_ns)
{
	return t->idle_ns && !r->zombies && !r->adoptions_last && !r->reaps_last &&
	       r->active_ns + t->idle_ns < now_ns;
}

/*
 * Forgets the @nr idle reapers. A deletion moves entries, so their keys are
 * gathered first; without memory for that, they wait for the next tick.
 */
static void evict_idle(struct top_table *t, __u64 now_ns, size_t nr)
{
	struct task_key *keys, k;
	struct top_reaper *r;
	size_t pos = 0, n = 0, i;

	if (!nr)
		return;
	keys = malloc(nr * sizeof(*keys));
	if (!keys)
		return;
	while (n < nr && (r = task_table__next(t->reapers, &pos, &k)))
		if (idle(t, r, now_ns))
			keys[n++] = k;
	for (i = 0; i < n; i++)
		task_table__delete(t->reapers, &keys[i], NULL);
	t->sums.reapers_evicted += n;
	free(keys);
}

void top_table__advance(struct top_table *t, __u64 now_ns, __u64 elapsed_ns)
{
	struct top_sums *s = &t->sums;
	struct top_reaper *r;
	struct task_key k;
	size_t pos = 0, nr_idle = 0;

	while ((r = task_table__next(t->reapers, &pos, &k))) {
		roll(r->adoptions, &r->adoptions_mark, &r->adoptions_last, &r->adoptions_rate,
		     elapsed_ns);
		roll(r->reaps, &r->reaps_mark, &r->reaps_last, &r->reaps_rate, elapsed_ns);
		nr_idle += idle(t, r, now_ns);
	}
	/* Not the sum of the rows: the sums keep counting what evicted rows did. */
	roll(s->adoptions, &s->adoptions_mark, &s->adoptions_last, &s->adoptions_rate, elapsed_ns);
	roll(s->reaps, &s->reaps_mark, &s->reaps_last, &s->reaps_rate, elapsed_ns);
	evict_idle(t, now_ns, nr_idle);
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
	size_t nr = task_table__count(t->reapers), pos, n = 0;
	struct top_reaper *r;
	struct top_zombie *z;
	struct task_key k;

	if (array_reserve((void **)&t->rows, &t->rows_cap, sizeof(*t->rows), nr))
		return -ENOMEM;
	t->sums.zombies = 0;
	for (pos = 0; (r = task_table__next(t->reapers, &pos, &k));) {
		r->oldest_ns = 0;
		/* Once, here rather than per event: most reapers learn it from their own events. */
		if (!r->pidns && !r->pidns_asked) {
			r->pidns = proc_pidns(r->pid);
			r->pidns_asked = true;
		}
		if (!r->container_asked) {
			r->in_container = cgroups__container_of_pid(r->pid, &r->container);
			r->container_asked = true;
		}
		t->sums.zombies += r->zombies;
		t->rows[n++] = r;
	}
	for (pos = 0; (z = task_table__next(t->zombies, &pos, &k));) {
		r = find_reaper(t, z->owner);
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
