// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pipeline's enrich stage, fed a recording made here: where cgroups
 * are (RT_REC_CGROUP entries, as the live tracer records what it looked
 * up), then an orphan's life inside a container. Each record must name the
 * container of its process, in JSON (the container object, on the record
 * and along the origin) and in text (container= with 12 digits), and a
 * process whose cgroup was not found must have none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "jsonl.h"
#include "trace/pipeline.h"

#define ID	"3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"
#define POD	"7c1d3c5e-8a2b-4f6e-9d0c-1b2a3c4d5e6f"
#define CG_CT	501 /* the container's */
#define CG_POD	502 /* a pod's container, under the kubelet's cgroupfs layout */
#define CG_HOST 503 /* a service on the host */
#define CG_GONE 504 /* removed before it was looked up */
#define PARENT	2000
#define ORPHAN	2001
#define REAPER	1999
#define OTHER	2002
#define T0	1000000000000ULL

static void put_cgroup(struct rt_recording *rec, __u64 id, const char *path)
{
	struct rt_cgroup_entry c = { .id = id };
	size_t n = path ? strlen(path) : 0;

	memcpy(c.path, path ?: "", n);
	rt_recording_put(rec, RT_REC_CGROUP, &c, sizeof(c.id) + n);
}

static void hdr(struct rt_event_hdr *h, __u32 type, __u64 ts, __u32 pid, __u64 cgroup_id,
		const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = ts;
	h->type = type;
	h->cgroup_id = cgroup_id;
	h->pidns = 4026532200U;
	h->pidns_level = 1;
	h->ns_pid = pid - 1990;
	h->start_ns = pid * 1000ULL;
	h->task.pid = h->task.tid = pid;
	snprintf(h->task.comm, sizeof(h->task.comm), "%s", comm);
}

static void task(struct rt_task *t, __u32 pid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

/* The recording: PARENT (in the container) exits, ORPHAN is adopted by REAPER, dies and is reaped. */
static int write_recording(const char *path)
{
	struct rt_recording_header h = {
		.magic = RT_RECORDING_MAGIC,
		.version = RT_RECORDING_VERSION,
		.events = RT_EVENTS_ALL,
	};
	struct rt_recording rec;
	struct rt_reparent_event rp = {};
	struct rt_adopted_event ad = {};
	struct rt_zombie_event z = {};
	struct rt_reap_event r = {};
	struct rt_subreaper_event s = {};
	int err = rt_recording_create(&rec, path, &h);

	if (err)
		return err;
	put_cgroup(&rec, CG_CT, "/system.slice/docker-" ID ".scope");
	put_cgroup(&rec, CG_POD, "/kubepods/burstable/pod" POD "/" ID);
	put_cgroup(&rec, CG_HOST, "/system.slice/cron.service");
	put_cgroup(&rec, CG_GONE, NULL);

	hdr(&s.hdr, RT_EV_SUBREAPER, T0, REAPER, CG_HOST, "rt-reaper");
	s.enabled = 1;
	rt_recording_put(&rec, RT_REC_EVENT, &s, sizeof(s));

	hdr(&rp.hdr, RT_EV_REPARENT, T0 + 10, ORPHAN, CG_CT, "rt-orphan");
	task(&rp.old_parent, PARENT, "rt-parent");
	rt_recording_put(&rec, RT_REC_EVENT, &rp, sizeof(rp));

	hdr(&ad.hdr, RT_EV_ADOPTED, T0 + 11, PARENT, CG_CT, "rt-parent");
	task(&ad.new_parent, REAPER, "rt-reaper");
	ad.exit_ts_ns = T0 + 10;
	ad.exit_tid = PARENT;
	ad.kind = RT_KIND_SUBREAPER;
	ad.nr_orphans = 1;
	rt_recording_put(&rec, RT_REC_EVENT, &ad, sizeof(ad));

	hdr(&z.hdr, RT_EV_ZOMBIE, T0 + 20, ORPHAN, CG_CT, "rt-orphan");
	task(&z.parent, REAPER, "rt-reaper");
	z.exit_code = 3;
	rt_recording_put(&rec, RT_REC_EVENT, &z, sizeof(z));

	hdr(&r.hdr, RT_EV_REAP, T0 + 30, ORPHAN, CG_CT, "rt-orphan");
	task(&r.reaper, REAPER, "rt-reaper");
	r.how = RT_REAP_WAIT4;
	r.zombie_ns = 10;
	rt_recording_put(&rec, RT_REC_EVENT, &r, sizeof(r));

	/* one in a pod, one whose cgroup was not found */
	hdr(&z.hdr, RT_EV_ZOMBIE, T0 + 40, OTHER, CG_POD, "rt-other");
	rt_recording_put(&rec, RT_REC_EVENT, &z, sizeof(z));
	hdr(&z.hdr, RT_EV_ZOMBIE, T0 + 50, OTHER + 1, CG_GONE, "rt-gone");
	rt_recording_put(&rec, RT_REC_EVENT, &z, sizeof(z));
	rt_recording_put(&rec, RT_REC_FLUSH, NULL, 0);
	return rt_recording_close(&rec);
}

/* The recording at @path through @sink into the file @out. 0 or -errno. */
static int replay_to(const char *path, const struct rt_sink *sink, const char *out)
{
	struct rt_options opt = { .events = RT_EVENTS_ALL, .buffer_mb = 16 };
	struct rt_recording_header h;
	struct rt_pipeline *p = NULL;
	FILE *in = fopen(path, "re"), *o = fopen(out, "we");
	int err = -errno;

	if (!in || !o)
		goto out;
	err = rt_recording_read_header(in, &h);
	if (err)
		goto out;
	p = rt_pipeline_new(&opt, h.events, sink, o);
	err = p ? rt_pipeline_replay(p, in) : -ENOMEM;
out:
	rt_pipeline_free(p);
	if (in)
		fclose(in);
	if (o)
		fclose(o);
	return err;
}

struct files {
	char rec[64], out[64];
};

static bool prepare(struct files *f)
{
	int a, b;

	snprintf(f->rec, sizeof(f->rec), "/tmp/rt-enrich-rec-XXXXXX");
	snprintf(f->out, sizeof(f->out), "/tmp/rt-enrich-out-XXXXXX");
	a = mkstemp(f->rec);
	b = mkstemp(f->out);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return ASSERT_TRUE(a >= 0 && b >= 0, "temporary files") &&
	       ASSERT_OK(write_recording(f->rec), "the recording");
}

static void cleanup(struct files *f)
{
	unlink(f->rec);
	unlink(f->out);
}

static void is_docker(const struct json_obj *o, const char *key, const char *what)
{
	char k[64];

	snprintf(k, sizeof(k), "%s.id", key);
	ASSERT_STREQ(json_str(o, k), ID, what);
	snprintf(k, sizeof(k), "%s.runtime", key);
	ASSERT_STREQ(json_str(o, k), "docker", what);
	snprintf(k, sizeof(k), "%s.pod_uid", key);
	ASSERT_TRUE(json_is_null(o, k), what);
}

TEST(enrich_json_names_the_container)
{
	const struct json_obj *o;
	struct jsonl_doc d = {};
	struct files f;

	if (!prepare(&f))
		goto out;
	if (!ASSERT_OK(replay_to(f.rec, &rt_json_sink, f.out), "replay") ||
	    !ASSERT_OK(jsonl_load(f.out, &d, NULL, NULL), "load") ||
	    !ASSERT_EQ(d.nr_bad, 0, d.first_bad))
		goto out;
	o = jsonl_find(&d, "subreaper", REAPER, 0);
	ASSERT_TRUE(o && json_is_null(o, "container"), "a host process: container null");
	o = jsonl_find(&d, "reparent", ORPHAN, 0);
	if (ASSERT_TRUE(o, "the reparent")) {
		is_docker(o, "container", "the orphan's container");
		is_docker(o, "origin.0.container", "its origin's container");
	}
	o = jsonl_find(&d, "zombie", ORPHAN, 0);
	if (ASSERT_TRUE(o, "the zombie"))
		is_docker(o, "container", "the zombie's container");
	o = jsonl_find(&d, "reap", ORPHAN, 0);
	if (ASSERT_TRUE(o, "the reap")) {
		is_docker(o, "container", "the reaped zombie's container");
		is_docker(o, "origin.0.container", "the reaped zombie's origin");
	}
	o = jsonl_find(&d, "zombie", OTHER, 0);
	if (ASSERT_TRUE(o, "the pod's zombie")) {
		ASSERT_STREQ(json_str(o, "container.id"), ID, "a pod's container id");
		ASSERT_TRUE(json_is_null(o, "container.runtime"), "cgroupfs kubepods: no runtime");
		ASSERT_STREQ(json_str(o, "container.pod_uid"), POD, "the pod uid");
	}
	o = jsonl_find(&d, "zombie", OTHER + 1, 0);
	ASSERT_TRUE(o && json_is_null(o, "container"), "a cgroup not found: container null");
out:
	jsonl_free(&d);
	cleanup(&f);
}

TEST(enrich_text_shows_the_short_id)
{
	char line[1024];
	int with = 0, without = 0;
	struct files f;
	FILE *o;

	if (!prepare(&f))
		goto out;
	if (!ASSERT_OK(replay_to(f.rec, &rt_text_sink, f.out), "replay"))
		goto out;
	o = fopen(f.out, "re");
	if (!ASSERT_TRUE(o, "output"))
		goto out;
	while (fgets(line, sizeof(line), o)) {
		if (strstr(line, "rt-orphan") || strstr(line, "rt-other")) {
			with += ASSERT_TRUE(strstr(line, " container=3f2a9c0d1e4b") &&
						    !strstr(line, "container=3f2a9c0d1e4b5"),
					    line);
		} else if (strstr(line, "rt-reaper") || strstr(line, "rt-gone")) {
			without += ASSERT_FALSE(strstr(line, "container="), line);
		}
	}
	fclose(o);
	/* reparent, zombie and reap of the orphan, the pod's zombie; the subreaper, the lost cgroup */
	ASSERT_EQ(with, 4, "lines with a container");
	ASSERT_EQ(without, 2, "lines without");
out:
	cleanup(&f);
}
