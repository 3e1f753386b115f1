// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --metrics' page (user/metrics/metrics.c): the counters and the histogram
 * from known records, the zombie gauges grouped by container or by PID
 * namespace and reaper, the top N bound with its "other" series, label
 * escaping, pids.max pressure; and the pipeline's part, from a recording:
 * the zombies it follows, through its filter, named by their containers.
 * promtool checks the same pages on the host (tests/system/test_metrics.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/container.h"
#include "lib/pids.h"
#include "metrics/metrics.h"
#include "trace/pipeline.h"

#define NS  1000000000ULL
#define T0  (1000 * NS)
#define ID1 "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"

/* The page of @m at @now, malloc'ed. */
static char *page_of(struct metrics *m, __u64 now)
{
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);

	if (!f)
		return NULL;
	if (metrics__write(m, now, f)) {
		fclose(f);
		free(page);
		return NULL;
	}
	fclose(f);
	return page;
}

/* The value of the sample @series ("name" or "name{labels}"), or -1 when absent. */
static double sample(const char *page, const char *series)
{
	size_t n = strlen(series);
	const char *l;

	for (l = page; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, series, n) && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	return -1;
}

/* Sample lines that start with @prefix. */
static int samples(const char *page, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *l;
	int count = 0;

	for (l = page; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		count += !strncmp(l, prefix, n);
	return count;
}

static void task(struct rt_task *t, __u32 pid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

TEST(metrics_counters_and_histogram)
{
	struct metrics *m = metrics__new(METRICS_TOP_DEFAULT);
	struct rt_event_hdr orphan = {};
	struct rt_reparent_report rp = { .orphan = &orphan, .resolved = true };
	struct rt_zombie_event z = {};
	struct rt_reap_event r = {};
	struct rt_init_signal_event sig = { .signal = 15 };
	struct rt_ns_teardown_event td = { .killed = 3 };
	struct rt_reaper_handoff_event ho = {};
	struct rt_subreaper_event sr = { .enabled = 1 };
	struct rt_counts c = { .lost = 7, .zombies_untracked = 2 };
	__u64 lifetimes[] = { NS / 2000, NS / 20, 2 * NS, 2 * NS, 7200 * NS };
	char *page = NULL;
	size_t i;

	if (!ASSERT_TRUE(m, "metrics__new"))
		return;
	rp.kind = RT_KIND_SUBREAPER;
	metrics__reparent(m, &rp);
	metrics__reparent(m, &rp);
	rp.kind = RT_KIND_NS_INIT;
	metrics__reparent(m, &rp);
	rp.resolved = false; /* never seen adopted: unknown, whatever its kind */
	metrics__reparent(m, &rp);
	metrics__zombie(m, &z);
	z.flags = RT_ZOMBIE_EXISTING; /* found at the start: not made while traced */
	metrics__zombie(m, &z);
	for (i = 0; i < sizeof(lifetimes) / sizeof(lifetimes[0]); i++) {
		r.how = i < 3 ? RT_REAP_WAIT4 : RT_REAP_AUTO;
		r.zombie_ns = lifetimes[i];
		metrics__reap(m, &r);
	}
	metrics__init_signal(m, &sig);
	metrics__init_signal(m, &sig);
	metrics__ns_teardown(m, &td);
	metrics__reaper_handoff(m, &ho);
	metrics__subreaper(m, &sr);
	c.lost_by_type[RT_EV_ZOMBIE] = 4;
	c.lost_by_type[RT_EV_ADOPTED] = 3;
	metrics__counts(m, &c);
	page = page_of(m, T0);
	if (!ASSERT_TRUE(page, "the page"))
		goto out;
	ASSERT_EQ(sample(page, "reapertrace_reparents_total{kind=\"subreaper\"}"), 2, "subreaper");
	ASSERT_EQ(sample(page, "reapertrace_reparents_total{kind=\"ns_init\"}"), 1, "ns_init");
	ASSERT_EQ(sample(page, "reapertrace_reparents_total{kind=\"unknown\"}"), 1, "unresolved");
	ASSERT_EQ(sample(page, "reapertrace_reparents_total{kind=\"init\"}"), 0,
		  "init, shown as 0");
	ASSERT_EQ(sample(page, "reapertrace_zombies_total"), 1, "the existing one is not counted");
	ASSERT_EQ(sample(page, "reapertrace_reaps_total{how=\"wait4\"}"), 3, "wait4");
	ASSERT_EQ(sample(page, "reapertrace_reaps_total{how=\"auto\"}"), 2, "auto");
	ASSERT_EQ(sample(page, "reapertrace_init_signals_dropped_total{signal=\"SIGTERM\"}"), 2,
		  "SIGTERM dropped");
	ASSERT_EQ(sample(page, "reapertrace_init_signals_dropped_total{signal=\"SIGKILL\"}"), 0,
		  "SIGKILL: always there, from 0");
	ASSERT_EQ(samples(page, "reapertrace_init_signals_dropped_total{"), 7,
		  "the 7 that stop or reload a service; the others once seen");
	ASSERT_EQ(sample(page, "reapertrace_namespace_teardowns_total"), 1, "teardowns");
	ASSERT_EQ(sample(page, "reapertrace_namespace_teardown_killed_total"), 3, "killed");
	ASSERT_EQ(sample(page, "reapertrace_reaper_handoffs_total"), 1, "handoffs");
	ASSERT_EQ(sample(page, "reapertrace_subreaper_changes_total{enabled=\"1\"}"), 1, "set");
	ASSERT_EQ(sample(page, "reapertrace_events_lost_total{type=\"zombie\"}"), 4, "lost zombie");
	ASSERT_EQ(sample(page, "reapertrace_events_lost_total{type=\"adopted\"}"), 3, "adopted");
	ASSERT_EQ(sample(page, "reapertrace_zombies_untracked_total"), 2, "untracked");
	/* Cumulative buckets: 0.5 ms, 50 ms, 2 s, 2 s, 2 h. */
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"0.001\"}"), 1,
		  "le 0.001");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"0.1\"}"), 2,
		  "le 0.1");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"1\"}"), 2, "le 1");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"5\"}"), 4, "le 5");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"3600\"}"), 4,
		  "le 3600");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"+Inf\"}"), 5,
		  "+Inf");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_count"), 5, "count");
	ASSERT_TRUE(sample(page, "reapertrace_zombie_lifetime_seconds_sum") > 7204.05 &&
			    sample(page, "reapertrace_zombie_lifetime_seconds_sum") < 7204.06,
		    "sum: 7204.0505 s");
	ASSERT_EQ(sample(page, "reapertrace_zombie_groups"), 0, "no zombie held");
	ASSERT_EQ(samples(page, "reapertrace_zombies{"), 0, "no group series");
	ASSERT_EQ(samples(page, "# TYPE "), samples(page, "# HELP "), "a TYPE for every HELP");
out:
	free(page);
	metrics__free(m);
}

/* @n zombies of container @id (name @name), the oldest since @since. */
static void hold_in_container(struct metrics *m, const char *id, const char *name, int n,
			      __u64 since)
{
	struct container ct = { .runtime = "docker" };
	struct rt_task holder;
	struct metrics_zombie z = { .pidns = 4026532300U, .holder = &holder, .container = &ct };
	int i;

	snprintf(ct.id, sizeof(ct.id), "%s", id);
	snprintf(ct.name, sizeof(ct.name), "%s", name);
	task(&holder, 500, "app");
	for (i = 0; i < n; i++) {
		z.since_ns = since + i * NS;
		metrics__held(m, &z);
	}
}

TEST(metrics_top_groups_and_other)
{
	struct metrics *m = metrics__new(3);
	char id[CONTAINER_ID_LEN + 1], series[512], *page = NULL;
	struct rt_task holder;
	struct metrics_zombie z = { .pidns = 4026531836U, .holder = &holder };
	int i;

	if (!ASSERT_TRUE(m, "metrics__new"))
		return;
	metrics__held_reset(m);
	/* 50 containers, the i-th holding i + 1 zombies; the oldest of each at T0 + i s */
	for (i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "%064x", i + 1);
		hold_in_container(m, id, i == 49 ? "web" : "", i + 1, T0 + i * NS);
	}
	/* a host reaper holding 100: the most of all */
	task(&holder, 1234, "bash");
	for (i = 0; i < 100; i++) {
		z.since_ns = T0 + 5 * NS;
		metrics__held(m, &z);
	}
	page = page_of(m, T0 + 100 * NS);
	if (!ASSERT_TRUE(page, "the page"))
		goto out;
	ASSERT_EQ(sample(page, "reapertrace_zombie_groups"), 51, "every group is counted");
	ASSERT_EQ(samples(page, "reapertrace_zombies{"), 4, "3 groups and other");
	ASSERT_EQ(samples(page, "reapertrace_oldest_zombie_age_seconds{"), 4, "the same for ages");
	ASSERT_EQ(sample(page, "reapertrace_zombies{group=\"reaper\",container_id=\"\","
			       "container_name=\"\",pod_uid=\"\",pidns=\"4026531836\","
			       "reaper_pid=\"1234\",reaper_comm=\"bash\"}"),
		  100, "the host reaper: first");
	snprintf(series, sizeof(series),
		 "reapertrace_zombies{group=\"container\",container_id=\"%064x\","
		 "container_name=\"web\",pod_uid=\"\",pidns=\"\",reaper_pid=\"\",reaper_comm=\"\"}",
		 50);
	ASSERT_EQ(sample(page, series), 50, "the container with 50, named");
	snprintf(series, sizeof(series),
		 "reapertrace_oldest_zombie_age_seconds{group=\"container\",container_id=\"%064x\","
		 "container_name=\"\",pod_uid=\"\",pidns=\"\",reaper_pid=\"\",reaper_comm=\"\"}",
		 49);
	/* its oldest since T0 + 48 s, seen at T0 + 100 s */
	ASSERT_EQ(sample(page, series), 52, "the age of the oldest of the one with 49");
	/* 1 + ... + 48 zombies in the other 48 containers */
	ASSERT_EQ(sample(page, "reapertrace_zombies{group=\"other\",container_id=\"\","
			       "container_name=\"\",pod_uid=\"\",pidns=\"\",reaper_pid=\"\","
			       "reaper_comm=\"\"}"),
		  48 * 49 / 2, "the rest, summed");
	ASSERT_EQ(sample(page, "reapertrace_oldest_zombie_age_seconds{group=\"other\","
			       "container_id=\"\",container_name=\"\",pod_uid=\"\",pidns=\"\","
			       "reaper_pid=\"\",reaper_comm=\"\"}"),
		  100, "the oldest of the rest: the first container's, since T0");
	/* A new round forgets the old groups. */
	free(page);
	metrics__held_reset(m);
	page = page_of(m, T0);
	ASSERT_TRUE(page && sample(page, "reapertrace_zombie_groups") == 0 &&
			    !samples(page, "reapertrace_zombies{"),
		    "after a reset: no group");
out:
	free(page);
	metrics__free(m);
}

TEST(metrics_labels_escaped)
{
	struct metrics *m = metrics__new(5);
	struct rt_task holder;
	struct metrics_zombie z = { .since_ns = T0, .pidns = 1, .holder = &holder };
	char *page = NULL;

	if (!ASSERT_TRUE(m, "metrics__new"))
		return;
	task(&holder, 77, "a\"b\\c\n\xc3\xa9");
	metrics__held(m, &z);
	page = page_of(m, T0);
	if (ASSERT_TRUE(page, "the page"))
		ASSERT_EQ(sample(page, "reapertrace_zombies{group=\"reaper\",container_id=\"\","
				       "container_name=\"\",pod_uid=\"\",pidns=\"1\","
				       "reaper_pid=\"77\",reaper_comm=\"a\\\"b\\\\c???\"}"),
			  1, "quote and backslash escaped, the rest printable ASCII");
	free(page);
	metrics__free(m);
}

TEST(metrics_pids_pressure_bounded)
{
	struct metrics *m = metrics__new(2);
	struct pids_limit limits[3] = {};
	char *page = NULL;
	int i;

	if (!ASSERT_TRUE(m, "metrics__new"))
		return;
	for (i = 0; i < 3; i++) {
		snprintf(limits[i].cgroup, sizeof(limits[i].cgroup), "/docker/c%d", i);
		limits[i].current = 100 + i;
		limits[i].max = 200;
		limits[i].zombies = 10 * i;
	}
	limits[2].in_container = true;
	snprintf(limits[2].container.id, sizeof(limits[2].container.id), "%s", ID1);
	metrics__pids(m, limits, 3);
	page = page_of(m, T0);
	if (!ASSERT_TRUE(page, "the page"))
		goto out;
	ASSERT_EQ(sample(page, "reapertrace_pids_limits"), 3, "every limit is counted");
	ASSERT_EQ(samples(page, "reapertrace_pids_zombies{"), 2, "the top 2 shown");
	ASSERT_EQ(sample(page, "reapertrace_pids_zombies{cgroup=\"/docker/c2\",container_id=\"" ID1
			       "\"}"),
		  20, "the most zombies first, with its container");
	ASSERT_EQ(sample(page, "reapertrace_pids_current{cgroup=\"/docker/c1\",container_id=\"\"}"),
		  101, "pids.current");
	ASSERT_EQ(sample(page, "reapertrace_pids_max{cgroup=\"/docker/c1\",container_id=\"\"}"),
		  200, "pids.max");
	ASSERT_EQ(sample(page, "reapertrace_pids_zombies{cgroup=\"/docker/c0\",container_id=\"\"}"),
		  -1, "the third is left out");
out:
	free(page);
	metrics__free(m);
}

/* The pipeline: zombies followed from a recording, grouped by their containers, filtered by -p. */

static void hdr(struct rt_event_hdr *h, __u32 type, __u64 ts, __u32 pid, __u64 cgroup_id)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = ts;
	h->type = type;
	h->cgroup_id = cgroup_id;
	h->pidns = 4026532200U;
	h->start_ns = pid * 1000ULL;
	h->task.pid = h->task.tid = pid;
	snprintf(h->task.comm, sizeof(h->task.comm), "rt-%u", pid);
}

static int write_recording(const char *path)
{
	struct rt_recording_header h = {
		.magic = RT_RECORDING_MAGIC,
		.version = RT_RECORDING_VERSION,
		.events = RT_EVENTS_ALL,
	};
	struct rt_cgroup_entry cg = { .id = 601 };
	struct rt_zombie_event z = {};
	struct rt_reap_event r = {};
	struct rt_recording rec;
	int err = rt_recording_create(&rec, path, &h), pid;

	if (err)
		return err;
	snprintf(cg.path, sizeof(cg.path), "/docker/%s", ID1);
	rt_recording_put(&rec, RT_REC_CGROUP, &cg, sizeof(cg.id) + strlen(cg.path));
	cg.id = 602;
	snprintf(cg.path, sizeof(cg.path), "/system.slice/cron.service");
	rt_recording_put(&rec, RT_REC_CGROUP, &cg, sizeof(cg.id) + strlen(cg.path));
	/* three zombies in the container held by 3000, two on the host held by 4000 */
	for (pid = 3001; pid <= 3003; pid++) {
		hdr(&z.hdr, RT_EV_ZOMBIE, T0 + pid, pid, 601);
		task(&z.parent, 3000, "app");
		rt_recording_put(&rec, RT_REC_EVENT, &z, sizeof(z));
	}
	for (pid = 4001; pid <= 4002; pid++) {
		hdr(&z.hdr, RT_EV_ZOMBIE, T0 + pid, pid, 602);
		task(&z.parent, 4000, "cron");
		rt_recording_put(&rec, RT_REC_EVENT, &z, sizeof(z));
	}
	/* one of the container's reaped after 2 s */
	hdr(&r.hdr, RT_EV_REAP, T0 + 3001, 3001, 601);
	task(&r.reaper, 3000, "app");
	r.how = RT_REAP_WAIT4;
	r.zombie_ns = 2 * NS;
	rt_recording_put(&rec, RT_REC_EVENT, &r, sizeof(r));
	return rt_recording_close(&rec);
}

/* The recording replayed with --metrics (and -p @pid), its page at T0 + 10 s. */
static char *pipeline_page(const char *path, __u32 pid)
{
	struct rt_options opt = {
		.events = RT_EVENTS_ALL, .buffer_mb = 16, .metrics = "0", .pid = pid
	};
	struct rt_recording_header h;
	struct rt_pipeline *p = NULL;
	FILE *in = fopen(path, "re"), *null = fopen("/dev/null", "we"), *f = NULL;
	char *page = NULL;
	size_t len = 0;
	int err = -EINVAL;

	if (!in || !null || rt_recording_read_header(in, &h))
		goto out;
	p = rt_pipeline_new(&opt, h.events, &rt_quiet_sink, null);
	if (!p || rt_pipeline_replay(p, in))
		goto out;
	f = open_memstream(&page, &len);
	if (f)
		err = rt_pipeline_write_metrics(p, T0 + 10 * NS, f);
out:
	if (f)
		fclose(f);
	if (err) {
		free(page);
		page = NULL;
	}
	rt_pipeline_free(p);
	if (in)
		fclose(in);
	if (null)
		fclose(null);
	return page;
}

TEST(metrics_pipeline_groups_held_zombies)
{
	char rec[] = "/tmp/rt-metrics-rec-XXXXXX", *page = NULL;
	int fd = mkstemp(rec);

	if (!ASSERT_TRUE(fd >= 0, "a temporary file"))
		return;
	close(fd);
	if (!ASSERT_OK(write_recording(rec), "the recording"))
		goto out;
	page = pipeline_page(rec, 0);
	if (!ASSERT_TRUE(page, "the page"))
		goto out;
	ASSERT_EQ(sample(page, "reapertrace_zombies_total"), 5, "zombies made");
	ASSERT_EQ(sample(page, "reapertrace_reaps_total{how=\"wait4\"}"), 1, "one reaped");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"1\"}"), 0,
		  "not within 1 s");
	ASSERT_EQ(sample(page, "reapertrace_zombie_lifetime_seconds_bucket{le=\"5\"}"), 1,
		  "within 5 s");
	ASSERT_EQ(sample(page, "reapertrace_zombies{group=\"container\",container_id=\"" ID1
			       "\",container_name=\"\",pod_uid=\"\",pidns=\"\",reaper_pid=\"\","
			       "reaper_comm=\"\"}"),
		  2, "the container holds the two not reaped");
	ASSERT_EQ(sample(page, "reapertrace_zombies{group=\"reaper\",container_id=\"\","
			       "container_name=\"\",pod_uid=\"\",pidns=\"4026532200\","
			       "reaper_pid=\"4000\",reaper_comm=\"cron\"}"),
		  2, "the host's, by namespace and reaper");
	ASSERT_EQ(sample(page, "reapertrace_pids_limits"), 0, "a replay reads no pids.max");
	free(page);
	/* -p 4000: only what names it */
	page = pipeline_page(rec, 4000);
	if (!ASSERT_TRUE(page, "the page with -p"))
		goto out;
	ASSERT_EQ(sample(page, "reapertrace_zombies_total"), 2, "-p: its zombies");
	ASSERT_EQ(sample(page, "reapertrace_zombie_groups"), 1, "-p: its group only");
out:
	free(page);
	unlink(rec);
}

/* Every metric family on the page has its row in docs/FORMAT.md's table. */
TEST(metrics_families_documented)
{
	struct metrics *m = metrics__new(METRICS_TOP_DEFAULT);
	char path[512], *doc = NULL, *page = NULL, name[128], row[160];
	const char *l;
	size_t len = 0;
	FILE *f;
	int families = 0;

	snprintf(path, sizeof(path), "%s/docs/FORMAT.md", repo_root());
	f = fopen(path, "re");
	if (!ASSERT_TRUE(f && m, "docs/FORMAT.md"))
		goto out;
	if (getdelim(&doc, &len, 0, f) < 0)
		goto out;
	page = page_of(m, T0);
	for (l = page; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "# TYPE %127s", name) != 1)
			continue;
		families++;
		snprintf(row, sizeof(row), "| `%s` |", name);
		if (!strstr(doc, row)) {
			diag("%s has no row in docs/FORMAT.md", name);
			test_fail();
		}
	}
	ASSERT_GE(families, 20, "the page's families");
out:
	if (f)
		fclose(f);
	free(doc);
	free(page);
	metrics__free(m);
}
