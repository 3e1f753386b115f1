/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loading the trace programs so that a kernel, or its security policy, may
 * refuse any one of them. Each tracepoint reapertrace needs is a hook with
 * several paths to the same truth (tp_btf, then raw_tp twins with probe
 * reads, then classic tracepoints; iterators of one kind, then another).
 * A path the kernel refuses gives way to the next; a hook with no path
 * left is off, and only the event types that need it are turned off.
 */
#ifndef REAPERTRACE_LOADER_H
#define REAPERTRACE_LOADER_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "loader/bpf_features.h"
#include "trace/options.h"
#include "trace/report.h"

enum rt_hook {
	RT_HOOK_EXIT,	    /* sched_process_exit: orphans, namespace reapers' exits */
	RT_HOOK_NOTIFY,	    /* signal_generate: zombies, init signal drops, teardown kills */
	RT_HOOK_RELEASE,    /* sched_process_free: reaps without a wait, thread exits settled */
	RT_HOOK_WAITS,	    /* wait4 and waitid: reaps */
	RT_HOOK_WAIT_BEGIN, /* sched_process_wait: waits whose sys_enter run was skipped */
	RT_HOOK_PRCTL,	    /* prctl(PR_SET_CHILD_SUBREAPER) */
	RT_HOOK_SETTLE,	    /* run by the reader: exits no tracepoint settles in time */
	RT_HOOK_SEED,	    /* run once: zombies made before the start */
	RT_HOOK_MAX,
};

/* Loaded with no path: not needed for the events asked for, or every path refused. */
#define RT_PATH_UNUSED (-1)
#define RT_PATH_OFF    (-2)

/* Programs attached at once at most (every hook on its longest path). */
#define RT_MAX_LINKS 16

struct reapertrace_bpf;
struct bpf_link;
struct bpf_program;

struct rt_loader {
	struct reapertrace_bpf *skel;
	struct bpf_link *links[RT_MAX_LINKS];
	const struct bpf_program *attached[RT_MAX_LINKS]; /* links[i]'s program */
	unsigned int nr_links;
	/* The settle path's iterators (one per map for map_elem, one for task). */
	struct bpf_link *settle[2];
	bool settle_failed; /* said once */
	struct rt_features features;
	unsigned int max_zombies;
	/* The events the programs deliver: those asked for, less those turned off. */
	__u32 events;
	int path[RT_HOOK_MAX];	  /* index into the hook's paths, or RT_PATH_* */
	int refused[RT_HOOK_MAX]; /* -errno of the last path refused, 0 if none */
};

/*
 * Probe the kernel, then open, load and attach the programs @opt needs,
 * each hook on the first path the kernel takes. 0, or -errno after printing
 * why. One line on stderr for each hook turned off; with @opt->verbose,
 * also for each path refused, and the features line (rt_loader_print()).
 */
int rt_loader_load(struct rt_loader *l, const struct rt_options *opt);

/* Run the seed iterator once, after arming. 0 or -errno (said on stderr). */
int rt_loader_seed(struct rt_loader *l);

/* Run the settle path while the programs say exits are pending. */
void rt_loader_settle(struct rt_loader *l);

void rt_loader_free(struct rt_loader *l);

/*
 * Runs of the attached programs that the kernel skipped because the same
 * program was still running on that CPU (preempted, on a kernel with full
 * preemption, or interrupted) and no standby ran for: their events are
 * missing. The total so far; in *@prog the program with the most (NULL if
 * none).
 */
__u64 rt_loader_runs_skipped(const struct rt_loader *l, const char **prog);

/* What was chosen and what the programs deliver, for the printers. */
void rt_loader_report(const struct rt_loader *l, struct rt_features_report *r);

/*
 * The same as one line on @out, "reapertrace: features: key=value ...",
 * (tests parse it): orphan_walk=bpf_loop|bounded max_orphans=N
 * zombie_tables=dynamic|prealloc max_zombies=N programs=btf|legacy, then
 * HOOK=PATH for each hook.
 */
void rt_loader_print(FILE *out, const struct rt_loader *l);

#endif /* REAPERTRACE_LOADER_H */
