// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/top/reapers.c alone: zombies followed from parent to reaper, the
 * rows' counts and order, and idle reapers forgotten while busy ones stay.
 */
#include "harness.h"
#include "top/reapers.h"

#define SEC 1000000000ULL
/* pids no process of the test machine has: the table asks /proc for their pidns */
#define P1 3999901
#define P2 3999902
#define P3 3999903

static struct rt_task task(__u32 pid)
{
	struct rt_task t = { .pid = pid, .tid = pid, .comm = "rt-reaper" };

	return t;
}

static const struct top_reaper *row_of(struct top_table *t, __u32 pid)
{
	const struct top_reaper *const *rows;
	size_t nr, i;

	if (top_table__snapshot(t, &rows, &nr))
		return NULL;
	for (i = 0; i < nr; i++)
		if (rows[i]->pid == pid)
			return rows[i];
	return NULL;
}

TEST(top_reapers_follow_zombies)
{
	struct top_table *t = top_table__new(0);
	struct rt_task p1 = task(P1), p2 = task(P2);
	const struct top_reaper *const *rows;
	const struct top_reaper *r;
	size_t nr;

	if (!ASSERT_TRUE(t, "table"))
		return;
	top_table__zombie(t, 100, 7, &p1, 1 * SEC);
	top_table__zombie(t, 101, 7, &p1, 2 * SEC);
	top_table__zombie(t, 102, 7, &p2, 3 * SEC);
	top_table__move(t, 101, &p2, 4 * SEC); /* adopted: now P2's to reap */
	top_table__adopt(t, &p2, 4 * SEC);
	r = row_of(t, P1);
	if (!ASSERT_TRUE(r, "P1's row"))
		goto out;
	ASSERT_EQ(r->zombies, 1, "P1 holds one zombie after the move");
	ASSERT_EQ(r->oldest_ns, 1 * SEC, "P1's oldest: the first one");
	r = row_of(t, P2);
	if (!ASSERT_TRUE(r, "P2's row"))
		goto out;
	ASSERT_EQ(r->zombies, 2, "P2 holds its own and the moved one");
	ASSERT_EQ(r->oldest_ns, 2 * SEC, "P2's oldest: the moved one, dated from its exit");
	ASSERT_EQ(r->adoptions, 1, "P2 adopted one");
	top_table__reap(t, 101, &p2, 5 * SEC, true);
	top_table__reap(t, 100, NULL, 5 * SEC, true); /* released: counted for its parent */
	ASSERT_EQ(row_of(t, P2)->reaps, 1, "P2 reaped one");
	ASSERT_EQ(row_of(t, P1)->reaps, 1, "P1 is counted the released one");
	ASSERT_EQ(row_of(t, P1)->zombies, 0, "P1 holds none");
	if (!ASSERT_OK(top_table__snapshot(t, &rows, &nr), "snapshot") ||
	    !ASSERT_EQ(nr, 2, "two rows"))
		goto out;
	ASSERT_EQ(rows[0]->pid, P2, "sorted by zombies now: P2 first");
	ASSERT_EQ(top_table__sums(t)->zombies, 1, "one zombie left in all");
	ASSERT_EQ(top_table__sums(t)->reaps, 2, "two reaps in all");
out:
	top_table__free(t);
}

TEST(top_reapers_idle_forgotten)
{
	struct top_table *t = top_table__new(10 * SEC);
	struct rt_task p1 = task(P1), p2 = task(P2), p3 = task(P3);

	if (!ASSERT_TRUE(t, "table"))
		return;
	top_table__adopt(t, &p1, 1 * SEC);	    /* idle afterwards */
	top_table__zombie(t, 200, 7, &p2, 1 * SEC); /* holds a zombie: stays */
	top_table__advance(t, 2 * SEC, SEC);
	top_table__adopt(t, &p3, 25 * SEC); /* active in the last interval: stays */
	top_table__advance(t, 30 * SEC, 28 * SEC);
	ASSERT_FALSE(row_of(t, P1), "P1, idle for 29 s, is forgotten");
	ASSERT_TRUE(row_of(t, P2), "P2, holding a zombie, stays");
	ASSERT_TRUE(row_of(t, P3), "P3, active in the interval, stays");
	ASSERT_EQ(top_table__sums(t)->reapers_evicted, 1, "one evicted");
	ASSERT_EQ(top_table__sums(t)->adoptions, 2, "the sums keep what evicted rows did");
	top_table__free(t);
}
