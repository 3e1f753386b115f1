// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Multi-threaded exits (tests/scenarios/threads.c, one of them a real Go
 * program's), each scenario run several times under one tracer, plain
 * and with -T: every orphan is adopted out of its process exactly once,
 * by H (kind subreaper), from a thread of P; with -T the hand-offs inside
 * P form one chain from the forking thread to the thread whose exit gave
 * the orphans to H; the
 * zombie and reap records of P and of the orphans are there once each,
 * field by field; /proc showed H as the orphans' parent; each orphan's
 * adoption is reported before its zombie record.
 *
 * RT_THREADS_RUNS sets the number of runs (default 10).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tracer.h"

#define MAX_RUNS 100

static int nr_runs(void)
{
	const char *s = getenv("RT_THREADS_RUNS");
	int n = s ? atoi(s) : 10;

	return n < 1 ? 1 : n > MAX_RUNS ? MAX_RUNS : n;
}

static bool is_thread_kind(const struct json_obj *o)
{
	const char *kind = json_str(o, "reaper_kind");

	return kind && !strcmp(kind, "thread");
}

/* The actor of @t that is thread @tid of process @pid, or -1. */
static int thread_actor(const struct sc_truth *t, long long pid, long long tid)
{
	int i;

	for (i = 0; i < t->nr_actors; i++)
		if (t->actors[i].pid == pid && t->actors[i].tid == tid)
			return i;
	return -1;
}

/* A hand-off the truth declares (the certain ones): the rest are checked as a chain. */
static bool declared(const struct sc_truth *t, const struct json_obj *o)
{
	long long pid, tid;
	int i;

	if (!json_int(o, "pid", &pid) || !json_int(o, "old_parent.tid", &tid))
		return false;
	for (i = 0; i < t->nr_events; i++) {
		const struct sc_event *e = &t->events[i];

		if (e->type == SC_REPARENT && e->threads_only && t->actors[e->subject].pid == pid &&
		    t->actors[e->parent].tid == tid)
			return true;
	}
	return false;
}

/* The old parent of a hand-off of @c's that no hand-off led to: where its chain starts. */
static long long chain_start(const struct jsonl_doc *d, const struct sc_actor *c)
{
	long long pid, from, to, start = -1;
	int i, j;

	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];
		bool led_to = false;

		if (strcmp(json_event(o), "reparent") || !json_int(o, "pid", &pid) ||
		    pid != c->pid || !json_int(o, "old_parent.tid", &from))
			continue;
		for (j = 0; j < d->nr && !led_to; j++)
			led_to = j != i && !strcmp(json_event(&d->objs[j]), "reparent") &&
				 json_int(&d->objs[j], "pid", &pid) && pid == c->pid &&
				 is_thread_kind(&d->objs[j]) &&
				 json_int(&d->objs[j], "new_parent.tid", &to) && to == from;
		if (!led_to)
			start = from;
	}
	return start;
}

/*
 * The reparent records of orphan @c: one out of P, the others hand-offs
 * between P's threads that chain from the forking thread @t1 (-1: not
 * known, where the chain starts) to the old parent of that one. The
 * chain's tids in @chain (at most @max), their number returned; -1 if it
 * does not hold (asserted).
 */
static int orphan_chain(const struct jsonl_doc *d, const struct sc_truth *t, int c, int p, int t1,
			bool threads, long long *chain, int max)
{
	const struct sc_actor *A = t->actors;
	int i, n = 0, out = 0, handoffs = 0, step;
	long long cur = t1 >= 0 ? A[t1].tid : chain_start(d, &A[c]), v;
	char what[128];
	bool ok = true, more;

	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];

		if (strcmp(json_event(o), "reparent") || !json_int(o, "pid", &v) || v != A[c].pid)
			continue;
		n++;
		if (!is_thread_kind(o)) {
			out++;
			continue;
		}
		handoffs++;
		ok &= ASSERT_TRUE(json_int(o, "old_parent.pid", &v) && v == A[p].pid,
				  "hand-off from a thread of P");
		ok &= ASSERT_TRUE(json_int(o, "new_parent.pid", &v) && v == A[p].pid,
				  "hand-off to a thread of P");
		ok &= ASSERT_TRUE(json_int(o, "new_parent.tid", &v) &&
					  (thread_actor(t, A[p].pid, v) >= 0 ||
					   t->threads_unlisted),
				  "hand-off to a thread the scenario made");
		if (t->threads_unlisted) /* then a thread of P's name */
			ok &= ASSERT_STREQ(json_str(o, "new_parent.comm"), A[p].comm,
					   "hand-off to a thread of P's name");
		if (!ok)
			diag("  in %s", o->line);
	}
	snprintf(what, sizeof(what), "adoptions of %s (%d) out of P", A[c].comm, A[c].pid);
	ok &= ASSERT_EQ(out, 1, what);
	if (!threads)
		ok &= ASSERT_EQ(handoffs, 0, "no hand-off between threads without -T");
	if (!ok)
		return -1;
	chain[0] = cur;
	if (!threads)
		return n; /* which thread had it last is told only by the hand-offs */
	/* Follow the chain from T1: each thread exits once, so one record from each. */
	for (step = 1, more = true; more && step <= n; step++) {
		int from = 0, at = -1;

		for (i = 0; i < d->nr; i++) {
			const struct json_obj *o = &d->objs[i];

			if (strcmp(json_event(o), "reparent") || !json_int(o, "pid", &v) ||
			    v != A[c].pid || !json_int(o, "old_parent.tid", &v) || v != cur)
				continue;
			from++;
			at = i;
		}
		snprintf(what, sizeof(what), "records of %s from thread %lld", A[c].comm, cur);
		if (!ASSERT_EQ(from, 1, what))
			return -1;
		more = is_thread_kind(&d->objs[at]);
		if (more) {
			json_int(&d->objs[at], "new_parent.tid", &cur);
			if (!ASSERT_NEQ(cur, chain[step - 1], "a hand-off goes to another thread"))
				return -1;
			if (step < max)
				chain[step] = cur;
		}
	}
	snprintf(what, sizeof(what), "every record of %s is on the chain from T1", A[c].comm);
	if (!ASSERT_EQ(step - 1, n, what))
		return -1;
	return n;
}

/*
 * Orphan @c's adoption out of P is reported before its own zombie record:
 * its exit notification settles the exits left pending (bpf/, the hints),
 * so the adoption is read while the orphan still names its new parent. A
 * later one reads an orphan its parent may have reaped and freed.
 */
static bool adopted_before_exit(const struct jsonl_doc *d, const struct sc_actor *c)
{
	const struct json_obj *z = jsonl_find(d, "zombie", c->pid, 0);
	long long pid, adopted = -1, exited = -1;
	bool was_zombie;
	char what[128];
	int i;

	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];

		if (!strcmp(json_event(o), "reparent") && !is_thread_kind(o) &&
		    json_int(o, "pid", &pid) && pid == c->pid) {
			json_int(o, "ts_ns", &adopted);
			if (json_bool(o, "was_zombie", &was_zombie) && was_zombie)
				return true; /* adopted as a zombie: no exit after it */
		}
	}
	if (!z || !json_int(z, "ts_ns", &exited) || adopted < 0)
		return true; /* their absence is check_events()'s to report */
	snprintf(what, sizeof(what), "%s (%d) adopted (%lld) before its zombie record (%lld)",
		 c->comm, c->pid, adopted, exited);
	return ASSERT_TRUE(adopted < exited, what);
}

/* One run: the orphans' chains, then the truth, event by event. */
static bool check_run(const struct tracer *tr, const struct sc_truth *t, bool threads,
		      bool *duplicate)
{
	int h = 1, p = sc_actor_by_role(t, "parent"), t1 = sc_actor_by_role(t, "thread");
	/* A Go program's runtime forks on whatever thread runs the goroutine. */
	bool go = !strcmp(t->name, "go_exit_group");
	struct check_opts co = { .threads = threads };
	long long chain[32], first[32];
	const struct jsonl_doc *d = &tr->doc;
	struct jsonl_doc sub = { 0 };
	int c, i, n, n0 = -1, out;
	bool ok = true;
	long long v;

	*duplicate = false;
	if (!ASSERT_TRUE(p > 0 && t1 > 0, "the truth has P and T1"))
		return false;
	for (c = 0; c < t->nr_actors; c++) {
		if (strcmp(t->actors[c].role, "orphan"))
			continue;
		ok &= ASSERT_EQ(t->actors[c].ppid_seen, t->actors[h].pid,
				"/proc/ORPHAN/stat ppid == H after P's exit");
		for (i = out = 0; i < d->nr; i++)
			out += !strcmp(json_event(&d->objs[i]), "reparent") &&
			       json_int(&d->objs[i], "pid", &v) && v == t->actors[c].pid &&
			       !is_thread_kind(&d->objs[i]);
		*duplicate |= out > 1;
		ok &= adopted_before_exit(d, &t->actors[c]);
		n = orphan_chain(d, t, c, p, go ? -1 : t1, threads, chain, 32);
		if (n < 0) {
			ok = false;
			continue;
		}
		if (go)
			continue;
		/* A thread hands all its children on at once: every orphan has the same chain. */
		if (n0 < 0) {
			n0 = n;
			memcpy(first, chain, sizeof(first));
		} else if (!ASSERT_EQ(n, n0, "every orphan went down the same chain") ||
			   !ASSERT_TRUE(!memcmp(chain, first,
						sizeof(long long) * (n < 32 ? n : 32)),
					"the same threads, in the same order")) {
			ok = false;
		}
	}
	/* The truth, without the hand-offs it cannot know (their chain was checked above). */
	sub.objs = calloc(d->nr ? d->nr : 1, sizeof(*sub.objs));
	if (!sub.objs)
		return false;
	for (i = 0; i < d->nr; i++)
		if (!is_thread_kind(&d->objs[i]) || declared(t, &d->objs[i]))
			sub.objs[sub.nr++] = d->objs[i];
	ok &= check_events(&sub, t, &co, tr);
	free(sub.objs);
	if (!ok) {
		diag_truth(t);
		dump_scenario_records(d, t);
	}
	return ok;
}

/* @name run nr_runs() times under one tracer (with -T if @threads), each run checked. */
static void threads_traced(const char *name, bool threads)
{
	static const char *const plain[] = { "--json", NULL };
	static const char *const with_T[] = { "--json", "-T", NULL };
	static struct sc_run runs[MAX_RUNS];
	int r, n = nr_runs(), started = 0, dups = 0, bad = 0;
	struct tracer tr = {};
	bool dup;

	memset(runs, 0, sizeof(runs));
	if (!tracer_start(&tr, threads ? with_T : plain))
		goto out;
	for (r = 0; r < n; r++) {
		if (sc_start(&runs[r], name)) {
			ASSERT_TRUE(false, "scenario starts");
			diag("%s", runs[r].truth ? runs[r].truth->error : "no such scenario");
			break;
		}
		started++;
		if (!ASSERT_EQ(sc_go(&runs[r]), 0, "scenario go") ||
		    !ASSERT_EQ(sc_finish(&runs[r]), 0, "scenario ran as designed")) {
			diag("%s", runs[r].truth->error);
			break;
		}
		if (runs[r].truth->skip[0]) {
			test_skip("%s", runs[r].truth->skip);
			break;
		}
	}
	if (!tracer_stop(&tr, NULL, NULL) || r < n)
		goto out;
	for (r = 0; r < started; r++) {
		if (!check_run(&tr, runs[r].truth, threads, &dup)) {
			diag("run %d of %d failed", r + 1, n);
			bad++;
		}
		dups += dup;
	}
	diag("%s%s: %d runs, %d with an orphan adopted out of P more than once, %d failed", name,
	     threads ? " -T" : "", n, dups, bad);
out:
	tracer_free(&tr);
	for (r = 0; r < MAX_RUNS; r++)
		sc_release(&runs[r]);
}

TEST(threads_exit_group)
{
	threads_traced("threads_exit_group", false);
}

TEST(threads_exit_group_T)
{
	threads_traced("threads_exit_group", true);
}

TEST(threads_forking_thread_first)
{
	threads_traced("forking_thread_first", false);
}

TEST(threads_forking_thread_first_T)
{
	threads_traced("forking_thread_first", true);
}

/* A real Go program (tests/scenarios/go/exit_group.go): its children start on the runtime's threads. */
TEST(threads_go_exit_group)
{
	threads_traced("go_exit_group", false);
}

TEST(threads_go_exit_group_T)
{
	threads_traced("go_exit_group", true);
}
