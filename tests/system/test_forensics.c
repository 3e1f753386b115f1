// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Incident forensics in the stream: the origin an orphan keeps on its later
 * events, and --zombie-age leak alerts (with --fail-on-leak's exit status).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

/* The record of @event about actor @a, or NULL. */
static const struct json_obj *record_of(const struct jsonl_doc *d, const char *event,
					const struct sc_actor *a)
{
	long long pid;
	int i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(json_event(&d->objs[i]), event) && json_int(&d->objs[i], "pid", &pid) &&
		    pid == a->pid)
			return &d->objs[i];
	return NULL;
}

/* The record's "origin" names exactly @links (actor indexes, nearest first). */
static bool check_origin(const struct json_obj *o, const struct sc_truth *t, const int *links,
			 int nr, const char *what)
{
	const struct json_field *f = json_get(o, "origin");
	unsigned long long cg;
	char key[64];
	long long pid;
	bool trunc, ok = true;
	int i;

	if (!nr)
		return ASSERT_TRUE(json_is_null(o, "origin"), what);
	if (!ASSERT_TRUE(f && f->type == JSON_ARRAY, what) ||
	    !ASSERT_EQ(f->num, (unsigned long long)nr, "origin length")) {
		diag("%s", o->line);
		return false;
	}
	for (i = 0; i < nr; i++) {
		const struct sc_actor *a = &t->actors[links[i]];

		snprintf(key, sizeof(key), "origin.%d.pid", i);
		ok &= ASSERT_TRUE(json_int(o, key, &pid) && pid == a->pid, key);
		snprintf(key, sizeof(key), "origin.%d.comm", i);
		ok &= ASSERT_STREQ(json_str(o, key), a->comm, key);
		snprintf(key, sizeof(key), "origin.%d.cgroup_id", i);
		ok &= ASSERT_TRUE(json_u64(o, key, &cg) && cg == a->cgroup_id, key);
	}
	ok &= ASSERT_TRUE(json_bool(o, "origin_truncated", &trunc) && !trunc, "origin_truncated");
	if (!ok)
		diag("%s", o->line);
	return ok;
}

/*
 * A forks B forks X; A exits, then B. X's zombie and reap, long after both
 * are gone, still say X came from B, and B from A.
 */
TEST(origin_two_levels)
{
	static const char *const opts[] = { "--json", NULL };
	const struct json_obj *o;
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_truth *t;
	int a, b, x;

	if (!run_traced("origin_chain", opts, &run, &tr) ||
	    !check_events(&tr.doc, run.truth, &(struct check_opts){}, &tr))
		goto out;
	t = run.truth;
	a = sc_actor_by_role(t, "spawner");
	b = sc_actor_by_role(t, "middle");
	x = sc_actor_by_role(t, "leaf");

	o = record_of(&tr.doc, "zombie", &t->actors[x]);
	check_origin(o, t, (int[]){ b, a }, 2,
		     "the leaf's zombie names the middle, then the spawner");
	o = record_of(&tr.doc, "reap", &t->actors[x]);
	check_origin(o, t, (int[]){ b, a }, 2, "the leaf's reap too");
	o = record_of(&tr.doc, "reparent", &t->actors[x]);
	check_origin(o, t, (int[]){ b, a }, 2, "and its reparent");

	o = record_of(&tr.doc, "zombie", &t->actors[b]);
	check_origin(o, t, (int[]){ a }, 1, "the middle's zombie names the spawner");
	o = record_of(&tr.doc, "reap", &t->actors[b]);
	check_origin(o, t, (int[]){ a }, 1, "the middle's reap too");

	o = record_of(&tr.doc, "zombie", &t->actors[a]);
	check_origin(o, t, NULL, 0, "the spawner was never orphaned: origin null");
out:
	tracer_free(&tr);
	sc_release(&run);
}

/* The same in text: DETAILS ends with origin=PID/COMM<PID/COMM. */
TEST(origin_text)
{
	static const char *const opts[] = { NULL };
	struct sc_run run = {};
	struct tracer tr = {};
	const struct sc_actor *a, *b, *x;
	char want[128], *text = NULL, *line;
	const struct sc_truth *t;
	FILE *f;
	size_t len = 0;
	int found = 0;

	if (!run_traced("origin_chain", opts, &run, &tr))
		goto out;
	t = run.truth;
	a = &t->actors[sc_actor_by_role(t, "spawner")];
	b = &t->actors[sc_actor_by_role(t, "middle")];
	x = &t->actors[sc_actor_by_role(t, "leaf")];
	snprintf(want, sizeof(want), " origin=%d/%s<%d/%s", b->pid, b->comm, a->pid, a->comm);
	f = fopen(tr.out_path, "re");
	if (!ASSERT_TRUE(f != NULL, "text output readable"))
		goto out;
	while (getline(&text, &len, f) > 0) {
		char pid[16];

		snprintf(pid, sizeof(pid), " %d ", x->pid);
		line = text;
		if (strstr(line, pid) && (strstr(line, " zombie ") || strstr(line, " reap ")) &&
		    strstr(line, want))
			found++;
	}
	fclose(f);
	free(text);
	if (!ASSERT_EQ(found, 2, "the leaf's zombie and reap lines show its origin"))
		diag("wanted '%s'", want);
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * A container whose PID 1 never reaps: 5 zombies held for 2.5 s with
 * --zombie-age 1. One leak line names the init, with all 5 zombies; the
 * tracer exits 3 with --fail-on-leak.
 */
TEST(leak_never_reaping_init)
{
	static const char *const opts[] = { "--json", "--zombie-age", "1", "--fail-on-leak", NULL };
	unsigned long long ns, oldest_ns, limit_ns;
	const struct json_obj *leak = NULL;
	const struct sc_actor *init, *z1;
	struct sc_run run = {};
	struct tracer tr = { .exit_status = 3 };
	long long v;
	int i, leaks = 0;

	if (!ASSERT_EQ(sc_start(&run, "never_reaping"), 0, "scenario start"))
		goto out;
	if (!tracer_start(&tr, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&run), 0, "scenario go") ||
	    !ASSERT_EQ(sc_wait_hold(&run), 0, "hold with 5 zombies"))
		goto out;
	usleep(2500 * 1000);
	if (!ASSERT_EQ(sc_continue(&run), 0, "continue") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario finish") ||
	    !ASSERT_STREQ(run.truth->error, "", "scenario ran as designed"))
		goto out;
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	init = &run.truth->actors[sc_actor_by_role(run.truth, "ns_init")];
	z1 = &run.truth->actors[sc_actor_by_role(run.truth, "zombie1")];
	for (i = 0; i < tr.doc.nr; i++) {
		if (strcmp(json_event(&tr.doc.objs[i]), "leak"))
			continue;
		leaks++;
		leak = &tr.doc.objs[i];
	}
	if (!ASSERT_EQ(leaks, 1, "exactly one leak record: once per reaper") || !leak)
		goto out;
	ASSERT_TRUE(json_int(leak, "reaper.pid", &v) && v == init->pid, "reaper.pid is the init");
	ASSERT_STREQ(json_str(leak, "reaper.comm"), init->comm, "reaper.comm");
	ASSERT_TRUE(json_int(leak, "zombies", &v) && v == 5, "zombies: all 5 it holds");
	ASSERT_TRUE(json_int(leak, "older", &v) && v >= 1 && v <= 5, "older than the limit");
	ASSERT_TRUE(json_u64(leak, "limit_ns", &limit_ns) && limit_ns == 1000000000ULL, "limit_ns");
	ASSERT_TRUE(json_u64(leak, "oldest_ns", &oldest_ns) && oldest_ns > limit_ns &&
			    oldest_ns < 30000000000ULL,
		    "oldest_ns past the limit, within the test's time");
	ASSERT_TRUE(json_int(leak, "oldest.pid", &v) && v == z1->pid,
		    "oldest.pid: the first zombie made");
	ASSERT_TRUE(json_u64(leak, "pidns", &ns) && ns == z1->pidns, "pidns: the zombies'");
	ASSERT_TRUE(json_u64(tr.summary, "leaks", &ns) && ns == 1, "summary: leaks 1");
out:
	scenario_abandon(&run);
	tracer_free(&tr);
	sc_release(&run);
}

/* Zombies reaped at once are no leak: no record, exit status 0. */
TEST(leak_none_when_reaped)
{
	static const char *const opts[] = { "--json", "--zombie-age", "0.5", "--fail-on-leak",
					    NULL };
	struct sc_run run = {};
	struct tracer tr = {};
	unsigned long long n;

	if (!run_traced("orphan_subreaper", opts, &run, &tr))
		goto out;
	ASSERT_EQ(count_events(&tr.doc, "leak"), 0, "no leak record");
	ASSERT_TRUE(json_u64(tr.summary, "leaks", &n) && n == 0, "summary: leaks 0");
out:
	tracer_free(&tr);
	sc_release(&run);
}

/*
 * Zombies made before the tracer started: found at the start, flagged by
 * --zombie-age with their real age, and their reaps reported (here by the
 * kernel, when the namespace's init exits).
 */
TEST(leak_zombies_before_start)
{
	static const char *const opts[] = { "--json", "--zombie-age", "1", "--fail-on-leak", NULL };
	struct tracer tr = { .exit_status = 3 };
	unsigned long long v, t0, zns;
	const struct sc_actor *init, *z;
	const struct json_obj *o;
	struct sc_run run = {};
	char role[16];
	long long pid;
	int i, j;

	if (!ASSERT_EQ(sc_start(&run, "never_reaping"), 0, "scenario start") ||
	    !ASSERT_EQ(sc_go(&run), 0, "scenario go") ||
	    !ASSERT_EQ(sc_wait_hold(&run), 0, "hold with 5 zombies"))
		goto out;
	t0 = boottime_ns();
	usleep(1500 * 1000); /* they are 1.5 s old when the tracer starts */
	if (!tracer_start(&tr, opts))
		goto out;
	usleep(1500 * 1000);
	if (!ASSERT_EQ(sc_continue(&run), 0, "continue") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "scenario finish") ||
	    !ASSERT_STREQ(run.truth->error, "", "scenario ran as designed") ||
	    !tracer_stop(&tr, NULL, NULL))
		goto out;
	init = &run.truth->actors[sc_actor_by_role(run.truth, "ns_init")];
	o = NULL;
	for (i = 0; i < tr.doc.nr; i++)
		if (!strcmp(json_event(&tr.doc.objs[i]), "leak") &&
		    json_int(&tr.doc.objs[i], "reaper.pid", &pid) && pid == init->pid)
			o = &tr.doc.objs[i];
	if (!ASSERT_TRUE(o != NULL, "a leak record names the init"))
		goto out;
	ASSERT_TRUE(json_u64(o, "zombies", &v) && v == 5, "all 5 zombies, though made before");
	if (!ASSERT_TRUE(json_u64(o, "oldest_ns", &v) && v >= 1500000000ULL &&
				 v <= boottime_ns() - t0 + 1000000000ULL,
			 "oldest_ns counts from their exit, not from the start"))
		diag("oldest_ns %llu, %llu ns since the hold", v, boottime_ns() - t0);
	for (j = 1; j <= 5; j++) {
		snprintf(role, sizeof(role), "zombie%d", j);
		z = &run.truth->actors[sc_actor_by_role(run.truth, role)];
		ASSERT_TRUE(record_of(&tr.doc, "zombie", z) == NULL,
			    "no zombie record: it was not made while tracing");
		o = record_of(&tr.doc, "reap", z);
		if (!ASSERT_TRUE(o != NULL, "its reap is reported"))
			continue;
		ASSERT_STREQ(json_str(o, "how"), "auto", "released with the namespace");
		if (!ASSERT_TRUE(json_u64(o, "zombie_ns", &zns) && zns >= 2500000000ULL &&
					 zns <= boottime_ns() - t0 + 1000000000ULL,
				 "zombie_ns: from its exit, before the tracer started"))
			diag("zombie_ns %llu, %llu ns since the hold", zns, boottime_ns() - t0);
	}
	ASSERT_TRUE(json_u64(tr.summary, "zombies_at_start", &v) && v >= 5,
		    "summary: zombies_at_start counts them");
out:
	scenario_abandon(&run);
	tracer_free(&tr);
	sc_release(&run);
}
