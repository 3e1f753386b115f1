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

#define ID_X	 "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"
#define ID_Y	 "3f2b000000000000000000000000000000000000000000000000000000000001"
#define CG_DIR	 300 /* /kubepods.slice */
#define CG_X	 301 /* a container below it, and a cgroup of its own below that */
#define CG_X_SUB 302
#define CG_Y	 303 /* a Docker container elsewhere */
#define CG_GONE	 304 /* not known: removed before it was looked up */

static struct cgroups *known_cgroups(void)
{
	struct cgroups *cg = cgroups__new();

	if (!cg)
		return NULL;
	cgroups__set(cg, CG_DIR, "/kubepods.slice");
	cgroups__set(cg, CG_X,
		     "/kubepods.slice/kubepods-pod7c1d3c5e_8a2b_4f6e_9d0c_1b2a3c4d5e6f.slice/"
		     "cri-containerd-" ID_X ".scope");
	cgroups__set(cg, CG_X_SUB,
		     "/kubepods.slice/kubepods-pod7c1d3c5e_8a2b_4f6e_9d0c_1b2a3c4d5e6f.slice/"
		     "cri-containerd-" ID_X ".scope/sub");
	cgroups__set(cg, CG_Y, "/docker/" ID_Y);
	cgroups__set(cg, CG_GONE, NULL);
	/* a sibling whose name starts like the directory's: not below it */
	cgroups__set(cg, CG_A, "/kubepods.slice-other");
	return cg;
}

TEST(filter_cgroup_and_below)
{
	struct rt_zombie_event x = zombie(NS_A, CG_X), sub = zombie(NS_A, CG_X_SUB),
			       y = zombie(NS_A, CG_Y), gone = zombie(NS_A, CG_GONE),
			       other = zombie(NS_A, CG_A);
	struct rt_filter f = filter_of((struct rt_options){ .cgroup_id = CG_DIR });

	f.cgroups = known_cgroups();
	if (!ASSERT_TRUE(f.cgroups, "cgroups"))
		return;
	ASSERT_EQ(rt_filter_zombie(&f, &x), RT_MATCH, "-c: a cgroup below");
	ASSERT_EQ(rt_filter_zombie(&f, &sub), RT_MATCH, "-c: two levels below");
	ASSERT_EQ(rt_filter_zombie(&f, &y), RT_DROP, "-c: elsewhere");
	ASSERT_EQ(rt_filter_zombie(&f, &other), RT_DROP, "-c: a sibling with a longer name");
	ASSERT_EQ(rt_filter_zombie(&f, &gone), RT_DROP, "-c: a cgroup not found");
	f.cgroup_id = CG_X;
	ASSERT_EQ(rt_filter_zombie(&f, &x), RT_MATCH, "-c: its own cgroup");
	ASSERT_EQ(rt_filter_zombie(&f, &sub), RT_MATCH, "-c: the container's sub-cgroup");
	cgroups__free(f.cgroups);
}

TEST(filter_container_prefix)
{
	struct rt_zombie_event x = zombie(NS_A, CG_X), sub = zombie(NS_A, CG_X_SUB),
			       y = zombie(NS_A, CG_Y), host = zombie(NS_A, CG_DIR);
	struct rt_leak_report l = { .reaper = { .pid = PAR }, .oldest = { .pid = CHILD } };
	struct rt_filter f = filter_of((struct rt_options){ .container = "3f2a9c" });

	f.cgroups = known_cgroups();
	if (!ASSERT_TRUE(f.cgroups, "cgroups"))
		return;
	ASSERT_EQ(rt_filter_zombie(&f, &x), RT_MATCH, "--container: its process");
	ASSERT_EQ(rt_filter_zombie(&f, &sub), RT_MATCH, "--container: a sub-cgroup of it");
	ASSERT_EQ(rt_filter_zombie(&f, &y), RT_DROP, "--container: another container");
	ASSERT_EQ(rt_filter_zombie(&f, &host), RT_DROP, "--container: no container");
	l.oldest_cgroup_id = CG_Y;
	ASSERT_EQ(rt_filter_leak(&f, &l), RT_DROP, "--container: a leak elsewhere");
	l.oldest_cgroup_id = CG_X;
	ASSERT_EQ(rt_filter_leak(&f, &l), RT_MATCH, "--container: its leak");
	f.container = "3f2";
	ASSERT_EQ(rt_filter_zombie(&f, &y), RT_MATCH, "--container: a shorter prefix");
	f.container = ID_X;
	ASSERT_EQ(rt_filter_zombie(&f, &x), RT_MATCH, "--container: the whole id");
	cgroups__free(f.cgroups);
	f.cgroups = NULL;
	ASSERT_EQ(rt_filter_zombie(&f, &x), RT_DROP, "--container without cgroups: nothing");
}
