// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "filter.h"

/* --pidns and -c: where the process the event is about lives. */
static bool where_matches(const struct rt_options *opt, const struct rt_event_hdr *h)
{
	if (opt->pidns && h->pidns != opt->pidns)
		return false;
	if (opt->cgroup_id && h->cgroup_id != opt->cgroup_id)
		return false;
	return true;
}

static bool is_pid(const struct rt_options *opt, const struct rt_task *t)
{
	return t && t->pid && (t->pid == opt->pid || t->tid == opt->pid);
}

/* -p: the process, or one of the others the event names. */
static bool pid_matches(const struct rt_options *opt, const struct rt_task *self,
			const struct rt_task *a, const struct rt_task *b)
{
	return !opt->pid || is_pid(opt, self) || is_pid(opt, a) || is_pid(opt, b);
}

bool rt_show_reparent(const struct rt_options *opt, const struct rt_reparent_report *r)
{
	if (r->kind == RT_KIND_THREAD && !opt->threads)
		return false;
	return where_matches(opt, r->orphan) &&
	       pid_matches(opt, &r->orphan->task, &r->old_parent, &r->new_parent);
}

bool rt_show_zombie(const struct rt_options *opt, const struct rt_zombie_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, &e->parent, NULL);
}

bool rt_show_reap(const struct rt_options *opt, const struct rt_reap_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, &e->reaper, NULL);
}

bool rt_show_subreaper(const struct rt_options *opt, const struct rt_subreaper_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, NULL, NULL);
}

/* The oldest zombie's namespace and cgroup; -p the reaper or that zombie. */
bool rt_show_leak(const struct rt_options *opt, const struct rt_leak_report *r)
{
	struct rt_event_hdr oldest = {
		.pidns = r->oldest_pidns,
		.cgroup_id = r->oldest_cgroup_id,
	};

	return where_matches(opt, &oldest) && pid_matches(opt, &r->oldest, &r->reaper, NULL);
}

/* The init the signal was meant for, or its sender. */
bool rt_show_init_signal(const struct rt_options *opt, const struct rt_init_signal_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, &e->sender, NULL);
}

/* The init; --pidns: the namespace torn down. */
bool rt_show_ns_teardown(const struct rt_options *opt, const struct rt_ns_teardown_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, NULL, NULL);
}

bool rt_show_reaper_handoff(const struct rt_options *opt, const struct rt_reaper_handoff_event *e)
{
	return where_matches(opt, &e->hdr) && pid_matches(opt, &e->hdr.task, &e->new_reaper, NULL);
}
