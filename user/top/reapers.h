/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * reapertrace top: the per-reaper counts. A reaper is a process that
 * adopted orphans or that has or had zombie children. Each zombie seen is
 * remembered (pid, whose it is, since when) until its reap, following it
 * when it is reparented, so that "zombies now" is exact for the zombies
 * that appeared while reapertrace ran. Memory is bounded: both tables have
 * a fixed maximum, and a reaper with nothing outstanding is forgotten once
 * it has been idle for a while.
 */
#ifndef REAPERTRACE_TOP_TABLE_H
#define REAPERTRACE_TOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "events.h"
#include "lib/container.h"

struct top_reaper {
	__u32 pid;   /* global tgid, the table's key */
	__u32 pidns; /* inode of its PID namespace, 0 = unknown */
	char comm[RT_COMM_LEN];
	bool comm_is_leader;  /* comm is the main thread's */
	bool pidns_asked;     /* /proc was asked for its pidns */
	bool container_asked; /* /proc was asked for its cgroup */
	bool in_container;
	struct container container;	   /* if in_container: the reaper's own */
	__u32 zombies;			   /* outstanding zombie children */
	__u64 zombies_seen;		   /* zombie children since the start */
	__u64 adoptions;		   /* orphans adopted since the start */
	__u64 reaps;			   /* zombies reaped since the start */
	__u64 adoptions_mark, reaps_mark;  /* the totals at the previous tick */
	__u64 adoptions_last, reaps_last;  /* in the previous interval */
	double adoptions_rate, reaps_rate; /* per second over the previous interval */
	__u64 oldest_ns;		   /* CLOCK_BOOTTIME of its oldest zombie, 0 = none */
	__u64 active_ns;		   /* CLOCK_BOOTTIME of its last event */
};

struct top_sums {
	__u64 adoptions, reaps, zombies_seen;
	__u64 adoptions_last, reaps_last; /* in the previous interval */
	__u64 adoptions_mark, reaps_mark;
	double adoptions_rate, reaps_rate;
	__u64 zombies;	       /* outstanding, all reapers */
	__u64 untracked;       /* zombies or reapers the tables had no room for */
	__u64 reapers_evicted; /* idle reapers forgotten */
};

struct top_table;

/* 0 idle_ns: never forget a reaper. */
struct top_table *top_table__new(__u64 idle_ns);
void top_table__free(struct top_table *t);

/* @reaper (a task: its pid is the process) adopted an orphan at @ts_ns. */
void top_table__adopt(struct top_table *t, const struct rt_task *reaper, __u64 ts_ns);
/* Process @pid (in @pidns) became a zombie child of @parent at @ts_ns. */
void top_table__zombie(struct top_table *t, __u32 pid, __u32 pidns, const struct rt_task *parent,
		       __u64 ts_ns);
/* Zombie @pid, adopted at @ts_ns, is now @new_parent's to reap. */
void top_table__move(struct top_table *t, __u32 pid, const struct rt_task *new_parent, __u64 ts_ns);
/*
 * Zombie @pid was reaped at @ts_ns, by @reaper (NULL: released without a
 * wait, counted for the parent it belonged to). @count: count the reap even
 * when the zombie was not being tracked.
 */
void top_table__reap(struct top_table *t, __u32 pid, const struct rt_task *reaper, __u64 ts_ns,
		     bool count);
/* Learn the namespace of process @pid, if it is a reaper without one yet. */
void top_table__pidns(struct top_table *t, __u32 pid, __u32 pidns);

/*
 * End of an interval of @elapsed_ns at CLOCK_BOOTTIME @now_ns: per-second
 * rates over it, and reapers with nothing outstanding, idle longer than
 * idle_ns, forgotten.
 */
void top_table__advance(struct top_table *t, __u64 now_ns, __u64 elapsed_ns);
/*
 * The reapers now, with their oldest zombie, sorted by zombies now,
 * then adoptions per second, adoptions, pid. The rows are valid until the
 * next call into the table. 0 or -ENOMEM.
 */
int top_table__snapshot(struct top_table *t, const struct top_reaper *const **rows,
			size_t *nr_rows);
const struct top_sums *top_table__sums(const struct top_table *t);

#endif /* REAPERTRACE_TOP_TABLE_H */
