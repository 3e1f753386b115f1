// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/trace/origins.c alone: reaped orphans linger a second for their own
 * orphans' sake, but no more of them than RT_ORIGIN_LINGER_MAX at once.
 */
#include "harness.h"
#include "trace/origins.h"

#define PARENT_PID 100
#define FIRST_PID  1000

static void orphan(struct rt_event_hdr *h, long i)
{
	h->task.pid = FIRST_PID + i;
	h->start_ns = 7 + i;
	h->ts_ns = 1000000000ULL + i;
}

TEST(origins_linger_bounded)
{
	const long n = RT_ORIGIN_LINGER_MAX + 1000;
	struct rt_event_hdr h = {};
	struct rt_reparent_report r = {
		.orphan = &h,
		.old_parent = { .pid = PARENT_PID, .comm = "rt-parent" },
		.old_parent_start_ns = 5,
		.kind = RT_KIND_SUBREAPER,
		.resolved = true,
	};
	struct origins *o = origins__new(1 << 20);
	struct rt_origin origin;
	long i, failed = 0;

	if (!ASSERT_TRUE(o != NULL, "origins__new"))
		return;
	for (i = 0; i < n; i++) {
		orphan(&h, i);
		failed += origins__reparent(o, &r) != 0;
	}
	ASSERT_EQ(failed, 0L, "every orphan's origin is remembered");
	ASSERT_EQ((long)origins__count(o), n, "one entry per orphan");
	/* All reaped within the same second. */
	for (i = 0; i < n; i++) {
		orphan(&h, i);
		origins__forget(o, &h);
	}
	ASSERT_EQ((long)origins__count(o), (long)RT_ORIGIN_LINGER_MAX,
		  "no more than RT_ORIGIN_LINGER_MAX reaped ones linger");
	orphan(&h, 0);
	ASSERT_FALSE(origins__find(o, &h, &origin), "the oldest reaped are forgotten at once");
	orphan(&h, n - 1);
	if (ASSERT_TRUE(origins__find(o, &h, &origin), "the newest reaped still have an origin")) {
		ASSERT_EQ(origin.depth, 1U, "one link");
		ASSERT_EQ(origin.links[0].pid, (__u32)PARENT_PID, "the parent that forked it");
	}
	/* A second later, none. */
	origins__expire(o, 1000000000ULL + n + 1000000001ULL);
	ASSERT_EQ((long)origins__count(o), 0L, "expired a second after their reap");
	origins__free(o);
}
