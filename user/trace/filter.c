// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The filter stage: -e, -T, -p, --pidns and -c, for each record type. */
#include "trace/filter.h"

void rt_filter_init(struct rt_filter *f, const struct rt_options *opt, __u32 delivered)
{
	f->events = opt->events & delivered;
	f->threads = opt->threads;
	f->pid = opt->pid;
	f->pidns = opt->pidns;
	f->cgroup_id = opt->cgroup_id;
}

/* -e, --pidns and -c: the type, and where the process the record is about lives. */
static bool wanted(const struct rt_filter *f, enum rt_event_type type, __u32 pidns, __u64 cgroup_id)
{
	if (!(f->events & (1U << type)))
		return false;
	if (f->pidns && pidns != f->pidns)
		return false;
	if (f->cgroup_id && cgroup_id != f->cgroup_id)
		return false;
	return true;
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
	if ((f->pidns && r->oldest_pidns != f->pidns) ||
	    (f->cgroup_id && r->oldest_cgroup_id != f->cgroup_id))
		return RT_DROP;
	return by_pid(f, &r->oldest, &r->reaper, NULL);
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
