// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/lib/task_table.c, the hash table the tracer keeps origins and zombies
 * in, against a plain array doing the same random inserts and deletes.
 */
#include <stdlib.h>

#include "harness.h"
#include "lib/task_table.h"

#define NR_KEYS 3000 /* pids 1..1000, three start times each: reuse */
#define NR_OPS	200000

TEST(task_table_matches_a_plain_array)
{
	static __u32 model[NR_KEYS]; /* 0: absent, else the value */
	struct task_table *t = task_table__new(sizeof(__u32), NR_KEYS);
	size_t count = 0, pos = 0, seen = 0;
	struct task_key key;
	bool created;
	__u32 *v, old;
	int i, k;

	if (!ASSERT_TRUE(t != NULL, "table"))
		return;
	srandom(42);
	for (i = 0; i < NR_OPS; i++) {
		k = random() % NR_KEYS;
		key.pid = k % 1000 + 1;
		key.start_ns = (__u64)(k / 1000) << 40;
		v = task_table__lookup(t, &key);
		if (!ASSERT_EQ(v ? *v : 0, model[k], "lookup agrees"))
			break;
		if (random() % 3) {
			v = task_table__insert(t, &key, &created);
			if (!ASSERT_TRUE(v && created == !model[k], "insert"))
				break;
			count += created;
			*v = model[k] = i + 1;
		} else {
			bool had = task_table__delete(t, &key, &old);

			if (!ASSERT_EQ(had, model[k] != 0, "delete finds what is there") ||
			    (had && !ASSERT_EQ(old, model[k], "delete returns the value")))
				break;
			count -= had;
			model[k] = 0;
		}
		if (!ASSERT_EQ(task_table__count(t), count, "count"))
			break;
	}
	while ((v = task_table__next(t, &pos, &key))) {
		k = (key.start_ns >> 40) * 1000 + key.pid - 1;
		seen++;
		if (!ASSERT_EQ(*v, model[k], "iteration gives each value"))
			break;
	}
	ASSERT_EQ(seen, count, "iteration visits every entry once");
	task_table__clear(t);
	ASSERT_EQ(task_table__count(t), 0, "clear");
	task_table__free(t);
}

TEST(task_table_full)
{
	struct task_table *t = task_table__new(sizeof(__u32), 10);
	struct task_key key = {};
	bool created;
	int i;

	if (!ASSERT_TRUE(t != NULL, "table"))
		return;
	for (i = 1; i <= 10; i++) {
		key.pid = i;
		ASSERT_TRUE(task_table__insert(t, &key, &created) != NULL, "room for 10");
	}
	key.pid = 11;
	ASSERT_TRUE(task_table__insert(t, &key, &created) == NULL, "the 11th does not fit");
	key.pid = 3;
	ASSERT_TRUE(task_table__insert(t, &key, &created) != NULL && !created,
		    "an existing key is still found");
	key.pid = 0;
	ASSERT_TRUE(task_table__insert(t, &key, &created) == NULL, "pid 0 is no key");
	task_table__free(t);
}
