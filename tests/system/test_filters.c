// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Filters: two scenarios run at once under one tracer with a filter; the
 * events of the one selected are all printed (field by field), those of
 * the other not at all, and every printed record passes the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

static bool none(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	(void)t;
	(void)e;
	(void)arg;
	return false;
}

/* Starts both scenarios (gated), the tracer, runs both, stops the tracer. */
static bool run_pair(struct sc_run *a, const char *sa, struct sc_run *b, const char *sb,
		     const char *const *opts, struct tracer *tr,
		     void (*before_trace)(struct sc_run *a, void *arg), void *arg)
{
	if (sc_start(a, sa) || sc_start(b, sb)) {
		if ((a->truth && a->truth->skip[0]) || (b->truth && b->truth->skip[0]))
			test_skip("%s", a->truth->skip[0] ? a->truth->skip : b->truth->skip);
		else
			ASSERT_TRUE(false, "scenarios start");
		return false;
	}
	if (before_trace)
		before_trace(a, arg);
	if (test_failed() || test_skipped() || !tracer_start(tr, opts))
		return false;
	if (!ASSERT_EQ(sc_go(a), 0, "go a") || !ASSERT_EQ(sc_go(b), 0, "go b") ||
	    !ASSERT_EQ(sc_finish(a), 0, a->truth->error) ||
	    !ASSERT_EQ(sc_finish(b), 0, b->truth->error))
		return false;
	return tracer_stop(tr, NULL, NULL);
}

static bool involves_harness(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	(void)t;
	(void)arg;
	return e->subject == 1 || e->parent == 1 || e->new_parent == 1;
}

TEST(filter_pid)
{
	struct sc_run a = {}, b = {};
	struct tracer tr = {};
	struct check_opts in = { .wanted = involves_harness }, out = { .wanted = none };
	char pid[16];
	const char *opts[] = { "--json", "-p", pid, NULL };
	int i;

	if (sc_start(&a, "orphan_subreaper")) {
		ASSERT_TRUE(false, "scenario starts");
		goto out;
	}
	snprintf(pid, sizeof(pid), "%d", a.harness);
	if (sc_start(&b, "exit_codes") || !tracer_start(&tr, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&a), 0, "go") || !ASSERT_EQ(sc_go(&b), 0, "go") ||
	    !ASSERT_EQ(sc_finish(&a), 0, "a ran") || !ASSERT_EQ(sc_finish(&b), 0, "b ran") ||
	    !tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, a.truth, &in, &tr);
	check_events(&tr.doc, b.truth, &out, &tr);
	for (i = 0; i < tr.doc.nr; i++) {
		const struct json_obj *o = &tr.doc.objs[i];
		static const char *const keys[] = { "pid", "old_parent.pid", "new_parent.pid",
						    "parent.pid", "reaper.pid" };
		bool hit = false;
		unsigned int k;
		long long v;

		if (!is_event_record(o))
			continue;
		for (k = 0; k < 5; k++)
			hit |= json_int(o, keys[k], &v) && v == a.harness;
		if (!ASSERT_TRUE(hit, "every record involves the -p pid"))
			diag("  %s", o->line);
	}
out:
	tracer_free(&tr);
	sc_release(&a);
	sc_release(&b);
}

TEST(filter_events_zombie)
{
	const char *opts[] = { "--json", "-e", "zombie", NULL };
	struct check_opts co = { .only_event = "zombie", .max_phase = 1 };
	struct sc_run run = {};
	struct tracer tr = {};
	int i;

	if (!run_traced("exit_codes", opts, &run, &tr))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
	for (i = 0; i < tr.doc.nr; i++)
		if (is_event_record(&tr.doc.objs[i]) &&
		    !ASSERT_STREQ(json_event(&tr.doc.objs[i]), "zombie",
				  "-e zombie prints zombies only"))
			diag("  %s", tr.doc.objs[i].line);
out:
	tracer_free(&tr);
	sc_release(&run);
}

static bool in_ns(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	return t->actors[e->subject].pidns == *(unsigned long long *)arg;
}

TEST(filter_pidns)
{
	struct sc_run a = {}, b = {};
	struct tracer tr = {};
	unsigned long long ns;
	struct check_opts in = { .wanted = in_ns, .arg = &ns }, out = { .wanted = none };
	char nsbuf[32];
	const char *opts[] = { "--json", "--pidns", nsbuf, NULL };
	int i;

	if (sc_start(&a, "orphan_ns_init")) {
		if (a.truth && a.truth->skip[0])
			test_skip("%s", a.truth->skip);
		else
			ASSERT_TRUE(false, "scenario starts");
		goto out;
	}
	/* The ns init recorded itself at its gate. */
	ns = a.truth->actors[sc_actor_by_role(a.truth, "ns_init")].pidns;
	snprintf(nsbuf, sizeof(nsbuf), "%llu", ns);
	if (sc_start(&b, "orphan_subreaper") || !tracer_start(&tr, opts))
		goto out;
	if (!ASSERT_EQ(sc_go(&a), 0, "go") || !ASSERT_EQ(sc_go(&b), 0, "go") ||
	    !ASSERT_EQ(sc_finish(&a), 0, "a ran") || !ASSERT_EQ(sc_finish(&b), 0, "b ran") ||
	    !tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, a.truth, &in, &tr);
	check_events(&tr.doc, b.truth, &out, &tr);
	for (i = 0; i < tr.doc.nr; i++) {
		unsigned long long v = 0;

		if (is_event_record(&tr.doc.objs[i]) &&
		    !ASSERT_TRUE(json_u64(&tr.doc.objs[i], "pidns", &v) && v == ns,
				 "every record is of the --pidns namespace"))
			diag("  %s", tr.doc.objs[i].line);
	}
out:
	tracer_free(&tr);
	sc_release(&a);
	sc_release(&b);
}

struct cg {
	char path[512];
	bool made;
};

static void move_harness(struct sc_run *a, void *arg)
{
	struct cg *cg = arg;
	char procs[600], pid[16];
	int fd;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->path);
	fd = open(procs, O_WRONLY);
	snprintf(pid, sizeof(pid), "%d", a->harness);
	if (!ASSERT_GE(fd, 0, "open cgroup.procs") ||
	    !ASSERT_EQ(write(fd, pid, strlen(pid)), (long)strlen(pid), "move H into the cgroup")) {
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	/* H recorded itself before the move; all others record after go. */
	a->truth->actors[1].cgroup_id = proc_cgroup_id(a->harness);
}

TEST(filter_cgroup)
{
	struct sc_run a = {}, b = {};
	struct tracer tr = {};
	struct cg cg = {};
	struct check_opts in = { .max_phase = 1 }, out = { .wanted = none };
	const char *opts[] = { "--json", "-c", cg.path, NULL };
	struct stat st;
	int i;

	if (!*cgroup2_mount())
		SKIP("no cgroup v2 mount");
	snprintf(cg.path, sizeof(cg.path), "%s/rt-test-%d", cgroup2_mount(), getpid());
	if (mkdir(cg.path, 0755)) {
		test_skip("cannot create %s: %s", cg.path, strerror(errno));
		return;
	}
	cg.made = true;
	if (!run_pair(&a, "orphan_subreaper", &b, "exit_codes", opts, &tr, move_harness, &cg))
		goto out;
	if (!ASSERT_EQ(stat(cg.path, &st), 0, "stat cgroup"))
		goto out;
	ASSERT_EQ(a.truth->actors[1].cgroup_id, st.st_ino, "H's cgroup id is the directory inode");
	check_events(&tr.doc, a.truth, &in, &tr);
	check_events(&tr.doc, b.truth, &out, &tr);
	for (i = 0; i < tr.doc.nr; i++) {
		unsigned long long v = 0;

		if (is_event_record(&tr.doc.objs[i]) &&
		    !ASSERT_TRUE(json_u64(&tr.doc.objs[i], "cgroup_id", &v) && v == st.st_ino,
				 "every record is of the -c cgroup"))
			diag("  %s", tr.doc.objs[i].line);
	}
out:
	tracer_free(&tr);
	sc_release(&a);
	sc_release(&b);
	if (cg.made && rmdir(cg.path))
		diag("rmdir %s: %s", cg.path, strerror(errno));
}
