// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Each scenario under reapertrace --json: every event the kernel produced
 * for the scenario's processes is printed exactly once, field by field as
 * the scenario's truth says, and nothing else about them is printed.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

static const char *const json_opts[] = { "--json", NULL };
static const char *const json_threads_opts[] = { "--json", "-T", NULL };

/* Runs the scenario under the tracer and checks all its events. */
static bool traced(const char *name, bool threads, struct sc_run *run, struct tracer *tr)
{
	struct check_opts co = { .threads = threads, .max_phase = 1 };

	if (!run_traced(name, threads ? json_threads_opts : json_opts, run, tr))
		return false;
	return check_events(&tr->doc, run->truth, &co, tr);
}

#define TRACED_TEST(name, threads)                 \
	TEST(events_##name)                        \
	{                                          \
		struct sc_run run = {};            \
		struct tracer tr = {};             \
                                                   \
		traced(#name, threads, &run, &tr); \
		tracer_free(&tr);                  \
		sc_release(&run);                  \
	}

TEST(events_orphan_subreaper)
{
	struct sc_run run = {};
	struct tracer tr = {};
	int c;

	if (!traced("orphan_subreaper", false, &run, &tr))
		goto out;
	/* The kernel's view, read while the orphan lived: H adopted it. */
	c = sc_actor_by_role(run.truth, "orphan");
	ASSERT_EQ(run.truth->actors[c].ppid_seen, run.truth->actors[1].pid,
		  "/proc/ORPHAN/stat ppid == subreaper pid");
out:
	tracer_free(&tr);
	sc_release(&run);
}

TRACED_TEST(orphan_ns_init, false)

TEST(events_container)
{
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_truth *t;
	int i, init;

	if (!traced("container", false, &run, &tr))
		goto out;
	t = run.truth;
	init = sc_actor_by_role(t, "ns_init");
	if (!ASSERT_GE(init, 0, "the truth has an ns init"))
		goto out;
	ASSERT_EQ(t->actors[init].ns_pid, 1, "the container init is pid 1 inside");
	ASSERT_NEQ(t->actors[init].pidns, t->actors[0].pidns, "its pidns is not the runner's");
	for (i = init + 1; i < t->nr_actors; i++) {
		ASSERT_EQ(t->actors[i].pidns, t->actors[init].pidns, "same pidns as its init");
		ASSERT_EQ(t->actors[i].ns_pid, i - init + 1, "ns pids are given in fork order");
		ASSERT_EQ(t->actors[i].pidns_level, 1, "one level below the root namespace");
	}
out:
	tracer_free(&tr);
	sc_release(&run);
}

TRACED_TEST(zombie_orphan, false)
TRACED_TEST(sigchld_ignore, false)
TRACED_TEST(zombie_to_ignorer, false)
TRACED_TEST(nested_subreapers, false)
TRACED_TEST(exit_codes, false)
/* wait4 returning a child stopped, then continued: no reap until the real one. */
TRACED_TEST(stop_continue, false)
TRACED_TEST(subreaper_toggle, false)
TRACED_TEST(pdeathsig, false)
TRACED_TEST(ns_init_exit, false)

/* Without -T the hand-off to a sibling thread is not printed... */
TRACED_TEST(thread_handoff, false)

/* ...with -T it is: kind "thread", same tgid, another tid. */
TEST(events_thread_handoff_T)
{
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_truth *t;
	int c, i;

	if (!traced("thread_handoff", true, &run, &tr))
		goto out;
	t = run.truth;
	c = sc_actor_by_role(t, "orphan");
	for (i = 0; i < tr.doc.nr; i++) {
		const struct json_obj *o = &tr.doc.objs[i];
		long long op = 0, np = 0, ot = 0, nt = 0, pid = 0;

		if (strcmp(json_event(o), "reparent") || !json_int(o, "pid", &pid) ||
		    pid != t->actors[c].pid)
			continue;
		json_int(o, "old_parent.pid", &op);
		json_int(o, "new_parent.pid", &np);
		json_int(o, "old_parent.tid", &ot);
		json_int(o, "new_parent.tid", &nt);
		ASSERT_EQ(np, op, "thread hand-off: new_parent.pid == old_parent.pid");
		ASSERT_NEQ(nt, ot, "thread hand-off: new_parent.tid != old_parent.tid");
	}
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * A scenario with a hold point under two tracers: A stops while it is held
 * (the truth up to the hold is final), after @at_hold, if any, passed; B
 * runs to the end.
 */
static void traced_with_hold(const char *name, bool threads,
			     bool (*at_hold)(const struct sc_run *run, const struct tracer *a))
{
	struct check_opts held = { .threads = threads, .max_phase = 0 };
	struct check_opts all = { .threads = threads, .max_phase = 1 };
	const char *const *opts = threads ? json_threads_opts : json_opts;
	struct sc_run run = {};
	struct tracer a = {}, b = {};

	if (!scenario_started(&run, name))
		goto out;
	if (!tracer_start(&a, opts) || !tracer_start(&b, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "go") || !ASSERT_EQ(sc_wait_hold(&run), 0, "held"))
		goto out;
	if (at_hold && !at_hold(&run, &a))
		goto out;
	if (!tracer_stop(&a, NULL, NULL))
		goto out;
	check_events(&a.doc, run.truth, &held, &a);
	ASSERT_EQ(sc_continue(&run), 0, "continue");
	if (!ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	if (!tracer_stop(&b, NULL, NULL))
		goto out;
	check_events(&b.doc, run.truth, &all, &b);
out:
	tracer_free(&a);
	tracer_free(&b);
	sc_release(&run);
}

/*
 * A namespace init keeps 5 zombies. Tracer A stops while they are held:
 * each zombie once, no reap. Tracer B runs through the teardown: the
 * kernel releases them, reap "auto".
 */
TEST(events_never_reaping)
{
	traced_with_hold("never_reaping", false, NULL);
}

/* Whether @tr has printed an @event record about @pid within @ms, while it runs. */
static bool printed_within(const struct tracer *tr, const char *event, long long pid, int ms)
{
	int waited, i;

	for (waited = 0; waited <= ms; waited += 50) {
		struct jsonl_doc d = {};
		bool found = false;
		long long v;

		if (!jsonl_load(tr->out_path, &d, NULL, NULL)) {
			for (i = 0; i < d.nr && !found; i++)
				found = !strcmp(json_event(&d.objs[i]), event) &&
					json_int(&d.objs[i], "pid", &v) && v == pid;
			jsonl_free(&d);
		}
		if (found)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static bool adoption_printed_at_hold(const struct sc_run *run, const struct tracer *a)
{
	const struct sc_truth *t = run->truth;
	int c = sc_actor_by_role(t, "orphan");

	return ASSERT_TRUE(printed_within(a, "reparent", t->actors[c].pid, 5000),
			   "the orphan's reparent is printed while the process lives on");
}

/*
 * P's main thread exits while its thread T lives on: no notification and
 * no release says that its exit is past exit_notify(), only the iterator
 * the reader runs. C's reparent to T is printed while T holds, without a
 * stop (which would run the iterator too).
 */
TEST(events_leader_exits_first)
{
	traced_with_hold("leader_exits_first", true, adoption_printed_at_hold);
}

/* What a tracer started at the hold sees: the events after it. */
static bool after_hold(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	return e->phase == 1;
}

/*
 * A wait begun before the tracer started, as a wait whose sys_enter run
 * the kernel skipped is, releases its zombie, and returns only after the
 * zombie was freed: the reap is still the waiting thread's, by wait4.
 */
TEST(events_wait_before_start)
{
	struct check_opts co = { .max_phase = 1, .wanted = after_hold };
	struct sc_run run = {};
	struct tracer tr = {};

	if (!scenario_started(&run, "wait_before_start"))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "go") ||
	    !ASSERT_EQ(sc_wait_hold(&run), 0, "held, with the wait begun"))
		goto out;
	if (!tracer_start(&tr, json_opts))
		goto out;
	if (!ASSERT_EQ(sc_continue(&run), 0, "continue") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	/* The raw_tp release cannot read the parent's registers (README, Limitations). */
	if (tr.features && strstr(tr.features, "\"release\":\"raw_tp\"")) {
		test_skip("release=raw_tp sees a wait only from its sys_enter");
		goto out;
	}
	check_events(&tr.doc, run.truth, &co, &tr);
out:
	scenario_abandon(&run);
	tracer_free(&tr);
	sc_release(&run);
}

/* The snapshot scenarios (tests/system/test_snapshot.c) under the tracer: their truth holds. */
TRACED_TEST(leaky_parents, false)
TRACED_TEST(ns_snapshot, false)

#define SKIPPED_RUNS_ROUNDS 10

/*
 * Where the kernel skips runs of the wait programs (on 7.x, a wait4
 * sys_exit run in most runs of ns_snapshot, now and then its sys_enter
 * too), every reap is still reported with its reaper and its call: never
 * "auto" for a wait. ns_snapshot reaps around exits the most: an exiting
 * namespace init's, whose teardown ignores SIGCHLD after its waits, and a
 * nested one's. Each round under a tracer of its own, so that what the
 * kernel skipped is counted per round.
 */
TEST(events_reaps_when_runs_skipped)
{
	int r, failed = 0, skipping = 0;
	long long skipped = 0;

	for (r = 0; r < SKIPPED_RUNS_ROUNDS; r++) {
		struct sc_run run = {};
		struct tracer tr = {};

		if (!traced("ns_snapshot", false, &run, &tr)) {
			diag("round %d of %d failed", r + 1, SKIPPED_RUNS_ROUNDS);
			failed++;
		}
		if (tr.runs_skipped_said) {
			skipping++;
			skipped += tr.runs_skipped_said;
		}
		tracer_free(&tr);
		sc_release(&run);
	}
	diag("ns_snapshot: %d rounds, %d with runs the kernel skipped (%lld runs), %d failed",
	     SKIPPED_RUNS_ROUNDS, skipping, skipped, failed);
	ASSERT_EQ(failed, 0, "every round's events as the truth says");
}
