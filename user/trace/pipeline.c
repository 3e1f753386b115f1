// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The trace pipeline's stages, in the order a record passes them (pipeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cgroups.h"
#include "lib/docker_names.h"
#include "lib/pids.h"
#include "lib/task_table.h"
#include "metrics/metrics.h"
#include "trace/adoptions.h"
#include "trace/filter.h"
#include "trace/leaks.h"
#include "trace/origins.h"
#include "trace/pipeline.h"

/* Orphans whose origin is remembered at once, and zombies --zombie-age follows. */
#define MAX_ORIGINS	    (1 << 20)
#define MAX_TRACKED_ZOMBIES (1 << 20)
#define LEAK_CHECK_NS	    1000000000ULL
#define PIDS_SEEN	    64 /* leaks' pids.max readings remembered for their reports */

/* A leak's pids.max reading (RT_REC_PIDS), for the oldest zombie's cgroup id. */
struct pids_seen {
	__u64 cgroup_id;
	struct pids_limit limit; /* max < 0: none limits it */
};

/* The zombies of one cgroup, for its pids.max (--metrics). */
struct cgroup_zombies {
	__u32 holder; /* of the first seen: names the pids hierarchy of v1 */
	size_t zombies;
};

struct rt_pipeline {
	struct rt_filter filter;
	const struct rt_sink *sink;
	FILE *out;
	struct rt_recording *rec; /* NULL unless recording */
	struct adoptions *adoptions;
	struct origins *origins;
	struct leaks *leaks;	 /* the zombies followed: NULL without --zombie-age or --metrics */
	bool leak_checks;	 /* --zombie-age */
	struct metrics *metrics; /* NULL without --metrics */
	/* --metrics, live: cgroup id (as start_ns) -> its zombies, counted anew for each page */
	struct task_table *held_cgroups;
	struct cgroups *cgroups;
	/* The current record's cgroup, looked up once by enrich_first() for every stage */
	__u64 cur_cgroup_id;
	const struct cgroup_info *cur_cgroup;
	struct docker_names *names;	  /* NULL but live, with a Docker socket */
	bool live;			  /* cgroups and pids.max are read from the system */
	struct pids_seen pids[PIDS_SEEN]; /* the last ones read or replayed, by cgroup id */
	unsigned int pids_next;
	__u64 next_leak_check;
	__u64 leaks_untracked; /* zombies --zombie-age had no room for */
	struct rt_totals totals;
};

/* decode: the size of each record type; a record shorter than its type's is not decoded. */
static const size_t event_size[RT_EV_MAX] = {
	[RT_EV_REPARENT] = sizeof(struct rt_reparent_event),
	[RT_EV_ADOPTED] = sizeof(struct rt_adopted_event),
	[RT_EV_ZOMBIE] = sizeof(struct rt_zombie_event),
	[RT_EV_REAP] = sizeof(struct rt_reap_event),
	[RT_EV_SUBREAPER] = sizeof(struct rt_subreaper_event),
	[RT_EV_INIT_SIGNAL_DROPPED] = sizeof(struct rt_init_signal_event),
	[RT_EV_NS_TEARDOWN] = sizeof(struct rt_ns_teardown_event),
	[RT_EV_REAPER_HANDOFF] = sizeof(struct rt_reaper_handoff_event),
};

struct rt_pipeline *rt_pipeline_new(const struct rt_options *opt, __u32 delivered,
				    const struct rt_sink *sink, FILE *out)
{
	struct rt_pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	rt_filter_init(&p->filter, opt, delivered);
	p->sink = sink;
	p->out = out;
	p->adoptions = adoptions__new();
	p->origins = origins__new(MAX_ORIGINS);
	p->cgroups = cgroups__new();
	p->leak_checks = opt->zombie_age_ns;
	if (opt->zombie_age_ns || opt->metrics)
		p->leaks = leaks__new(opt->zombie_age_ns, MAX_TRACKED_ZOMBIES);
	if (opt->metrics)
		p->metrics = metrics__new(opt->metrics_top ?: METRICS_TOP_DEFAULT);
	if (!p->adoptions || !p->origins || !p->cgroups ||
	    ((opt->zombie_age_ns || opt->metrics) && !p->leaks) || (opt->metrics && !p->metrics)) {
		rt_pipeline_free(p);
		return NULL;
	}
	p->filter.cgroups = p->cgroups;
	return p;
}

void rt_pipeline_free(struct rt_pipeline *p)
{
	if (!p)
		return;
	adoptions__free(p->adoptions);
	origins__free(p->origins);
	leaks__free(p->leaks);
	metrics__free(p->metrics);
	task_table__free(p->held_cgroups);
	cgroups__free(p->cgroups);
	docker_names__free(p->names);
	free(p);
}

void rt_pipeline_record_to(struct rt_pipeline *p, struct rt_recording *rec)
{
	p->rec = rec;
}

static void record(struct rt_pipeline *p, __u32 kind, const void *data, size_t len)
{
	if (p->rec)
		rt_recording_put(p->rec, kind, data, len);
}

/* A cgroup looked up in the system: the recording keeps where it was (RT_REC_CGROUP). */
static void record_cgroup(const struct cgroup_info *info, void *ctx)
{
	struct rt_pipeline *p = ctx;
	struct rt_cgroup_entry c = { .id = info->id };
	size_t n = info->path ? strnlen(info->path, sizeof(c.path)) : 0;

	if (n < sizeof(c.path))
		memcpy(c.path, info->path ?: "", n);
	else
		n = 0; /* longer than a recording holds: not known on replay */
	record(p, RT_REC_CGROUP, &c, offsetof(struct rt_cgroup_entry, path) + n);
}

void rt_pipeline_resolve_cgroups(struct rt_pipeline *p)
{
	cgroups__use_system(p->cgroups);
	cgroups__on_resolved(p->cgroups, record_cgroup, p);
	/* -c's own, which no record may carry. */
	cgroups__get(p->cgroups, p->filter.cgroup_id);
	p->names = docker_names__new();
	p->live = true;
	/* Without it, the pages have no pids.max series. */
	if (p->metrics)
		p->held_cgroups =
			task_table__new(sizeof(struct cgroup_zombies), MAX_TRACKED_ZOMBIES);
}

/*
 * enrich, before the record is recorded: where process @id lives, and its
 * Docker container's name once the daemon told it (recorded the same way,
 * so that a replay names it from the same record on).
 */
static void enrich_first(struct rt_pipeline *p, __u64 id)
{
	const struct cgroup_info *cg = cgroups__get(p->cgroups, id);
	struct rt_container_name_entry e = { .cgroup_id = id };

	p->cur_cgroup_id = id;
	p->cur_cgroup = cg;
	if (!p->names || !cg || !cg->in_container || cg->container.name[0] ||
	    !cg->container.runtime || strcmp(cg->container.runtime, "docker") ||
	    !cgroups__name_due(p->cgroups, id, docker_names__answers(p->names)) ||
	    !docker_names__get(p->names, cg->container.id, e.name, sizeof(e.name)))
		return;
	cgroups__set_name(p->cgroups, id, e.name);
	record(p, RT_REC_CONTAINER_NAME, &e, sizeof(e));
}

/* enrich: the container of cgroup @id, NULL when in none (or not known). */
static const struct container *container_of(struct rt_pipeline *p, __u64 id)
{
	const struct cgroup_info *cg = id && id == p->cur_cgroup_id ? p->cur_cgroup :
								      cgroups__get(p->cgroups, id);

	return cg && cg->in_container ? &cg->container : NULL;
}

/* enrich: the containers along an origin. */
static void origin_containers(struct rt_pipeline *p, struct rt_origin *o)
{
	__u32 i;

	for (i = 0; i < o->depth; i++)
		o->links[i].container = container_of(p, o->links[i].cgroup_id);
}

/* join: where process @h came from, if an exit of its parent was seen. */
static bool origin_of(const struct rt_event_hdr *h, struct rt_origin *out, void *ctx)
{
	struct rt_pipeline *p = ctx;

	return origins__find(p->origins, h, out);
}

/* join, then enrich: the origin to show with @h, in @buf; NULL when not known. */
static const struct rt_origin *origin_or_null(struct rt_pipeline *p, const struct rt_event_hdr *h,
					      struct rt_origin *buf)
{
	if (!origin_of(h, buf, p))
		return NULL;
	origin_containers(p, buf);
	return buf;
}

/*
 * What the filter matched goes on to the metrics and the sink's callback;
 * the sink's unmatched() sees the rest it follows.
 */
static bool to_sink(struct rt_pipeline *p, enum rt_verdict v, __u32 type, const void *record)
{
	if (v == RT_MATCH) {
		p->totals.events++;
		return true;
	}
	if (v == RT_OTHER_PID && p->sink->unmatched)
		p->sink->unmatched(p->out, type, record);
	return false;
}

/* After the join of a reparent record with its adoption (adoptions.c). */
static void on_reparent(const struct rt_reparent_report *r, void *ctx)
{
	struct rt_reparent_report shown = *r;
	struct rt_pipeline *p = ctx;
	struct rt_origin origin;

	if (r->resolved && origins__reparent(p->origins, r))
		p->totals.origins_dropped++;
	if (p->leaks)
		leaks__reparent(p->leaks, r);
	if (!to_sink(p, rt_filter_reparent(&p->filter, r), RT_EV_REPARENT, r))
		return;
	if (p->metrics)
		metrics__reparent(p->metrics, r);
	shown.origin = origin_or_null(p, r->orphan, &origin);
	shown.container = container_of(p, r->orphan->cgroup_id);
	p->sink->reparent(p->out, &shown);
}

static void on_zombie(struct rt_pipeline *p, const struct rt_zombie_event *e)
{
	struct rt_origin origin;

	if (p->leaks && leaks__zombie(p->leaks, e))
		p->leaks_untracked++;
	/* Not made now: only followed to its reap (and by --zombie-age and --metrics' gauges). */
	if (e->flags & RT_ZOMBIE_EXISTING) {
		p->totals.zombies_at_start++;
		if (!p->sink->existing_zombies)
			return;
	}
	if (!to_sink(p, rt_filter_zombie(&p->filter, e), RT_EV_ZOMBIE, e))
		return;
	if (p->metrics)
		metrics__zombie(p->metrics, e);
	p->sink->zombie(p->out, e, origin_or_null(p, &e->hdr, &origin),
			container_of(p, e->hdr.cgroup_id));
}

static void on_reap(struct rt_pipeline *p, const struct rt_reap_event *e)
{
	struct rt_origin origin;

	if (p->leaks)
		leaks__reap(p->leaks, e);
	if (to_sink(p, rt_filter_reap(&p->filter, e), RT_EV_REAP, e)) {
		if (p->metrics)
			metrics__reap(p->metrics, e);
		p->sink->reap(p->out, e, origin_or_null(p, &e->hdr, &origin),
			      container_of(p, e->hdr.cgroup_id));
	}
	/* Gone: its pid may name another process next. */
	origins__forget(p->origins, &e->hdr);
}

int rt_pipeline_event(struct rt_pipeline *p, const void *data, size_t size)
{
	const struct rt_event_hdr *h = data;

	/*
	 * enrich, first: where the process lives is looked up (and recorded)
	 * before the record is, so that a replay knows it by then. Every
	 * cgroup id the stages meet later is one a record's head carried.
	 */
	if (size >= sizeof(*h))
		enrich_first(p, h->cgroup_id);
	record(p, RT_REC_EVENT, data, size);
	if (size < sizeof(*h) || h->type >= RT_EV_MAX || !event_size[h->type] ||
	    size < event_size[h->type])
		return 0;
	switch (h->type) {
	case RT_EV_REPARENT:
		return adoptions__add(p->adoptions, data, on_reparent, p);
	case RT_EV_ADOPTED:
		adoptions__resolve(p->adoptions, data, on_reparent, p);
		break;
	case RT_EV_ZOMBIE:
		on_zombie(p, data);
		break;
	case RT_EV_REAP:
		on_reap(p, data);
		break;
	case RT_EV_SUBREAPER:
		if (!to_sink(p, rt_filter_subreaper(&p->filter, data), h->type, data))
			break;
		if (p->metrics)
			metrics__subreaper(p->metrics, data);
		p->sink->subreaper(p->out, data, container_of(p, h->cgroup_id));
		break;
	case RT_EV_INIT_SIGNAL_DROPPED:
		if (!to_sink(p, rt_filter_init_signal(&p->filter, data), h->type, data))
			break;
		if (p->metrics)
			metrics__init_signal(p->metrics, data);
		p->sink->init_signal_dropped(p->out, data, container_of(p, h->cgroup_id));
		break;
	case RT_EV_NS_TEARDOWN:
		if (!to_sink(p, rt_filter_ns_teardown(&p->filter, data), h->type, data))
			break;
		if (p->metrics)
			metrics__ns_teardown(p->metrics, data);
		p->sink->ns_teardown(p->out, data, container_of(p, h->cgroup_id));
		break;
	case RT_EV_REAPER_HANDOFF:
		if (!to_sink(p, rt_filter_reaper_handoff(&p->filter, data), h->type, data))
			break;
		if (p->metrics)
			metrics__reaper_handoff(p->metrics, data);
		p->sink->reaper_handoff(p->out, data, container_of(p, h->cgroup_id));
		break;
	}
	return 0;
}

void rt_pipeline_counts(struct rt_pipeline *p, const struct rt_counts *c)
{
	struct rt_totals *t = &p->totals;
	__u64 more;

	record(p, RT_REC_COUNTS, c, sizeof(*c));
	if (p->metrics)
		metrics__counts(p->metrics, c);
	if (c->orphans_truncated > t->orphans_truncated) {
		t->orphans_truncated = c->orphans_truncated;
		fprintf(stderr,
			"reapertrace: an exiting thread had more than %u children: the rest got "
			"no reparent event (orphans_truncated %llu)\n",
			c->max_orphans, (unsigned long long)t->orphans_truncated);
	}
	if (c->zombies_untracked > t->zombies_untracked) {
		t->zombies_untracked = c->zombies_untracked;
		fprintf(stderr,
			"reapertrace: zombie table full: reaps of %llu zombies will not be "
			"reported (zombies_untracked)\n",
			(unsigned long long)t->zombies_untracked);
	}
	if (c->runs_skipped > t->runs_skipped) {
		fprintf(stderr,
			"reapertrace: the kernel skipped %llu runs of the programs (most of %s: it "
			"was still running on that CPU, preempted or interrupted): their events are "
			"missing (runs_skipped %llu)\n",
			(unsigned long long)(c->runs_skipped - t->runs_skipped), c->skipped_prog,
			(unsigned long long)c->runs_skipped);
		t->runs_skipped = c->runs_skipped;
	}
	t->runs_rescued = c->runs_rescued;
	t->unresolved_adoptions = c->unresolved_adoptions;
	if (c->lost <= t->lost)
		return;
	more = c->lost - t->lost;
	t->lost = c->lost;
	fprintf(stderr,
		"reapertrace: lost %llu events (ring buffer full, total %llu); raise --buffer-mb\n",
		(unsigned long long)more, (unsigned long long)c->lost);
	p->sink->lost(p->out, c->ts_ns, more, c->lost);
}

void rt_pipeline_expire(struct rt_pipeline *p, __u64 now_ns)
{
	struct rt_clock_entry c = { .now_ns = now_ns };

	record(p, RT_REC_EXPIRE, &c, sizeof(c));
	origins__expire(p->origins, now_ns);
	/* Between records: no cgroup_info is held now (the current one is forgotten). */
	cgroups__trim(p->cgroups);
	p->cur_cgroup_id = 0;
}

/* Remembers @e for the leak reports of its cgroup id (the latest one wins). */
static void remember_pids(struct rt_pipeline *p, const struct rt_pids_entry *e)
{
	struct pids_limit *l;
	unsigned int i;

	for (i = 0; i < PIDS_SEEN && p->pids[i].cgroup_id != e->cgroup_id; i++)
		;
	if (i == PIDS_SEEN) {
		i = p->pids_next;
		p->pids_next = (p->pids_next + 1) % PIDS_SEEN;
	}
	p->pids[i].cgroup_id = e->cgroup_id;
	l = &p->pids[i].limit;
	memset(l, 0, sizeof(*l));
	snprintf(l->cgroup, sizeof(l->cgroup), "%s", e->cgroup);
	l->current = e->current;
	l->max = e->max;
	l->zombies = e->zombies;
	l->in_container = container_from_cgroup(l->cgroup, &l->container);
}

struct below {
	struct cgroups *cgroups;
	const char *dir;
};

static bool zombie_below(const struct rt_event_hdr *h, const struct rt_task *holder, void *ctx)
{
	const struct below *b = ctx;
	const struct cgroup_info *cg = cgroups__get(b->cgroups, h->cgroup_id);

	return cg && cg->path && cgroup_path_within(cg->path, b->dir);
}

/*
 * Live: reads the pids.max that limits the leak's oldest zombie, counts
 * the zombies followed below it, and records that (RT_REC_PIDS) before the
 * leak check itself is recorded, so that a replay reports the same.
 */
static void read_pids(struct rt_pipeline *p, const struct rt_leak_report *r)
{
	const struct cgroup_info *cg = cgroups__get(p->cgroups, r->oldest_cgroup_id);
	struct rt_pids_entry e = { .cgroup_id = r->oldest_cgroup_id, .max = -1 };
	struct pids_limit l;
	struct below b = { p->cgroups, l.cgroup };

	if (!cg || !cg->path)
		return;
	if (pids_limit_find(cg->path, r->reaper.pid, &l)) {
		e.current = l.current;
		e.max = l.max;
		e.zombies = leaks__count(p->leaks, zombie_below, &b);
		snprintf(e.cgroup, sizeof(e.cgroup), "%.*s", (int)sizeof(e.cgroup) - 1, l.cgroup);
	}
	record(p, RT_REC_PIDS, &e, sizeof(e));
	remember_pids(p, &e);
}

/* What limits a leak's oldest zombie, as last read; NULL when nothing does. */
static const struct pids_limit *pids_of(const struct rt_pipeline *p, const struct rt_leak_report *r)
{
	unsigned int i;

	for (i = 0; i < PIDS_SEEN; i++)
		if (p->pids[i].cgroup_id && p->pids[i].cgroup_id == r->oldest_cgroup_id)
			return p->pids[i].limit.max >= 0 ? &p->pids[i].limit : NULL;
	return NULL;
}

static void on_leak(const struct rt_leak_report *r, void *ctx)
{
	struct rt_leak_report shown = *r;
	struct rt_pipeline *p = ctx;
	struct rt_origin origin;

	if (rt_filter_leak(&p->filter, r) != RT_MATCH)
		return;
	if (p->live)
		read_pids(p, r);
	shown.pids = pids_of(p, r);
	if (r->origin) {
		origin = *r->origin;
		origin_containers(p, &origin);
		shown.origin = &origin;
	}
	shown.container = container_of(p, r->oldest_cgroup_id);
	p->sink->leak(p->out, &shown);
	if (shown.pids)
		pids_limit_warn(shown.pids);
	p->totals.leaks++;
	p->totals.events++;
}

void rt_pipeline_check_leaks(struct rt_pipeline *p, __u64 now_ns, bool final)
{
	struct rt_clock_entry c = { .now_ns = now_ns, .final = final };

	/* Recorded after the check: the pids.max it reads (RT_REC_PIDS) come first. */
	if (p->leak_checks && (final || now_ns >= p->next_leak_check)) {
		p->next_leak_check = now_ns + LEAK_CHECK_NS;
		leaks__check(p->leaks, now_ns, origin_of, on_leak, p);
	}
	record(p, RT_REC_LEAK_CHECK, &c, sizeof(c));
}

struct held {
	struct rt_pipeline *p;
	struct task_table *by_cgroup; /* the pipeline's held_cgroups; NULL: not live */
};

static bool count_held(const struct rt_event_hdr *h, const struct rt_task *holder, void *ctx)
{
	struct held *held = ctx;
	struct rt_pipeline *p = held->p;
	struct task_key key = { .start_ns = h->cgroup_id, .pid = 1 }; /* pid 0: empty */
	struct metrics_zombie z = {
		.since_ns = h->ts_ns,
		.pidns = h->pidns,
		.holder = holder,
		.container = container_of(p, h->cgroup_id),
	};
	struct cgroup_zombies *cz;
	bool created;

	if (rt_filter_held(&p->filter, h, holder) != RT_MATCH)
		return false;
	metrics__held(p->metrics, &z);
	if (held->by_cgroup && h->cgroup_id &&
	    (cz = task_table__insert(held->by_cgroup, &key, &created))) {
		if (created)
			cz->holder = holder->pid;
		cz->zombies++;
	}
	return true;
}

/* Live: the pids.max above each cgroup that holds zombies, read now, with them counted. */
static void read_held_pids(struct rt_pipeline *p, struct task_table *by_cgroup)
{
	struct pids_pressure pressure = {};
	const struct cgroup_zombies *cz;
	const struct cgroup_info *cg;
	struct task_key key;
	size_t pos = 0;

	while ((cz = task_table__next(by_cgroup, &pos, &key))) {
		cg = cgroups__get(p->cgroups, key.start_ns);
		if (cg && cg->path &&
		    pids_pressure_add(&pressure, cg->path, cz->holder, cz->zombies))
			break;
	}
	metrics__pids(p->metrics, pressure.limits, pressure.nr);
	pids_pressure_free(&pressure);
}

int rt_pipeline_write_metrics(struct rt_pipeline *p, __u64 now_ns, FILE *out)
{
	struct held held = { .p = p, .by_cgroup = p->held_cgroups };

	if (!p->metrics)
		return -EINVAL;
	if (held.by_cgroup)
		task_table__clear(held.by_cgroup);
	metrics__held_reset(p->metrics);
	leaks__count(p->leaks, count_held, &held);
	if (held.by_cgroup)
		read_held_pids(p, held.by_cgroup);
	return metrics__write(p->metrics, now_ns, out);
}

void rt_pipeline_flush(struct rt_pipeline *p)
{
	record(p, RT_REC_FLUSH, NULL, 0);
	adoptions__flush(p->adoptions, on_reparent, p);
}

void rt_pipeline_summary(struct rt_pipeline *p)
{
	record(p, RT_REC_END, NULL, 0);
	/* The zombies --zombie-age had no room for: their leaks go unseen. */
	p->totals.zombies_untracked += p->leaks_untracked;
	p->sink->summary(p->out, &p->totals);
}

/* Entries carry a record or one of these; no record is longer than a page. */
union replay_buf {
	struct rt_counts counts;
	struct rt_clock_entry clock;
	struct rt_cgroup_entry cgroup;
	struct rt_container_name_entry name;
	struct rt_pids_entry pids;
	char event[4096];
};

int rt_pipeline_replay(struct rt_pipeline *p, FILE *f)
{
	struct rt_recording_entry e;
	union replay_buf buf;
	int ret, err;

	while ((ret = rt_recording_next(f, &e, &buf, sizeof(buf))) > 0) {
		switch (e.kind) {
		case RT_REC_EVENT:
			err = rt_pipeline_event(p, &buf, e.len);
			if (err)
				return err;
			break;
		case RT_REC_COUNTS:
			if (e.len != sizeof(buf.counts) &&
			    e.len != offsetof(struct rt_counts, lost_by_type))
				goto corrupt;
			memset((char *)&buf.counts + e.len, 0, sizeof(buf.counts) - e.len);
			buf.counts.skipped_prog[sizeof(buf.counts.skipped_prog) - 1] = 0;
			rt_pipeline_counts(p, &buf.counts);
			break;
		case RT_REC_EXPIRE:
		case RT_REC_LEAK_CHECK:
			if (e.len != sizeof(buf.clock))
				goto corrupt;
			if (e.kind == RT_REC_EXPIRE)
				rt_pipeline_expire(p, buf.clock.now_ns);
			else
				rt_pipeline_check_leaks(p, buf.clock.now_ns, buf.clock.final);
			break;
		case RT_REC_CGROUP:
			if (e.len < offsetof(struct rt_cgroup_entry, path) ||
			    e.len >= sizeof(buf.cgroup))
				goto corrupt;
			((char *)&buf)[e.len] = 0;
			err = cgroups__set(p->cgroups, buf.cgroup.id,
					   e.len > offsetof(struct rt_cgroup_entry, path) ?
						   buf.cgroup.path :
						   NULL);
			if (err)
				return err;
			break;
		case RT_REC_PIDS:
			if (e.len != sizeof(buf.pids))
				goto corrupt;
			buf.pids.cgroup[sizeof(buf.pids.cgroup) - 1] = 0;
			remember_pids(p, &buf.pids);
			break;
		case RT_REC_CONTAINER_NAME:
			if (e.len != sizeof(buf.name))
				goto corrupt;
			buf.name.name[sizeof(buf.name.name) - 1] = 0;
			cgroups__set_name(p->cgroups, buf.name.cgroup_id, buf.name.name);
			break;
		case RT_REC_FLUSH:
			rt_pipeline_flush(p);
			break;
		case RT_REC_END:
			rt_pipeline_summary(p);
			break;
		default:
			goto corrupt;
		}
	}
	if (ret == 0)
		return 0;
corrupt:
	fprintf(stderr, "reapertrace: the recording is cut short or corrupt\n");
	return -EINVAL;
}

size_t rt_pipeline_held(const struct rt_pipeline *p)
{
	return adoptions__held(p->adoptions);
}

const struct rt_totals *rt_pipeline_totals(const struct rt_pipeline *p)
{
	return &p->totals;
}
