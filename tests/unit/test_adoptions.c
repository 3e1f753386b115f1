// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/trace/adoptions.c alone: an orphan held for thread Tk's adoption record
 * that shows up in the walk of thread Tj of the same process was handed
 * to Tj (kind thread, at once), and Tk's late record, which names whoever
 * has it by then, reports nothing.
 */
#include <string.h>

#include "harness.h"
#include "trace/adoptions.h"

#define P  100 /* the process; its threads are P, P + 1, ... */
#define H  50  /* the subreaper */
#define C1 1000

struct seen {
	int nr;
	struct rt_reparent_report r[16];
	struct rt_event_hdr orphans[16];
};

static void collect(const struct rt_reparent_report *r, void *ctx)
{
	struct seen *s = ctx;

	if (s->nr == 16)
		return;
	s->orphans[s->nr] = *r->orphan;
	s->r[s->nr] = *r;
	s->r[s->nr].orphan = &s->orphans[s->nr];
	s->nr++;
}

static void task(struct rt_task *t, __u32 pid, __u32 tid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

/* Orphan @c's record in the walk of thread @tid of process @pid, exiting at @ts. */
static struct rt_reparent_event reparent(__u32 c, __u32 pid, __u32 tid, const char *comm, __u64 ts)
{
	struct rt_reparent_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = RT_EV_REPARENT;
	e.hdr.ts_ns = ts;
	e.hdr.start_ns = 7 * c;
	task(&e.hdr.task, c, c, "rt-orphan");
	task(&e.old_parent, pid, tid, comm);
	return e;
}

static struct rt_adopted_event adopted(__u32 pid, __u32 tid, __u64 exit_ts, __u32 to, __u32 kind)
{
	struct rt_adopted_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = RT_EV_ADOPTED;
	e.hdr.ts_ns = exit_ts + 1000;
	e.hdr.start_ns = 3;
	task(&e.hdr.task, pid, tid, "x");
	task(&e.new_parent, to, to, "rt-harness");
	e.exit_ts_ns = exit_ts;
	e.exit_tid = tid;
	e.kind = kind;
	return e;
}

TEST(adoptions_thread_chain)
{
	struct adoptions *a = adoptions__new();
	struct rt_reparent_event e;
	struct rt_adopted_event ad;
	struct seen s = { 0 };
	int i;

	if (!ASSERT_TRUE(a, "adoptions__new"))
		return;
	/* T1 (P + 1) exits with C1, C2: held. */
	for (i = 0; i < 2; i++) {
		e = reparent(C1 + i, P, P + 1, "rt-thr1", 10);
		ASSERT_EQ(adoptions__add(a, &e, collect, &s), 0, "add");
	}
	ASSERT_EQ(s.nr, 0, "nothing reported while T1's exit is pending");
	/* T2's exit walks its own child C3, then C1, C2 that T1 handed it. */
	e = reparent(C1 + 2, P, P + 2, "rt-thr2", 20);
	adoptions__add(a, &e, collect, &s);
	ASSERT_EQ(s.nr, 0, "a child of T2's own is no hand-off");
	e = reparent(C1, P, P + 2, "rt-thr2", 20);
	adoptions__add(a, &e, collect, &s);
	if (!ASSERT_EQ(s.nr, 2, "T1's whole batch handed to T2 at C1's record"))
		goto out;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(s.r[i].orphan->task.pid, C1 + i, "the orphans of T1, in order");
		ASSERT_EQ(s.r[i].kind, RT_KIND_THREAD, "kind thread");
		ASSERT_TRUE(s.r[i].resolved, "resolved");
		ASSERT_EQ(s.r[i].old_parent.tid, P + 1, "from T1");
		ASSERT_STREQ(s.r[i].old_parent.comm, "rt-thr1", "T1's comm");
		ASSERT_EQ(s.r[i].new_parent.pid, P, "to P");
		ASSERT_EQ(s.r[i].new_parent.tid, P + 2, "to T2");
		ASSERT_STREQ(s.r[i].new_parent.comm, "rt-thr2", "T2's comm");
		ASSERT_EQ(s.r[i].ts_ns, 20, "seen at T2's exit");
	}
	e = reparent(C1 + 1, P, P + 2, "rt-thr2", 20);
	adoptions__add(a, &e, collect, &s);
	ASSERT_EQ(s.nr, 2, "C2 in T2's walk: T1's batch is gone");
	/* T1's late record reads the final parent: nothing left to report. */
	ad = adopted(P, P + 1, 10, H, RT_KIND_SUBREAPER);
	adoptions__resolve(a, &ad, collect, &s);
	ASSERT_EQ(s.nr, 2, "T1's late adoption record reports nothing");
	ASSERT_EQ(adoptions__held(a), 3, "T2's three held");
	/* T2 was the last: its record names H, once for each of the three. */
	ad = adopted(P, P + 2, 20, H, RT_KIND_SUBREAPER);
	adoptions__resolve(a, &ad, collect, &s);
	if (!ASSERT_EQ(s.nr, 5, "T2's adoption reports its three"))
		goto out;
	for (i = 2; i < 5; i++) {
		ASSERT_EQ(s.r[i].kind, RT_KIND_SUBREAPER, "out of P");
		ASSERT_EQ(s.r[i].old_parent.tid, P + 2, "from T2");
		ASSERT_STREQ(s.r[i].old_parent.comm, "rt-thr2", "T2's comm");
		ASSERT_EQ(s.r[i].new_parent.pid, H, "to H");
	}
	ASSERT_EQ(adoptions__held(a), 0, "nothing held");
out:
	adoptions__free(a);
}

TEST(adoptions_not_handed)
{
	struct adoptions *a = adoptions__new();
	struct rt_reparent_event e;
	struct seen s = { 0 };

	if (!ASSERT_TRUE(a, "adoptions__new"))
		return;
	e = reparent(C1, P, P + 1, "rt-thr1", 10);
	adoptions__add(a, &e, collect, &s);
	/* The same pid in another process's exit: not the same orphan's hand-off. */
	e = reparent(C1, P + 50, P + 50, "other", 20);
	adoptions__add(a, &e, collect, &s);
	/* The same pid, another process (start time): a pid reused. */
	e = reparent(C1, P, P + 2, "rt-thr2", 20);
	e.hdr.start_ns++;
	adoptions__add(a, &e, collect, &s);
	/* More orphans of the same exit. */
	e = reparent(C1 + 1, P, P + 1, "rt-thr1", 10);
	adoptions__add(a, &e, collect, &s);
	ASSERT_EQ(s.nr, 0, "no hand-off reported");
	ASSERT_EQ(adoptions__held(a), 4, "all four held");
	adoptions__flush(a, collect, &s);
	ASSERT_EQ(s.nr, 4, "flushed");
	ASSERT_FALSE(s.r[0].resolved, "unresolved at the flush");
	ASSERT_STREQ(s.r[0].old_parent.comm, "rt-thr1", "with the old parent's comm");
	adoptions__free(a);
}
