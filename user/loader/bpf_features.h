/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the running kernel's BPF can do, probed before loading: each
 * difference picks a program or a map setting, and -v names the choice.
 */
#ifndef REAPERTRACE_BPF_FEATURES_H
#define REAPERTRACE_BPF_FEATURES_H

#include <stdbool.h>
#include <stdio.h>

struct rt_features {
	/* The bpf_loop() helper (5.17): the orphan walk needs no fixed bound. */
	bool bpf_loop;
	/*
	 * BPF's own memory allocator (6.1): a tracing program may use a hash
	 * map that allocates at run time. Before it the kernel WARNs (and
	 * PREEMPT_RT refuses), so the zombie tables are preallocated.
	 */
	bool mem_alloc;
	/*
	 * bpf_get_current_task_btf() (5.11) and BPF atomics (5.12): the
	 * programs read the task by direct loads and keep their state in
	 * slots claimed with cmpxchg. Without, the RT_LEGACY object is loaded.
	 */
	bool btf_loads_atomics;
};

/* Probe the running kernel. 0, or -errno after printing why. */
int rt_features_probe(struct rt_features *f);

/* Children of one exiting thread reported at most. */
unsigned int rt_features_max_orphans(const struct rt_features *f);

#endif /* REAPERTRACE_BPF_FEATURES_H */
