/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A recording of what the tracer was fed (REAPERTRACE_RECORD=FILE): each
 * ring buffer record as it came, and each moment the tracer read the clock
 * or the kernel's counters, in order. Fed back through the same code
 * (REAPERTRACE_REPLAY, tests/unit/test_replay.c), it gives the same output byte for byte: what the unit
 * tests check the printers and joins against, without root or a kernel.
 *
 * The file: a struct rt_recording_header, then entries, each a struct
 * rt_recording_entry and @len bytes, in host byte order. A debugging aid,
 * not an interface: the version changes with the record layouts.
 */
#ifndef REAPERTRACE_RECORDING_H
#define REAPERTRACE_RECORDING_H

#include <stdio.h>
#include <linux/types.h>
#include "events.h"

#define RT_RECORDING_MAGIC   "RTRECORD"
#define RT_RECORDING_VERSION 2
#define RT_RECORDING_OLDEST  1 /* the oldest version still replayed */

struct rt_recording_header {
	char magic[8];
	__u32 version;
	__u32 events;	       /* bit (1 << type): what the programs delivered */
	__s64 clock_offset_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME at the start */
};

enum rt_recording_kind {
	RT_REC_EVENT = 1,      /* a ring buffer record, as it came */
	RT_REC_COUNTS,	       /* struct rt_counts: the kernel's counters, read */
	RT_REC_EXPIRE,	       /* struct rt_clock_entry: forget the origins reaped a while ago */
	RT_REC_LEAK_CHECK,     /* struct rt_clock_entry: --zombie-age looks */
	RT_REC_FLUSH,	       /* the end: orphans still held are reported unresolved */
	RT_REC_END,	       /* the summary */
	RT_REC_CGROUP,	       /* struct rt_cgroup_entry: where a cgroup id was found */
	RT_REC_CONTAINER_NAME, /* struct rt_container_name_entry: Docker named its container */
	RT_REC_PIDS,	       /* struct rt_pids_entry: a leak's pids.max, read before its check */
};

struct rt_recording_entry {
	__u32 kind; /* enum rt_recording_kind */
	__u32 len;  /* bytes that follow */
};

/* The BPF side's counters, as read at @ts_ns (CLOCK_BOOTTIME). */
struct rt_counts {
	__u64 ts_ns;
	__u64 lost; /* records the ring buffer had no room for, every type */
	__u64 orphans_truncated;
	__u64 zombies_untracked; /* the BPF zombie table was full */
	__u64 runs_skipped;	 /* program runs the kernel skipped */
	__u64 runs_rescued;	 /* ... that the exit walk's standby made up for */
	__u64 unresolved_adoptions;
	__u32 max_orphans; /* the walk's bound, for the truncation message */
	__u32 reserved;
	char skipped_prog[32]; /* the program with the most skipped runs */
	/* Since version 2: a version 1 entry ends before it (all zero on replay). */
	__u64 lost_by_type[RT_EV_MAX]; /* lost, of each type (enum rt_event_type) */
};

/* A cgroup id and its path under the cgroup2 mount, not NUL-terminated; no path: not found. */
struct rt_cgroup_entry {
	__u64 id;
	char path[4000];
};

/* The name of the container cgroup @cgroup_id is in, NUL-terminated. */
struct rt_container_name_entry {
	__u64 cgroup_id;
	char name[128];
};

/* What the pids controller said of the cgroup limiting a leak's oldest zombie. */
struct rt_pids_entry {
	__u64 cgroup_id; /* the oldest zombie's (cgroup2) */
	__s64 current, max;
	__u32 zombies;
	__u32 reserved;
	char cgroup[512];
};

struct rt_clock_entry {
	__u64 now_ns; /* CLOCK_BOOTTIME */
	__u32 final;  /* 1: the last look, at the end */
	__u32 reserved;
};

struct rt_recording {
	FILE *f;
	const char *path;
	int err; /* the first write error; nothing more is written after it */
};

/* Creates @path and writes @h. 0 or -errno after printing why. */
int rt_recording_create(struct rt_recording *r, const char *path,
			const struct rt_recording_header *h);
/* Appends one entry; after a write error, says so once and records no more. */
void rt_recording_put(struct rt_recording *r, __u32 kind, const void *data, size_t len);
/* 0, or -errno if anything was not written. */
int rt_recording_close(struct rt_recording *r);

/* Reads and checks the header. 0 or -EINVAL (not a recording of this version). */
int rt_recording_read_header(FILE *f, struct rt_recording_header *h);
/*
 * The next entry, its payload in @buf (at most @size bytes; a longer one is
 * -EINVAL). 1, 0 at the end, or -EINVAL for a cut or corrupt file.
 */
int rt_recording_next(FILE *f, struct rt_recording_entry *e, void *buf, size_t size);

#endif /* REAPERTRACE_RECORDING_H */
