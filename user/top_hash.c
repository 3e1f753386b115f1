// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "top_hash.h"

#define MIN_CAP 64

void pid_table__init(struct pid_table *t, size_t entry_size, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->entry_size = entry_size;
	t->max = max;
}

void pid_table__fini(struct pid_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->nr = 0;
}

static __u32 key_in(const char *slots, size_t entry_size, size_t i)
{
	__u32 pid;

	memcpy(&pid, slots + i * entry_size, sizeof(pid));
	return pid;
}

static __u32 key_at(const struct pid_table *t, size_t i)
{
	return key_in(t->slots, t->entry_size, i);
}

static size_t home(const struct pid_table *t, __u32 pid)
{
	/* Fibonacci hashing: consecutive pids land far apart. */
	return (size_t)((pid * 0x9E3779B97F4A7C15ULL) >> 32) & (t->cap - 1);
}

void *pid_table__slot(const struct pid_table *t, size_t i)
{
	return key_at(t, i) ? t->slots + i * t->entry_size : NULL;
}

void *pid_table__find(const struct pid_table *t, __u32 pid)
{
	size_t i;
	__u32 k;

	if (!t->cap || !pid)
		return NULL;
	for (i = home(t, pid); (k = key_at(t, i)); i = (i + 1) & (t->cap - 1))
		if (k == pid)
			return t->slots + i * t->entry_size;
	return NULL;
}

/* Copies @entry (its pid not in @t) to its first free slot. */
static void *place(struct pid_table *t, const void *entry)
{
	__u32 pid;
	size_t i;

	memcpy(&pid, entry, sizeof(pid));
	for (i = home(t, pid); key_at(t, i); i = (i + 1) & (t->cap - 1))
		;
	memcpy(t->slots + i * t->entry_size, entry, t->entry_size);
	return t->slots + i * t->entry_size;
}

static int grow(struct pid_table *t)
{
	size_t old_cap = t->cap, i;
	char *old = t->slots;

	t->cap = old_cap ? old_cap * 2 : MIN_CAP;
	t->slots = calloc(t->cap, t->entry_size);
	if (!t->slots) {
		t->slots = old;
		t->cap = old_cap;
		return -1;
	}
	for (i = 0; i < old_cap; i++)
		if (key_in(old, t->entry_size, i))
			place(t, old + i * t->entry_size);
	free(old);
	return 0;
}

void *pid_table__get(struct pid_table *t, __u32 pid, int *created)
{
	char *e = pid_table__find(t, pid);

	*created = 0;
	if (e || !pid)
		return e;
	if (t->nr >= t->max)
		return NULL;
	/* At most half full: probe sequences stay short. */
	if ((t->nr + 1) * 2 > t->cap && grow(t))
		return NULL;
	for (size_t i = home(t, pid);; i = (i + 1) & (t->cap - 1)) {
		if (key_at(t, i))
			continue;
		e = t->slots + i * t->entry_size;
		memset(e, 0, t->entry_size);
		memcpy(e, &pid, sizeof(pid));
		break;
	}
	t->nr++;
	*created = 1;
	return e;
}

void pid_table__del(struct pid_table *t, void *entry)
{
	size_t hole = ((char *)entry - t->slots) / t->entry_size, i, h;
	__u32 k;

	/* Backward shift: move up each later entry of the run that may fill the hole. */
	for (i = (hole + 1) & (t->cap - 1); (k = key_at(t, i)); i = (i + 1) & (t->cap - 1)) {
		h = home(t, k);
		/* It may move to the hole if its home is not in (hole, i]. */
		if ((i > hole && (h <= hole || h > i)) || (i < hole && h <= hole && h > i)) {
			memcpy(t->slots + hole * t->entry_size, t->slots + i * t->entry_size,
			       t->entry_size);
			hole = i;
		}
	}
	memset(t->slots + hole * t->entry_size, 0, t->entry_size);
	t->nr--;
}
