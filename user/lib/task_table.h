/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A hash table of fixed-size values keyed by one process: its pid and its
 * start time, so that a reused pid is another key. Open addressing, linear
 * probing, deletion by backward shift: no tombstones, no allocation per
 * entry.
 */
#ifndef REAPERTRACE_TASK_TABLE_H
#define REAPERTRACE_TASK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct task_key {
	__u64 start_ns;
	__u32 pid;
};

struct task_table;

/* A table of values of @value_size bytes, holding at most @max_entries. */
struct task_table *task_table__new(size_t value_size, size_t max_entries);
void task_table__free(struct task_table *t);

void *task_table__lookup(const struct task_table *t, const struct task_key *key);
/*
 * The value of @key, a zeroed new one if it had none (*@created set), or
 * NULL when the table is full or out of memory.
 */
void *task_table__insert(struct task_table *t, const struct task_key *key, bool *created);
/* Removes @key; copies its value to @old first if @old. false if absent. */
bool task_table__delete(struct task_table *t, const struct task_key *key, void *old);
size_t task_table__count(const struct task_table *t);
/* Removes every entry (keeps the memory). */
void task_table__clear(struct task_table *t);

/*
 * Visits every entry: start with *@pos = 0; returns the next value (and
 * its key in @key) or NULL at the end. The table must not change meanwhile.
 */
void *task_table__next(const struct task_table *t, size_t *pos, struct task_key *key);

#endif /* REAPERTRACE_TASK_TABLE_H */
