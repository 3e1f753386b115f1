// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scenarios themselves, without the tracer: each runs as designed
 * (its own checks of /proc pass), leaves nothing behind, and its truth is
 * consistent. A failure here is a bug of the test suite or of the machine,
 * not of reapertrace.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "scenarios.h"

static void check_truth(const struct sc_truth *t)
{
	int i;

	for (i = 0; i < t->nr_actors; i++) {
		const struct sc_actor *a = &t->actors[i];

		ASSERT_GT(a->pid, 0, a->role);
		ASSERT_GT(a->tid, 0, a->role);
		ASSERT_GT(a->pidns, 0, a->role);
		ASSERT_TRUE(a->comm[0], "comm recorded");
	}
	for (i = 0; i < t->nr_events; i++) {
		const struct sc_event *e = &t->events[i];

		ASSERT_TRUE(e->subject >= 0 && e->subject < t->nr_actors,
			    "event subject is an actor");
		ASSERT_TRUE(e->parent >= SC_NONE && e->parent < t->nr_actors, "event parent");
	}
	ASSERT_GT(t->nr_events, 0, "the scenario expects events");
}

static void scenario_alone(const char *name)
{
	struct sc_run run;

	if (sc_run(&run, name)) {
		if (run.truth && run.truth->skip[0])
			test_skip("%s", run.truth->skip);
		else
			ASSERT_TRUE(false, run.truth ? run.truth->error : "scenario runs");
		goto out;
	}
	if (run.truth->skip[0]) {
		test_skip("%s", run.truth->skip);
		goto out;
	}
	check_truth(run.truth);
out:
	sc_release(&run);
}

#define SCENARIO_TEST(name)            \
	TEST(scenario_##name)          \
	{                              \
		scenario_alone(#name); \
	}

SCENARIO_TEST(orphan_subreaper)
SCENARIO_TEST(orphan_ns_init)
SCENARIO_TEST(container)
SCENARIO_TEST(zombie_orphan)
SCENARIO_TEST(never_reaping)
SCENARIO_TEST(ns_init_exit)
SCENARIO_TEST(sigchld_ignore)
SCENARIO_TEST(zombie_to_ignorer)
SCENARIO_TEST(thread_handoff)
SCENARIO_TEST(threads_exit_group)
SCENARIO_TEST(forking_thread_first)
SCENARIO_TEST(go_exit_group)
SCENARIO_TEST(nested_subreapers)
SCENARIO_TEST(exit_codes)
SCENARIO_TEST(subreaper_toggle)
SCENARIO_TEST(pdeathsig)
SCENARIO_TEST(init_sigdrop)
SCENARIO_TEST(init_sighandled)
SCENARIO_TEST(ns_teardown)
SCENARIO_TEST(init_reaper_handoff)
SCENARIO_TEST(leaky_parents)
SCENARIO_TEST(ns_snapshot)
SCENARIO_TEST(wait_before_start)
