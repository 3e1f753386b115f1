// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The filter stage: -e, -T, -p, --pidns, -c and --container, for each record type. */
#include <stddef.h>

#include "trace/filter.h"

void rt_filter_init(struct rt_filter *f, const struct rt_options *opt, __u32 delivered)
{
	f->events = opt->events & delivered;
	f->threads = opt->threads;
	f->pid = opt->pid;
	f->pidns = opt->pidns;
	f->cgroup_id = opt->cgroup_id;
	f->container = opt->container;
	f->cgroups = NULL;
}

/* -c: cgroup @id is -c's or below it. */
static bool in_cgroup(const struct rt_filter *f, __u64 id)
{
	const struct cgroup_info *dir, *cg;

	if (id == f->cgroup_id)
		return true;
	if (!f->cgroups || !id)
		return false;
	dir = cgroups__get(f->cgroups, f->cgroup_id);
	cg = cgroups__get(f->cgroups, id);
	return dir && dir->path && cg && cg->path && cgroup_path_within(cg->path, dir->path);
}

/* --container: cgroup @id is of a container whose id starts so. */
static bool in_container(const struct rt_filter *f, __u64 id)
{
	const struct cgroup_info *cg = f->cgroups ? cgroups__get(f->cgroups, id) : NULL;

	return cg && cg->in_container && container_id_matches(cg->container.id, f->container);
}

/* where the process the record is about lives: --pidns, -c, --container */
static bool lives_in(const struct rt_filter *f, __u32 pidns, __u64 cgroup_id)
{
	if (f->pidns && pidns != f->pidns)
		return false;
	if (f->cgroup_id && !in_cgroup(f, cgroup_id))
		return false;
	if (f->container && !in_container(f, cgroup_id))
		return false;
	return true;
}

/* -e, and where the process lives. */
static bool wanted(const struct rt_filter *f, enum rt_event_type type, __u32 pidns, __u64 cgroup_id)
{
	return (f->events & (1U << type)) && lives_in(f, pidns, cgroup_id);
}

static bool is_pid(const struct rt_filter *f, const struct rt_task *t)
{
	return t && t->pid && (t->pid == f->pid || t->tid == f->pid);
}

/* -p: the process, or one of the others the record names. */
static enum rt_verdict by_pid(const struct rt_filter *f, const struct rt_task *self,
			      const struct rt_task *a, const struct rt_task *b)
{
	if (!f->pid || is_pid(f, self) || is_pid(f, a) || is_pid(f, b))
		return RT_MATCH;
	return RT_OTHER_PID;
}

enum rt_verdict rt_filter_reparent(const struct rt_filter *f, const struct rt_reparent_report *r)
{
	const struct rt_event_hdr *h = r->orphan;

	if ((r->kind == RT_KIND_THREAD && !f->threads) ||
	    !wanted(f, RT_EV_REPARENT, h->pidns, h->cgroup_id))
		return RT_DROP;
	return by_pid(f, &h->task, &r->old_parent, &r->new_parent);
}

enum rt_verdict rt_filter_zombie(const struct rt_filter *f, const struct rt_zombie_event *e)
{
	if (!wanted(f, RT_EV_ZOMBIE, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, &e->parent, NULL);
}

enum rt_verdict rt_filter_reap(const struct rt_filter *f, const struct rt_reap_event *e)
{
	if (!wanted(f, RT_EV_REAP, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, &e->reaper, NULL);
}

enum rt_verdict rt_filter_subreaper(const struct rt_filter *f, const struct rt_subreaper_event *e)
{
	if (!wanted(f, RT_EV_SUBREAPER, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, NULL, NULL);
}

/* Leaks come with --zombie-age, whatever -e says: the zombie's type decides nothing. */
enum rt_verdict rt_filter_leak(const struct rt_filter *f, const struct rt_leak_report *r)
{
	if (!lives_in(f, r->oldest_pidns, r->oldest_cgroup_id))
		return RT_DROP;
	return by_pid(f, &r->oldest, &r->reaper, NULL);
}

/* --metrics' gauges: a zombie held now, whatever -e says, as a leak. */
enum rt_verdict rt_filter_held(const struct rt_filter *f, const struct rt_event_hdr *zombie,
			       const struct rt_task *holder)
{
	if (!lives_in(f, zombie->pidns, zombie->cgroup_id))
		return RT_DROP;
	return by_pid(f, &zombie->task, holder, NULL);
}

enum rt_verdict rt_filter_init_signal(const struct rt_filter *f,
				      const struct rt_init_signal_event *e)
{
	if (!wanted(f, RT_EV_INIT_SIGNAL_DROPPED, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, &e->sender, NULL);
}

enum rt_verdict rt_filter_ns_teardown(const struct rt_filter *f,
				      const struct rt_ns_teardown_event *e)
{
	if (!wanted(f, RT_EV_NS_TEARDOWN, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, NULL, NULL);
}

enum rt_verdict rt_filter_reaper_handoff(const struct rt_filter *f,
					 const struct rt_reaper_handoff_event *e)
{
	if (!wanted(f, RT_EV_REAPER_HANDOFF, e->hdr.pidns, e->hdr.cgroup_id))
		return RT_DROP;
	return by_pid(f, &e->hdr.task, &e->new_reaper, NULL);
}
