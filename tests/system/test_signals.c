// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Namespace inits under reapertrace: the signals the kernel drops because
 * an init has no handler for them (init_signal_dropped), the teardown of a
 * namespace whose init exits (ns_teardown), and a reaper thread handing the
 * child_reaper role to another thread of the init (reaper_handoff).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tracer.h"

static const char *const json_opts[] = { "--json", NULL };

static bool is_ns_event(int type)
{
	return type == SC_INIT_SIGNAL_DROPPED || type == SC_NS_TEARDOWN ||
	       type == SC_REAPER_HANDOFF;
}

/* The records of the events the scenario's pids are in, of the given name. */
static int count_about(const struct jsonl_doc *d, const char *event, long long pid)
{
	long long v;
	int i, n = 0;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(json_event(&d->objs[i]), event) && json_int(&d->objs[i], "pid", &v) &&
		    v == pid)
			n++;
	return n;
}

/*
 * SIGTERM from outside and SIGKILL from inside the namespace, to an init
 * without handlers: each one dropped, reported once with its sender; the
 * SIGHUP it ignores, the SIGUSR1 it handles, the SIGCHLD ignored by default
 * and the SIGTERM an ordinary process ignores are not.
 */
TEST(signals_init_sigdrop)
{
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *I;
	int i;

	if (!run_traced("init_sigdrop", json_opts, &run, &tr))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	I = &run.truth->actors[sc_actor_by_role(run.truth, "ns_init")];
	ASSERT_EQ(I->ns_pid, 1, "the init is pid 1 in its namespace");
	ASSERT_EQ(count_about(&tr.doc, "init_signal_dropped", I->pid), 2,
		  "two signals dropped: SIGTERM and SIGKILL");
	for (i = 0; i < tr.doc.nr; i++) {
		const struct json_obj *o = &tr.doc.objs[i];
		long long v;

		if (strcmp(json_event(o), "init_signal_dropped") || !json_int(o, "pid", &v) ||
		    v != I->pid)
			continue;
		ASSERT_TRUE(json_int(o, "ns_pid", &v) && v == 1, "ns_pid 1");
		ASSERT_TRUE(json_int(o, "pidns_level", &v) && v == 1, "pidns_level 1");
		ASSERT_TRUE(json_int(o, "signal", &v) && (v == SIGTERM || v == SIGKILL),
			    "SIGTERM or SIGKILL");
	}
out:
	tracer_free(&tr);
	sc_release(&run);
}

/* The same init with a SIGTERM handler: it gets SIGTERM, nothing is dropped. */
TEST(signals_init_sighandled)
{
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	int I;

	if (!run_traced("init_sighandled", json_opts, &run, &tr))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	I = sc_actor_by_role(run.truth, "ns_init");
	ASSERT_EQ(count_about(&tr.doc, "init_signal_dropped", run.truth->actors[I].pid), 0,
		  "no signal dropped");
out:
	tracer_free(&tr);
	sc_release(&run);
}

/* The main thread of a two-threaded init exits: the other one is the reaper now. */
TEST(signals_reaper_handoff)
{
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *I, *T;

	if (!run_traced("init_reaper_handoff", json_opts, &run, &tr))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	I = &run.truth->actors[sc_actor_by_role(run.truth, "ns_init")];
	T = &run.truth->actors[sc_actor_by_role(run.truth, "reaper2")];
	ASSERT_EQ(T->pid, I->pid, "the new reaper is a thread of the init");
	ASSERT_NEQ(T->tid, I->tid, "another thread");
	ASSERT_EQ(count_about(&tr.doc, "reaper_handoff", I->pid), 1, "one handoff");
	ASSERT_EQ(count_about(&tr.doc, "ns_teardown", I->pid), 1, "then one teardown");
out:
	tracer_free(&tr);
	sc_release(&run);
}

static bool keep_ns_records(const struct json_obj *o, void *arg)
{
	const char *ev = json_event(o);

	(void)arg;
	return !strcmp(ev, "init_signal_dropped") || !strcmp(ev, "ns_teardown") ||
	       !strcmp(ev, "reaper_handoff");
}

static bool ns_event_wanted(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	(void)t;
	(void)arg;
	return is_ns_event(e->type);
}

/*
 * An init with 3 children, 3 grandchildren (one child has two threads) and
 * a zombie is killed: one ns_teardown, killed 6. Only the namespace events
 * are checked: which of the killed processes are reparented or become
 * zombies first depends on the order they die in.
 */
TEST(signals_ns_teardown)
{
	struct check_opts co = { .max_phase = 1, .wanted = ns_event_wanted };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *I;

	if (!scenario_started(&run, "ns_teardown"))
		goto out;
	if (!tracer_start(&tr, json_opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "go") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	if (!tracer_stop(&tr, keep_ns_records, NULL))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	I = &run.truth->actors[sc_actor_by_role(run.truth, "ns_init")];
	ASSERT_EQ(count_about(&tr.doc, "ns_teardown", I->pid), 1, "one teardown");
	ASSERT_EQ(count_about(&tr.doc, "init_signal_dropped", I->pid), 0,
		  "SIGKILL from outside the namespace is not dropped");
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * The teardown of ns_init_exit (3 live workers) and never_reaping (5
 * zombies, dead already: killed 0). test_events checks all their events.
 */
TEST(signals_teardown_counts)
{
	static const char *const names[] = { "ns_init_exit", "never_reaping" };
	static const int killed[] = { 3, 0 };
	unsigned int k;

	for (k = 0; k < 2; k++) {
		struct sc_run run = {};
		struct tracer tr = {};
		const struct json_obj *o = NULL;
		long long v = -1;
		int i, I;

		if (!run_traced(names[k], json_opts, &run, &tr))
			goto next;
		I = sc_actor_by_role(run.truth, "ns_init");
		ASSERT_EQ(count_about(&tr.doc, "ns_teardown", run.truth->actors[I].pid), 1,
			  names[k]);
		for (i = 0; i < tr.doc.nr; i++)
			if (!strcmp(json_event(&tr.doc.objs[i]), "ns_teardown") &&
			    json_int(&tr.doc.objs[i], "pid", &v) && v == run.truth->actors[I].pid)
				o = &tr.doc.objs[i];
		if (ASSERT_TRUE(o != NULL, names[k]) && check_header(o, &run.truth->actors[I]) &&
		    ASSERT_TRUE(json_int(o, "killed", &v), "killed is an integer"))
			ASSERT_EQ(v, killed[k], names[k]);
next:
		tracer_free(&tr);
		sc_release(&run);
	}
}

/* The text lines: EVENT column, KIND, DETAILS. */
TEST(signals_text)
{
	static const char *const opts[] = { NULL };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *A;
	char want[256], *text = NULL, *line, *save = NULL;
	int I, drops = 0, teardowns = 0;
	size_t len = 0;
	FILE *f;

	if (!run_traced("init_sigdrop", opts, &run, &tr))
		goto out;
	f = fopen(tr.out_path, "re");
	if (!ASSERT_TRUE(f != NULL, "text output readable"))
		goto out;
	if (getdelim(&text, &len, 0, f) < 0) {
		free(text);
		text = strdup("");
	}
	fclose(f);
	A = run.truth->actors;
	I = sc_actor_by_role(run.truth, "ns_init");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ev[32], comm[32], old[64], parent[64], kind[32];
		int pid, off = 0;

		if (sscanf(line, "%*s %31s %d %31s %63s %63s %31s %n", ev, &pid, comm, old, parent,
			   kind, &off) < 6 ||
		    pid != A[I].pid)
			continue;
		if (!strcmp(ev, "init_signal_dropped")) {
			drops++;
			ASSERT_STREQ(old, "-", "OLD-PARENT");
			ASSERT_STREQ(parent, "-", "PARENT");
			ASSERT_TRUE(!strcmp(kind, "SIGTERM") || !strcmp(kind, "SIGKILL"),
				    "KIND is the signal");
			snprintf(want, sizeof(want), "from=%d/%s pidns=%llu nspid=1",
				 !strcmp(kind, "SIGTERM") ?
					 A[1].pid :
					 A[sc_actor_by_role(run.truth, "child")].pid,
				 !strcmp(kind, "SIGTERM") ? "rt-harness" : "rt-child", A[I].pidns);
			if (!ASSERT_STREQ(line + off, want, "DETAILS"))
				diag("  %s", line);
			/* The event name fits its column: KIND starts where the header's does. */
			ASSERT_EQ((long)(strstr(line, kind) - line),
				  15 + 1 + 19 + 1 + 7 + 1 + 16 + 1 + 21 + 1 + 21 + 1,
				  "KIND column aligned");
		} else if (!strcmp(ev, "ns_teardown")) {
			teardowns++;
			ASSERT_STREQ(kind, "-", "KIND");
			snprintf(want, sizeof(want), "killed=0 pidns=%llu nspid=1", A[I].pidns);
			ASSERT_STREQ(line + off, want, "DETAILS");
		}
	}
	ASSERT_EQ(drops, 2, "two init_signal_dropped lines");
	ASSERT_EQ(teardowns, 1, "one ns_teardown line");
out:
	free(text);
	tracer_free(&tr);
	sc_release(&run);
}

static bool in_pidns(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	const unsigned long long *ns = arg;

	return (e->type == SC_INIT_SIGNAL_DROPPED || e->type == SC_NS_TEARDOWN) &&
	       t->actors[e->subject].pidns == *ns;
}

/* -e init_signal_dropped,ns_teardown --pidns NS: those of that namespace only. */
TEST(signals_filter_pidns)
{
	unsigned long long ns = 0;
	struct check_opts co = { .max_phase = 1, .wanted = in_pidns, .arg = &ns };
	struct sc_run run = {};
	struct tracer tr = {};
	char nsarg[32];
	const char *opts[] = { "--json",  "-e",	 "init_signal_dropped,ns_teardown",
			       "--pidns", nsarg, NULL };
	int I;

	if (!scenario_started(&run, "init_sigdrop"))
		goto out;
	/* The init recorded itself before its gate. */
	I = sc_actor_by_role(run.truth, "ns_init");
	ns = run.truth->actors[I].pidns;
	snprintf(nsarg, sizeof(nsarg), "%llu", ns);
	if (!tracer_start(&tr, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "go") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	ASSERT_EQ(count_events(&tr.doc, "zombie") + count_events(&tr.doc, "reap") +
			  count_events(&tr.doc, "reparent"),
		  0, "-e: no other event");
out:
	tracer_free(&tr);
	sc_release(&run);
}

static bool sent_by(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	const int *who = arg;

	return e->subject == *who || e->parent == *who;
}

/* -p SENDER: the drop it caused and its own events; not the other drop. */
TEST(signals_filter_pid_sender)
{
	int harness = 1; /* it sends SIGTERM: -p HARNESS shows that drop, not the child's */
	struct check_opts co = { .max_phase = 1, .wanted = sent_by, .arg = &harness };
	struct sc_run run = {};
	struct tracer tr = {};
	char pidarg[32];
	const char *opts[] = { "--json", "-p", pidarg, NULL };

	if (!scenario_started(&run, "init_sigdrop"))
		goto out;
	snprintf(pidarg, sizeof(pidarg), "%d", run.truth->actors[1].pid);
	if (!tracer_start(&tr, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "go") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	ASSERT_EQ(count_events(&tr.doc, "init_signal_dropped"), 1, "only the harness's drop");
out:
	tracer_free(&tr);
	sc_release(&run);
}
