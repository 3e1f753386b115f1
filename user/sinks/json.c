// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * JSON Lines output: one object per event, keys as docs/FORMAT.md lists them.
 * Strings are always valid JSON: valid UTF-8 passes through, control
 * characters and bytes that are not UTF-8 become \u00XX escapes.
 */
#include <stdio.h>

#include "lib/json.h"
#include "lib/line_buf.h"
#include "lib/pids.h"
#include "lib/names.h"
#include "sinks/sink.h"

static void json_task(FILE *out, const char *key, const struct rt_task *t)
{
	struct pbuf pb;

	pb_reset(&pb);
	pb_str(&pb, ",\"");
	pb_str(&pb, key);
	pb_str(&pb, "\":{\"pid\":");
	pb_u64(&pb, t->pid);
	pb_str(&pb, ",\"tid\":");
	pb_u64(&pb, t->tid);
	pb_str(&pb, ",\"comm\":");
	json_pb_string(&pb, t->comm, sizeof(t->comm));
	pb_ch(&pb, '}');
	pb_write(&pb, out);
}

/* ,"origin":[{"pid":..,"comm":..,"cgroup_id":..,"container":..},...] nearest first, or null */
static void json_origin(FILE *out, const struct rt_origin *o)
{
	struct pbuf pb;
	__u32 i;

	pb_reset(&pb);
	if (!o || !o->depth) {
		fputs(",\"origin\":null", out);
		return;
	}
	pb_str(&pb, ",\"origin\":[");
	for (i = 0; i < o->depth; i++) {
		pb_str(&pb, i ? ",{\"pid\":" : "{\"pid\":");
		pb_u64(&pb, o->links[i].pid);
		pb_str(&pb, ",\"comm\":");
		json_pb_string(&pb, o->links[i].comm, sizeof(o->links[i].comm));
		pb_str(&pb, ",\"cgroup_id\":");
		pb_u64(&pb, o->links[i].cgroup_id);
		json_pb_container(&pb, o->links[i].container);
		pb_ch(&pb, '}');
	}
	pb_str(&pb, o->truncated ? "],\"origin_truncated\":true" : "],\"origin_truncated\":false");
	pb_write(&pb, out);
}

static void json_head(FILE *out, const char *event, __u64 ts_ns, const struct rt_event_hdr *h)
{
	struct pbuf pb;

	pb_reset(&pb);
	pb_str(&pb, "{\"event\":\"");
	pb_str(&pb, event);
	pb_str(&pb, "\",\"ts_ns\":");
	pb_u64(&pb, ts_ns);
	pb_str(&pb, ",\"pid\":");
	pb_u64(&pb, h->task.pid);
	pb_str(&pb, ",\"tid\":");
	pb_u64(&pb, h->task.tid);
	pb_str(&pb, ",\"comm\":");
	json_pb_string(&pb, h->task.comm, sizeof(h->task.comm));
	pb_str(&pb, ",\"pidns\":");
	pb_u64(&pb, h->pidns);
	pb_str(&pb, ",\"pidns_level\":");
	pb_u64(&pb, h->pidns_level);
	pb_str(&pb, ",\"ns_pid\":");
	pb_u64(&pb, h->ns_pid);
	pb_str(&pb, ",\"cgroup_id\":");
	pb_u64(&pb, h->cgroup_id);
	pb_write(&pb, out);
}

/*
 * The end of a record: its process's container (new keys go last, so
 * that the keys before stay where they were), then "}\n".
 */
static void json_end(FILE *out, const struct container *ct)
{
	struct pbuf pb;

	pb_reset(&pb);
	json_pb_container(&pb, ct);
	pb_str(&pb, "}\n");
	pb_write(&pb, out);
}

static void json_header(FILE *out)
{
}

/*
 * The first record: the kernel's choices, which path each hook took
 * ("off": refused, "unused": not needed for the events asked for), and the
 * event types the programs deliver.
 */
static void json_features(FILE *out, const struct rt_features_report *r)
{
	const char *sep = "";
	unsigned int h, type;

	fprintf(out,
		"{\"event\":\"features\",\"orphan_walk\":\"%s\",\"max_orphans\":%u,"
		"\"zombie_tables\":\"%s\",\"max_zombies\":%u,\"programs\":\"%s\",\"paths\":{",
		r->orphan_walk, r->max_orphans, r->zombie_tables, r->max_zombies, r->programs);
	for (h = 0; h < r->nr_hooks; h++) {
		fprintf(out, "%s\"%s\":\"%s\"", sep, r->hook[h], r->path[h]);
		sep = ",";
	}
	fputs("},\"events\":[", out);
	sep = "";
	for (type = 0; type < RT_EV_MAX; type++) {
		if (!rt_event_name(type) || !(r->events & (1U << type)))
			continue;
		fprintf(out, "%s\"%s\"", sep, rt_event_name(type));
		sep = ",";
	}
	fputs("]}\n", out);
}

static void json_reparent(FILE *out, const struct rt_reparent_report *r)
{
	struct pbuf pb;

	pb_reset(&pb);
	json_head(out, "reparent", r->ts_ns, r->orphan);
	json_task(out, "old_parent", &r->old_parent);
	if (r->resolved)
		json_task(out, "new_parent", &r->new_parent);
	else
		fputs(",\"new_parent\":null", out);
	pb_str(&pb, ",\"reaper_kind\":\"");
	pb_str(&pb, rt_kind_name(r->kind));
	pb_str(&pb, r->was_zombie ? "\",\"was_zombie\":true" : "\",\"was_zombie\":false");
	pb_str(&pb, ",\"pdeath_signal\":");
	pb_u64(&pb, r->pdeath_signal);
	pb_write(&pb, out);
	json_origin(out, r->origin);
	json_end(out, r->container);
}

static void json_zombie(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin,
			const struct container *ct)
{
	struct pbuf pb;

	pb_reset(&pb);
	json_head(out, "zombie", e->hdr.ts_ns, &e->hdr);
	json_task(out, "parent", &e->parent);
	if (e->exit_code >= 0) {
		pb_str(&pb, ",\"exit_code\":");
		pb_s64(&pb, e->exit_code);
	} else {
		pb_str(&pb, ",\"exit_code\":null");
	}
	pb_str(&pb, ",\"signal\":");
	pb_s64(&pb, e->signal);
	pb_str(&pb, e->core_dumped ? ",\"core_dumped\":true" : ",\"core_dumped\":false");
	pb_write(&pb, out);
	json_origin(out, origin);
	json_end(out, ct);
}

static void json_reap(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin,
		      const struct container *ct)
{
	struct pbuf pb;

	pb_reset(&pb);
	json_head(out, "reap", e->hdr.ts_ns, &e->hdr);
	if (e->how == RT_REAP_AUTO)
		fputs(",\"reaper\":null", out);
	else
		json_task(out, "reaper", &e->reaper);
	pb_str(&pb, ",\"how\":\"");
	pb_str(&pb, rt_how_name(e->how));
	pb_str(&pb, "\",\"zombie_ns\":");
	pb_u64(&pb, e->zombie_ns);
	pb_write(&pb, out);
	json_origin(out, origin);
	json_end(out, ct);
}

static void json_subreaper(FILE *out, const struct rt_subreaper_event *e,
			   const struct container *ct)
{
	json_head(out, "subreaper", e->hdr.ts_ns, &e->hdr);
	fprintf(out, ",\"enabled\":%s", e->enabled ? "true" : "false");
	json_end(out, ct);
}

static void json_leak(FILE *out, const struct rt_leak_report *r)
{
	fprintf(out, "{\"event\":\"leak\",\"ts_ns\":%llu", (unsigned long long)r->ts_ns);
	json_task(out, "reaper", &r->reaper);
	fprintf(out, ",\"zombies\":%u,\"older\":%u,\"oldest_ns\":%llu,\"limit_ns\":%llu",
		r->nr_zombies, r->nr_old, (unsigned long long)r->oldest_ns,
		(unsigned long long)r->limit_ns);
	json_task(out, "oldest", &r->oldest);
	fprintf(out, ",\"pidns\":%u,\"cgroup_id\":%llu", r->oldest_pidns,
		(unsigned long long)r->oldest_cgroup_id);
	json_origin(out, r->origin);
	json_container(out, r->container);
	/* the pids.max the oldest zombie presses against (the leak's last key) */
	if (r->pids) {
		fputs(",\"pids\":{\"cgroup\":", out);
		json_string(out, r->pids->cgroup, sizeof(r->pids->cgroup));
		if (r->pids->current >= 0)
			fprintf(out, ",\"pids_current\":%lld", r->pids->current);
		else
			fputs(",\"pids_current\":null", out);
		fprintf(out, ",\"pids_max\":%lld,\"zombies\":%zu}}\n", r->pids->max,
			r->pids->zombies);
	} else {
		fputs(",\"pids\":null}\n", out);
	}
}

static void json_init_signal(FILE *out, const struct rt_init_signal_event *e,
			     const struct container *ct)
{
	json_head(out, "init_signal_dropped", e->hdr.ts_ns, &e->hdr);
	json_task(out, "sender", &e->sender);
	fprintf(out, ",\"signal\":%d,\"si_code\":%d", e->signal, e->si_code);
	json_end(out, ct);
}

static void json_ns_teardown(FILE *out, const struct rt_ns_teardown_event *e,
			     const struct container *ct)
{
	json_head(out, "ns_teardown", e->hdr.ts_ns, &e->hdr);
	fprintf(out, ",\"killed\":%u", e->killed);
	json_end(out, ct);
}

static void json_reaper_handoff(FILE *out, const struct rt_reaper_handoff_event *e,
				const struct container *ct)
{
	json_head(out, "reaper_handoff", e->hdr.ts_ns, &e->hdr);
	json_task(out, "old_reaper", &e->hdr.task);
	json_task(out, "new_reaper", &e->new_reaper);
	json_end(out, ct);
}

static void json_lost(FILE *out, __u64 ts_ns, __u64 lost, __u64 total)
{
	fprintf(out, "{\"event\":\"lost\",\"ts_ns\":%llu,\"lost\":%llu,\"total_lost\":%llu}\n",
		(unsigned long long)ts_ns, (unsigned long long)lost, (unsigned long long)total);
}

static void json_summary(FILE *out, const struct rt_totals *t)
{
	fprintf(out,
		"{\"event\":\"summary\",\"events\":%llu,\"lost\":%llu,\"orphans_truncated\":%llu,"
		"\"zombies_untracked\":%llu,\"unresolved_adoptions\":%llu,\"leaks\":%llu,"
		"\"origins_dropped\":%llu,\"zombies_at_start\":%llu,\"runs_skipped\":%llu,"
		"\"runs_rescued\":%llu}\n",
		(unsigned long long)t->events, (unsigned long long)t->lost,
		(unsigned long long)t->orphans_truncated, (unsigned long long)t->zombies_untracked,
		(unsigned long long)t->unresolved_adoptions, (unsigned long long)t->leaks,
		(unsigned long long)t->origins_dropped, (unsigned long long)t->zombies_at_start,
		(unsigned long long)t->runs_skipped, (unsigned long long)t->runs_rescued);
}

const struct rt_sink rt_json_sink = {
	.header = json_header,
	.features = json_features,
	.reparent = json_reparent,
	.zombie = json_zombie,
	.reap = json_reap,
	.subreaper = json_subreaper,
	.leak = json_leak,
	.init_signal_dropped = json_init_signal,
	.ns_teardown = json_ns_teardown,
	.reaper_handoff = json_reaper_handoff,
	.lost = json_lost,
	.summary = json_summary,
};
