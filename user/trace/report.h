/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Events as they are printed: the ring buffer records, with a reparent
 * joined to the adoption that names its new parent.
 */
#ifndef REAPERTRACE_REPORT_H
#define REAPERTRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "events.h"

/* Where an orphan came from, nearest first: the parent that forked it, then where that one came from. */
#define RT_ORIGIN_DEPTH 4

/* lib/container.h: the container of a process, NULL where it is in none. */
struct container;
struct pids_limit;

struct rt_origin_link {
	__u32 pid;
	__u64 cgroup_id; /* 0 when not known */
	char comm[RT_COMM_LEN];
	const struct container *container; /* the pipeline's enrichment, for the sinks */
};

struct rt_origin {
	__u32 depth;	/* 0: not known (never orphaned while traced) */
	bool truncated; /* more links than RT_ORIGIN_DEPTH */
	struct rt_origin_link links[RT_ORIGIN_DEPTH];
};

struct rt_reparent_report {
	const struct rt_event_hdr *orphan; /* its ts_ns is when the orphan was taken */
	__u64 ts_ns;			   /* when the adoption was seen */
	struct rt_task old_parent;
	__u64 old_parent_start_ns; /* 0 when !resolved */
	__u64 old_parent_cgroup_id;
	const struct rt_origin *origin;	   /* the orphan's, after this adoption; NULL if none */
	const struct container *container; /* the orphan's; set for the sinks */
	struct rt_task new_parent;	   /* all zero when !resolved */
	__u32 kind;			   /* enum rt_reaper_kind */
	__u32 pdeath_signal;
	bool was_zombie;
	bool resolved;
};

/* A reaper that holds a zombie older than --zombie-age (reported once per reaper). */
struct rt_leak_report {
	__u64 ts_ns;
	struct rt_task reaper;
	__u32 nr_zombies; /* it holds now */
	__u32 nr_old;	  /* of them older than the limit */
	__u64 oldest_ns;  /* age of the oldest */
	__u64 limit_ns;
	struct rt_task oldest; /* the oldest zombie */
	__u32 oldest_pidns;    /* its PID namespace */
	__u64 oldest_cgroup_id;
	const struct rt_origin *origin;	   /* the oldest zombie's, NULL if not known */
	const struct container *container; /* the oldest zombie's; set for the sinks */
	const struct pids_limit
		*pids; /* lib/pids.h: what limits the oldest; NULL: none, or not read */
};

struct rt_totals {
	__u64 events; /* printed */
	__u64 lost;   /* ring buffer full */
	__u64 orphans_truncated;
	__u64 zombies_untracked;
	__u64 unresolved_adoptions;
	__u64 leaks;		/* reapers reported by --zombie-age */
	__u64 origins_dropped;	/* orphans whose origin did not fit */
	__u64 zombies_at_start; /* found by the iterator at the start */
	__u64 runs_skipped;	/* program runs the kernel skipped (recursion_misses) */
	__u64 runs_rescued;	/* ... of the exit walk, that its standby made up for */
};

/* Hooks at most in a features report (user/loader/loader.h RT_HOOK_MAX). */
#define RT_MAX_HOOKS 8

/* What the kernel took (user/loader/loader.c): the -v line and the JSON features record. */
struct rt_features_report {
	const char *orphan_walk; /* "bpf_loop" | "bounded" */
	unsigned int max_orphans;
	const char *zombie_tables; /* "dynamic" | "prealloc" */
	unsigned int max_zombies;
	const char *programs; /* "btf" | "legacy" */
	unsigned int nr_hooks;
	const char *hook[RT_MAX_HOOKS]; /* its name */
	const char *path[RT_MAX_HOOKS]; /* the path it took, "off" or "unused" */
	__u32 events;			/* bit (1 << type): what the programs deliver */
};

/* Wall-clock offset for text timestamps: CLOCK_REALTIME - CLOCK_BOOTTIME, in ns. */
void rt_text_set_clock_offset(__s64 offset_ns);

#endif /* REAPERTRACE_REPORT_H */
