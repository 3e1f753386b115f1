// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/trace/filter.c alone: each option's rule, and the two ways a record is
 * turned away (not asked for at all, or only by -p, which top still
 * follows).
 */
#include "trace/filter.h"
#include "harness.h"

#define NS_A  4026531836U
#define NS_B  4026532174U
#define CG_A  100
#define CG_B  200
#define CHILD 1000
#define PAR   900
#define REAP  1

static struct rt_zombie_event zombie(__u32 pidns, __u64 cgroup_id)
{
	struct rt_zombie_event e = {
		.hdr = {
			.type = RT_EV_ZOMBIE,
			.task = { .pid = CHILD, .tid = CHILD },
			.pidns = pidns,
			.cgroup_id = cgroup_id,
		},
		.parent = { .pid = PAR, .tid = PAR + 1 },
	};

	return e;
}

static struct rt_filter filter_of(struct rt_options opt)
{
	struct rt_filter f;

	if (!opt.events)
		opt.events = RT_EVENTS_ALL;
	rt_filter_init(&f, &opt, RT_EVENTS_ALL);
	return f;
}

TEST(filter_where_drops_and_pid_is_other)
{
	struct rt_zombie_event a = zombie(NS_A, CG_A), b = zombie(NS_B, CG_B);
	struct rt_filter f = filter_of((struct rt_options){ .pidns = NS_A });

	ASSERT_EQ(rt_filter_zombie(&f, &a), RT_MATCH, "--pidns: its namespace");
	ASSERT_EQ(rt_filter_zombie(&f, &b), RT_DROP, "--pidns: another namespace");
	f = filter_of((struct rt_options){ .cgroup_id = CG_B });
	ASSERT_EQ(rt_filter_zombie(&f, &a), RT_DROP, "-c: another cgroup");
	ASSERT_EQ(rt_filter_zombie(&f, &b), RT_MATCH, "-c: its cgroup");
	f = filter_of((struct rt_options){ .pid = 4242 });
	ASSERT_EQ(rt_filter_zombie(&f, &a), RT_OTHER_PID, "-p: no process of it");
	f = filter_of((struct rt_options){ .pid = CHILD });
	ASSERT_EQ(rt_filter_zombie(&f, &a), RT_MATCH, "-p: the zombie");
	f = filter_of((struct rt_options){ .pid = PAR + 1 });
	ASSERT_EQ(rt_filter_zombie(&f, &a), RT_MATCH, "-p: its parent thread");
}

TEST(filter_events_and_delivered)
{
	struct rt_options opt = { .events = 1U << RT_EV_REAP };
	struct rt_zombie_event z = zombie(NS_A, CG_A);
	struct rt_subreaper_event s = { .hdr = z.hdr };
	struct rt_reap_event r = { .hdr = z.hdr, .reaper = { .pid = REAP, .tid = REAP } };
	struct rt_leak_report l = { .reaper = { .pid = PAR }, .oldest = { .pid = CHILD } };
	struct rt_filter f;

	s.hdr.type = RT_EV_SUBREAPER;
	rt_filter_init(&f, &opt, RT_EVENTS_ALL);
	ASSERT_EQ(rt_filter_zombie(&f, &z), RT_DROP, "-e reap: a zombie");
	ASSERT_EQ(rt_filter_subreaper(&f, &s), RT_DROP, "-e reap: a subreaper");
	ASSERT_EQ(rt_filter_reap(&f, &r), RT_MATCH, "-e reap: a reap");
	ASSERT_EQ(rt_filter_leak(&f, &l), RT_MATCH, "a leak, whatever -e says");
	opt.events = RT_EVENTS_ALL;
	rt_filter_init(&f, &opt, RT_EVENTS_ALL & ~(1U << RT_EV_REAP));
	ASSERT_EQ(rt_filter_reap(&f, &r), RT_DROP, "a type the kernel does not deliver");
}

TEST(filter_thread_handoffs_need_T)
{
	struct rt_zombie_event z = zombie(NS_A, CG_A);
	struct rt_reparent_report r = {
		.orphan = &z.hdr,
		.old_parent = { .pid = PAR, .tid = PAR + 1 },
		.new_parent = { .pid = PAR, .tid = PAR },
		.kind = RT_KIND_THREAD,
		.resolved = true,
	};
	struct rt_filter f = filter_of((struct rt_options){ .pid = 4242 });

	ASSERT_EQ(rt_filter_reparent(&f, &r), RT_DROP, "a thread hand-off without -T");
	f = filter_of((struct rt_options){ .threads = true, .pid = 4242 });
	ASSERT_EQ(rt_filter_reparent(&f, &r), RT_OTHER_PID, "with -T, -p names another");
	r.kind = RT_KIND_SUBREAPER;
	f = filter_of((struct rt_options){ .pid = PAR + 1 });
	ASSERT_EQ(rt_filter_reparent(&f, &r), RT_MATCH, "-p: the old parent thread");
}
