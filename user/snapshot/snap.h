/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One pass of the snapshot task iterator (bpf/snapshot.bpf.c): every task
 * the caller can see, as struct rt_snap_task records.
 */
#ifndef REAPERTRACE_SNAP_H
#define REAPERTRACE_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "snapshot.h"

struct rt_snap {
	struct rt_snap_task *tasks;
	size_t nr;
};

/*
 * Loads the iterator, reads it once, unloads it. 0, or -errno after
 * printing why. @verbose passes libbpf's messages to stderr.
 */
int rt_snap_collect(struct rt_snap *s, bool verbose);
void rt_snap_free(struct rt_snap *s);

/* "default", "ignore" or "handler". */
const char *rt_disposition_name(__u32 disp);

#endif /* REAPERTRACE_SNAP_H */
