/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A table of fixed-size entries keyed by a pid: open addressing, linear
 * probing, deletion by backward shift (no tombstones). An entry starts with
 * its __u32 pid; pid 0 marks a free slot. It grows by doubling, up to a
 * fixed number of entries, so memory stays bounded.
 */
#ifndef REAPERTRACE_TOP_HASH_H
#define REAPERTRACE_TOP_HASH_H

#include <stddef.h>
#include <linux/types.h>

struct pid_table {
	char *slots;
	size_t entry_size;
	size_t cap; /* slots, a power of two */
	size_t nr;  /* entries */
	size_t max; /* entries at most */
};

void pid_table__init(struct pid_table *t, size_t entry_size, size_t max);
void pid_table__fini(struct pid_table *t);

/* The entry of @pid, or NULL. */
void *pid_table__find(const struct pid_table *t, __u32 pid);
/*
 * The entry of @pid; a new one is zeroed but for its pid. NULL when the
 * table is full (max entries) or out of memory. Moves other entries.
 */
void *pid_table__get(struct pid_table *t, __u32 pid, int *created);
/* Removes @entry (from find or get, since the last change). Moves others. */
void pid_table__del(struct pid_table *t, void *entry);

/* Entry number @i of the slots (0..cap-1), or NULL if that slot is free. */
void *pid_table__slot(const struct pid_table *t, size_t i);

#endif /* REAPERTRACE_TOP_HASH_H */
