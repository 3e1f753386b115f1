// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Storms: 20,000 orphans adopted in one exit, and 50,000 fork/exit/wait
 * cycles. Every event is there exactly once and nothing is lost.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kfeatures.h"
#include "tracer.h"

static const char *const json_opts[] = { "--json", NULL };

struct storm {
	pid_t parent; /* of the bulk */
	pid_t harness;
};

static bool keep_storm(const struct json_obj *o, void *arg)
{
	const struct storm *s = arg;
	long long v;

	return (json_int(o, "old_parent.pid", &v) && v == s->parent) ||
	       (json_int(o, "parent.pid", &v) && (v == s->parent || v == s->harness)) ||
	       (json_int(o, "reaper.pid", &v) && (v == s->parent || v == s->harness)) ||
	       (json_int(o, "pid", &v) && (v == s->parent || v == s->harness));
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * stall: the tracer is stopped (SIGSTOP) while the storm runs, so nothing
 * drains. keep: the records kept (keep_storm, or the test's own).
 */
static bool run_storm_kept(const char *name, const char *const *opts, bool stall,
			   struct sc_run *run, struct tracer *tr, struct storm *s,
			   bool (*keep)(const struct json_obj *o, void *arg))
{
	int err;

	if (!scenario_started(run, name))
		return false;
	if (!tracer_start(tr, opts)) {
		sc_finish(run);
		return false;
	}
	if (stall)
		kill(tr->pid, SIGSTOP);
	sc_go(run);
	err = sc_finish(run);
	if (stall)
		kill(tr->pid, SIGCONT);
	/* A storm that does not fit (sc_can_fork) sets skip and returns 0. */
	if (run->truth->skip[0]) {
		tracer_free(tr);
		test_skip("%s", run->truth->skip);
		return false;
	}
	if (err) {
		ASSERT_TRUE(false, run->truth->error);
		return false;
	}
	s->parent = run->truth->actors[run->truth->bulk_parent].pid;
	s->harness = run->truth->actors[1].pid;
	return tracer_stop(tr, keep, s);
}

static bool run_storm(const char *name, const char *const *opts, bool stall, struct sc_run *run,
		      struct tracer *tr, struct storm *s)
{
	return run_storm_kept(name, opts, stall, run, tr, s, keep_storm);
}

static void summary_counters(const struct tracer *tr)
{
	static const char *const keys[] = { "orphans_truncated", "zombies_untracked",
					    "unresolved_adoptions" };
	unsigned int k;
	long long v;

	if (!tr->summary)
		return;
	for (k = 0; k < 3; k++)
		if (!ASSERT_TRUE(json_int(tr->summary, keys[k], &v) && v == 0, keys[k]))
			diag("summary: %s", tr->summary->line);
}

/*
 * The subjects of the records selected by (event, key == who), sorted, must
 * equal the sorted bulk pids (except: a pid that is not of the bulk); each
 * one checked by check(o).
 */
static void same_pids(const struct jsonl_doc *d, const char *event, const char *key, pid_t who,
		      pid_t except, const pid_t *want, long n,
		      bool (*check)(const struct json_obj *o, void *a), void *arg)
{
	pid_t *got = malloc((d->nr + 1) * sizeof(pid_t));
	long m = 0, i, diff = 0;
	char what[128];
	bool bad = false;

	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];
		long long v, pid;

		if (strcmp(json_event(o), event) || !json_int(o, key, &v) || v != who ||
		    !json_int(o, "pid", &pid) || pid == except)
			continue;
		got[m++] = pid;
		if (!bad && !check(o, arg)) {
			diag("  in %s", o->line);
			bad = true; /* one example is enough */
		}
	}
	snprintf(what, sizeof(what), "number of %s events with %s %d", event, key, who);
	ASSERT_EQ(m, n, what);
	qsort(got, m, sizeof(pid_t), cmp_pid);
	for (i = 0; i < m && i < n; i++)
		diff += got[i] != want[i];
	snprintf(what, sizeof(what), "%s events are about exactly the scenario's pids", event);
	ASSERT_EQ(diff, 0, what);
	free(got);
}

static bool reparent_ok(const struct json_obj *o, void *arg)
{
	const struct storm *s = arg;
	const char *comm = json_str(o, "comm");
	long long v = 0;
	bool b = true;

	return ASSERT_TRUE(json_int(o, "new_parent.pid", &v) && v == s->harness,
			   "new_parent.pid") &&
	       ASSERT_TRUE(json_int(o, "new_parent.tid", &v) && v == s->harness,
			   "new_parent.tid") &&
	       ASSERT_STREQ(json_str(o, "reaper_kind"), "subreaper", "reaper_kind") &&
	       ASSERT_TRUE(json_bool(o, "was_zombie", &b) && !b, "was_zombie false") &&
	       /* a kid may not have renamed itself yet when its parent exited */
	       ASSERT_TRUE(comm && (!strcmp(comm, "rt-storm-kid") || !strcmp(comm, "rt-storm")),
			   "comm");
}

static bool zombie_ok(const struct json_obj *o, void *arg)
{
	long long v = -1;

	(void)arg;
	return ASSERT_TRUE(json_int(o, "exit_code", &v) && v == 0, "exit_code 0") &&
	       ASSERT_TRUE(json_int(o, "signal", &v) && v == 0, "signal 0");
}

static bool reap_ok(const struct json_obj *o, void *arg)
{
	unsigned long long z = 0;

	(void)arg;
	return ASSERT_STREQ(json_str(o, "how"), "wait4", "how") &&
	       ASSERT_TRUE(json_u64(o, "zombie_ns", &z) && z > 0, "zombie_ns > 0");
}

/*
 * A kernel whose orphan walk stops short of 20,000 (-v says max_orphans)
 * must report exactly that many and count the exit as truncated, on
 * stderr and in the summary.
 */
static bool storm_truncated(const struct tracer *tr, const struct storm *s, long max_orphans)
{
	long long v = -1;
	int i, n = 0;

	for (i = 0; i < tr->doc.nr; i++)
		if (!strcmp(json_event(&tr->doc.objs[i]), "reparent") &&
		    json_int(&tr->doc.objs[i], "old_parent.pid", &v) && v == s->parent)
			n++;
	ASSERT_EQ(n, max_orphans, "reparent events up to the walk limit");
	ASSERT_TRUE(tr->summary && json_int(tr->summary, "orphans_truncated", &v) && v == 1,
		    "summary: orphans_truncated 1");
	return ASSERT_TRUE(strstr(tr->err_text, "the rest got no reparent event") != NULL,
			   "stderr says the orphans past the limit were not reported");
}

TEST(storm_reparent_20000)
{
	static const char *const opts[] = { "--json", "-v", NULL };
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	struct storm s = {};
	const struct sc_truth *t;
	long max_orphans;
	char line[512];

	if (!run_storm("storm_reparent", opts, false, &run, &tr, &s))
		goto out;
	t = run.truth;
	if (sc_storm_scale() > 1)
		diag("RT_STORM_SCALE=%ld: %ld orphans, not 20,000", sc_storm_scale(),
		     sc_storm_nr_orphans());
	if (!ASSERT_EQ(t->nr_bulk, sc_storm_nr_orphans(), "the scenario made all its orphans") ||
	    !ASSERT_EQ(t->nr_adopted_seen, sc_storm_nr_orphans(), "/proc shows all adopted by H"))
		goto out;
	max_orphans =
		feature_number(features_line(tr.err_text, line, sizeof(line)) ?: "", "max_orphans");
	if (!ASSERT_GT(max_orphans, 0, "-v names max_orphans"))
		goto out;
	if (max_orphans < t->nr_bulk) {
		if (storm_truncated(&tr, &s, max_orphans))
			test_skip("this kernel's orphan walk stops at %ld children (no bpf_loop): "
				  "not all of them can be reported; the truncation was",
				  max_orphans);
		goto out;
	}
	qsort(t->bulk, t->nr_bulk, sizeof(pid_t), cmp_pid);
	same_pids(&tr.doc, "reparent", "old_parent.pid", s.parent, 0, t->bulk, t->nr_bulk,
		  reparent_ok, &s);
	/* the storm parent's own zombie and reap are not of the bulk */
	same_pids(&tr.doc, "zombie", "parent.pid", s.harness, s.parent, t->bulk, t->nr_bulk,
		  zombie_ok, &s);
	same_pids(&tr.doc, "reap", "reaper.pid", s.harness, s.parent, t->bulk, t->nr_bulk, reap_ok,
		  &s);
	summary_counters(&tr);
	/* H and P themselves, field by field (the bulk pids are no actors). */
	check_events(&tr.doc, t, &co, &tr);
out:
	tracer_free(&tr);
	sc_release(&run);
}

TEST(storm_cycles_50000)
{
	struct check_opts co = { .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	struct storm s = {};
	const struct sc_truth *t;

	if (!run_storm("storm_cycles", json_opts, false, &run, &tr, &s))
		goto out;
	t = run.truth;
	if (sc_storm_scale() > 1)
		diag("RT_STORM_SCALE=%ld: %ld cycles, not 50,000", sc_storm_scale(),
		     sc_storm_nr_cycles());
	if (!ASSERT_EQ(t->nr_bulk, sc_storm_nr_cycles(), "the scenario made all its cycles"))
		goto out;
	/* pids wrap around: compare as multisets */
	qsort(t->bulk, t->nr_bulk, sizeof(pid_t), cmp_pid);
	same_pids(&tr.doc, "zombie", "parent.pid", s.parent, 0, t->bulk, t->nr_bulk, zombie_ok, &s);
	same_pids(&tr.doc, "reap", "reaper.pid", s.parent, 0, t->bulk, t->nr_bulk, reap_ok, &s);
	summary_counters(&tr);
	check_events(&tr.doc, t, &co, &tr);
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * Nothing is lost silently: a 1 MiB ring buffer whose reader is stopped
 * while 20,000 orphans are adopted, exit and are reaped (60,000 events)
 * must overflow; every event is then printed or counted lost, the loss is
 * said on stderr, and the "lost" records add up to the summary.
 */
TEST(storm_lost_accounted)
{
	static const char *const small_opts[] = { "--json", "-b", "1", NULL };
	long long lost = -1, v, told = 0;
	struct tracer tr = { .lossy = true };
	struct sc_run run = {};
	struct storm s = {};
	long bulk = 0, i;

	if (sc_storm_scale() > 1) {
		test_skip("RT_STORM_SCALE=%ld: %ld orphans make too few events to overflow "
			  "even a 1 MiB buffer",
			  sc_storm_scale(), sc_storm_nr_orphans());
		return;
	}
	if (!run_storm("storm_reparent", small_opts, true, &run, &tr, &s))
		goto out;
	if (!ASSERT_TRUE(tr.summary && json_int(tr.summary, "lost", &lost), "summary has lost"))
		goto out;
	for (i = 0; i < tr.doc.nr; i++) {
		const struct json_obj *o = &tr.doc.objs[i];
		const char *ev = json_event(o);

		if (!strcmp(ev, "lost") && json_int(o, "lost", &v))
			told += v;
		else if ((!strcmp(ev, "reparent") && json_int(o, "old_parent.pid", &v) &&
			  v == s.parent) ||
			 ((!strcmp(ev, "zombie") || !strcmp(ev, "reap")) &&
			  json_int(o, "pid", &v) && v != s.parent && v != s.harness &&
			  ((json_int(o, "parent.pid", &v) && v == s.harness) ||
			   (json_int(o, "reaper.pid", &v) && v == s.harness))))
			bulk++;
	}
	diag("%ld of 60000 bulk events printed, %lld lost", bulk, lost);
	ASSERT_GT(lost, 0, "a stalled 1 MiB buffer loses events");
	ASSERT_LT(bulk, 60000, "not every event could be delivered");
	ASSERT_GE(bulk + lost, 60000, "every event is printed or counted lost");
	ASSERT_EQ(told, lost, "the lost records add up to the summary");
	ASSERT_TRUE(strstr(tr.err_text, "reapertrace: lost ") != NULL,
		    "stderr says events were lost");
out:
	tracer_free(&tr);
	sc_release(&run);
}

/* keep: what H adopted, and the summary (kept by the tracer itself) */
static bool keep_adopted_by(const struct json_obj *o, void *arg)
{
	const struct storm *s = arg;
	long long v;

	return !strcmp(json_event(o), "reparent") && json_int(o, "new_parent.pid", &v) &&
	       v == s->harness;
}

static int cmp_pair(const void *a, const void *b)
{
	const pid_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] > y[1]) - (x[1] < y[1]);
}

/*
 * 16 parents exit at once: every orphan's adoption by H is reported once,
 * with its own parent, and no run of the orphan walk is missing. Where the
 * kernel's tracepoints are preemptible (7.x), an exit preempts another's
 * walk on one CPU and the kernel skips the walk's run if that walk is a
 * tp_btf or raw_tp program: the standby walks some (runs_rescued); those
 * left are counted (runs_skipped) and said. The classic tracepoint walk,
 * the first path, never skips.
 */
TEST(storm_crowd_exits)
{
	static const char *const opts[] = { "--json", "-e", "reparent", NULL };
	long long skipped = -1, rescued = -1;
	struct sc_run run = {};
	struct tracer tr = {};
	struct storm s = {};
	long n, m = 0, wrong = 0, twice = 0, i;
	pid_t *want = NULL;
	char *seen = NULL;

	if (!run_storm_kept("crowd_exits", opts, false, &run, &tr, &s, keep_adopted_by))
		goto out;
	n = run.truth->nr_bulk / 2;
	if (!ASSERT_EQ(n, sc_crowd_nr_orphans(), "the scenario made all its orphans"))
		goto out;
	want = malloc(2 * n * sizeof(pid_t));
	seen = calloc(n, 1);
	if (!ASSERT_TRUE(want && seen, "memory"))
		goto out;
	memcpy(want, run.truth->bulk, 2 * n * sizeof(pid_t));
	qsort(want, n, 2 * sizeof(pid_t), cmp_pair);
	for (i = 0; i < tr.doc.nr; i++) {
		const struct json_obj *o = &tr.doc.objs[i];
		long long pid, old;
		pid_t key[2], *hit;

		if (strcmp(json_event(o), "reparent"))
			continue;
		if (!json_int(o, "pid", &pid) || !json_int(o, "old_parent.pid", &old)) {
			ASSERT_TRUE(false, "a reparent record has pid and old_parent.pid");
			continue;
		}
		m++;
		key[0] = pid;
		key[1] = old;
		hit = bsearch(key, want, n, 2 * sizeof(pid_t), cmp_pair);
		if (!hit) {
			if (!wrong++)
				diag("not of the truth: %s", o->line);
		} else if (seen[(hit - want) / 2]++) {
			twice++;
		}
	}
	ASSERT_EQ(wrong, 0, "each reparent is an orphan of the crowd, with its own parent");
	ASSERT_EQ(twice, 0, "no orphan's adoption is reported twice");
	if (!ASSERT_TRUE(tr.summary && json_int(tr.summary, "runs_skipped", &skipped) &&
				 json_int(tr.summary, "runs_rescued", &rescued),
			 "summary has runs_skipped and runs_rescued"))
		goto out;
	diag("%lld exits of %d walked by the standby (runs_rescued), %lld runs skipped", rescued,
	     CROWD_PARENTS, skipped);
	if (!skipped) {
		ASSERT_EQ(m, n, "one reparent event per orphan adopted by H");
		goto out;
	}
	/* A walk the kernel skipped costs at most its exit's orphans, and is said. */
	ASSERT_FALSE(tr.features && strstr(tr.features, "\"exit\":\"tracepoint\""),
		     "the classic tracepoint walk is never skipped");
	ASSERT_TRUE(n - m <= skipped * (n / CROWD_PARENTS),
		    "the orphans missing are those of the walks skipped");
	ASSERT_TRUE(strstr(tr.err_text, "reapertrace: the kernel skipped") != NULL,
		    "stderr says runs were skipped");
out:
	free(want);
	free(seen);
	tracer_free(&tr);
	sc_release(&run);
}
