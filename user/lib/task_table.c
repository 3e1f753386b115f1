// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The hash table of the user code, keyed by a process (pid, start): see task_table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/task_table.h"

#define MIN_SLOTS 64

struct task_table {
	struct task_key *keys; /* pid 0: a free slot */
	char *values;
	size_t value_size;
	size_t nr_slots; /* a power of two, at least twice the count */
	size_t count;
	size_t max_entries;
};

static size_t slot_of(const struct task_table *t, const struct task_key *key)
{
	__u64 h = key->start_ns ^ ((__u64)key->pid << 32 | key->pid);

	h *= 0x9e3779b97f4a7c15ULL; /* Fibonacci hashing */
	return (h >> 17) & (t->nr_slots - 1);
}

static void *value_at(const struct task_table *t, size_t slot)
{
	return t->values + slot * t->value_size;
}

static bool same(const struct task_key *a, const struct task_key *b)
{
	return a->pid == b->pid && a->start_ns == b->start_ns;
}

static int alloc_slots(struct task_table *t, size_t nr_slots)
{
	t->keys = calloc(nr_slots, sizeof(*t->keys));
	t->values = calloc(nr_slots, t->value_size);
	if (!t->keys || !t->values) {
		free(t->keys);
		free(t->values);
		return -ENOMEM;
	}
	t->nr_slots = nr_slots;
	return 0;
}

struct task_table *task_table__new(size_t value_size, size_t max_entries)
{
	struct task_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->value_size = value_size;
	t->max_entries = max_entries;
	if (alloc_slots(t, MIN_SLOTS)) {
		free(t);
		return NULL;
	}
	return t;
}

void task_table__free(struct task_table *t)
{
	if (!t)
		return;
	free(t->keys);
	free(t->values);
	free(t);
}

/* The slot holding @key, or the free slot where it would go. */
static size_t find(const struct task_table *t, const struct task_key *key)
{
	size_t i = slot_of(t, key);

	while (t->keys[i].pid && !same(&t->keys[i], key))
		i = (i + 1) & (t->nr_slots - 1);
	return i;
}

void *task_table__lookup(const struct task_table *t, const struct task_key *key)
{
	size_t i = find(t, key);

	return t->keys[i].pid ? value_at(t, i) : NULL;
}

static int grow(struct task_table *t)
{
	struct task_table old = *t;
	size_t i, j;

	if (alloc_slots(t, old.nr_slots * 2)) {
		*t = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.nr_slots; i++) {
		if (!old.keys[i].pid)
			continue;
		j = find(t, &old.keys[i]);
		t->keys[j] = old.keys[i];
		memcpy(value_at(t, j), value_at(&old, i), t->value_size);
	}
	free(old.keys);
	free(old.values);
	return 0;
}

void *task_table__insert(struct task_table *t, const struct task_key *key, bool *created)
{
	size_t i;

	*created = false;
	if (!key->pid)
		return NULL;
	i = find(t, key);
	if (t->keys[i].pid)
		return value_at(t, i);
	if (t->count >= t->max_entries)
		return NULL;
	if ((t->count + 1) * 2 > t->nr_slots) {
		if (grow(t))
			return NULL;
		i = find(t, key);
	}
	t->keys[i] = *key;
	memset(value_at(t, i), 0, t->value_size);
	t->count++;
	*created = true;
	return value_at(t, i);
}

bool task_table__delete(struct task_table *t, const struct task_key *key, void *old)
{
	size_t mask = t->nr_slots - 1, i = find(t, key), j, home;

	if (!t->keys[i].pid)
		return false;
	if (old)
		memcpy(old, value_at(t, i), t->value_size);
	/* Backward shift: pull up each later entry of the run that may move into the hole. */
	for (j = (i + 1) & mask; t->keys[j].pid; j = (j + 1) & mask) {
		home = slot_of(t, &t->keys[j]);
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->keys[i] = t->keys[j];
		memcpy(value_at(t, i), value_at(t, j), t->value_size);
		i = j;
	}
	t->keys[i].pid = 0;
	t->count--;
	return true;
}

size_t task_table__count(const struct task_table *t)
{
	return t->count;
}

void task_table__clear(struct task_table *t)
{
	memset(t->keys, 0, t->nr_slots * sizeof(*t->keys));
	t->count = 0;
}

void *task_table__next(const struct task_table *t, size_t *pos, struct task_key *key)
{
	for (; *pos < t->nr_slots; (*pos)++) {
		if (t->keys[*pos].pid) {
			*key = t->keys[*pos];
			return value_at(t, (*pos)++);
		}
	}
	return NULL;
}
