// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * JSON Lines output: one object per event, keys as documented in the README.
 * Strings are always valid JSON: valid UTF-8 passes through, control
 * characters and bytes that are not UTF-8 become \u00XX escapes.
 */
#include <stdio.h>

#include "report.h"

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static int utf8_len(const unsigned char *s, size_t n)
{
	int len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, and beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

static void json_string(FILE *out, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, n = 0;
	int len;

	while (n < max && s[n])
		n++;
	fputc('"', out);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			fputc('\\', out);
			fputc(s[i], out);
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			fputc(s[i], out);
		} else if (s[i] >= 0x80 && (len = utf8_len(s + i, n - i))) {
			fwrite(s + i, 1, len, out);
			i += len - 1;
		} else {
			fprintf(out, "\\u%04x", s[i]);
		}
	}
	fputc('"', out);
}

static void json_task(FILE *out, const char *key, const struct rt_task *t)
{
	fprintf(out, ",\"%s\":{\"pid\":%u,\"tid\":%u,\"comm\":", key, t->pid, t->tid);
	json_string(out, t->comm, sizeof(t->comm));
	fputc('}', out);
}

/* ,"origin":[{"pid":..,"comm":..,"cgroup_id":..},...] nearest first, or null */
static void json_origin(FILE *out, const struct rt_origin *o)
{
	__u32 i;

	if (!o || !o->depth) {
		fputs(",\"origin\":null", out);
		return;
	}
	fputs(",\"origin\":[", out);
	for (i = 0; i < o->depth; i++) {
		fprintf(out, "%s{\"pid\":%u,\"comm\":", i ? "," : "", o->links[i].pid);
		json_string(out, o->links[i].comm, sizeof(o->links[i].comm));
		fprintf(out, ",\"cgroup_id\":%llu}", (unsigned long long)o->links[i].cgroup_id);
	}
	fprintf(out, "],\"origin_truncated\":%s", o->truncated ? "true" : "false");
}

static void json_head(FILE *out, const char *event, __u64 ts_ns, const struct rt_event_hdr *h)
{
	fprintf(out, "{\"event\":\"%s\",\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,\"comm\":", event,
		(unsigned long long)ts_ns, h->task.pid, h->task.tid);
	json_string(out, h->task.comm, sizeof(h->task.comm));
	fprintf(out, ",\"pidns\":%u,\"pidns_level\":%u,\"ns_pid\":%u,\"cgroup_id\":%llu", h->pidns,
		h->pidns_level, h->ns_pid, (unsigned long long)h->cgroup_id);
}

static void json_header(FILE *out)
{
}

static void json_reparent(FILE *out, const struct rt_reparent_report *r)
{
	json_head(out, "reparent", r->ts_ns, r->orphan);
	json_task(out, "old_parent", &r->old_parent);
	if (r->resolved)
		json_task(out, "new_parent", &r->new_parent);
	else
		fputs(",\"new_parent\":null", out);
	fprintf(out, ",\"reaper_kind\":\"%s\",\"was_zombie\":%s,\"pdeath_signal\":%u",
		rt_kind_name(r->kind), r->was_zombie ? "true" : "false", r->pdeath_signal);
	json_origin(out, r->origin);
	fputs("}\n", out);
}

static void json_zombie(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin)
{
	json_head(out, "zombie", e->hdr.ts_ns, &e->hdr);
	json_task(out, "parent", &e->parent);
	if (e->exit_code >= 0)
		fprintf(out, ",\"exit_code\":%d", e->exit_code);
	else
		fputs(",\"exit_code\":null", out);
	fprintf(out, ",\"signal\":%d,\"core_dumped\":%s", e->signal,
		e->core_dumped ? "true" : "false");
	json_origin(out, origin);
	fputs("}\n", out);
}

static void json_reap(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin)
{
	json_head(out, "reap", e->hdr.ts_ns, &e->hdr);
	if (e->how == RT_REAP_AUTO)
		fputs(",\"reaper\":null", out);
	else
		json_task(out, "reaper", &e->reaper);
	fprintf(out, ",\"how\":\"%s\",\"zombie_ns\":%llu", rt_how_name(e->how),
		(unsigned long long)e->zombie_ns);
	json_origin(out, origin);
	fputs("}\n", out);
}

static void json_subreaper(FILE *out, const struct rt_subreaper_event *e)
{
	json_head(out, "subreaper", e->hdr.ts_ns, &e->hdr);
	fprintf(out, ",\"enabled\":%s}\n", e->enabled ? "true" : "false");
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
	fputs("}\n", out);
}

static void json_init_signal(FILE *out, const struct rt_init_signal_event *e)
{
	json_head(out, "init_signal_dropped", e->hdr.ts_ns, &e->hdr);
	json_task(out, "sender", &e->sender);
	fprintf(out, ",\"signal\":%d,\"si_code\":%d}\n", e->signal, e->si_code);
}

static void json_ns_teardown(FILE *out, const struct rt_ns_teardown_event *e)
{
	json_head(out, "ns_teardown", e->hdr.ts_ns, &e->hdr);
	fprintf(out, ",\"killed\":%u}\n", e->killed);
}

static void json_reaper_handoff(FILE *out, const struct rt_reaper_handoff_event *e)
{
	json_head(out, "reaper_handoff", e->hdr.ts_ns, &e->hdr);
	json_task(out, "old_reaper", &e->hdr.task);
	json_task(out, "new_reaper", &e->new_reaper);
	fputs("}\n", out);
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
		"\"origins_dropped\":%llu,\"zombies_at_start\":%llu}\n",
		(unsigned long long)t->events, (unsigned long long)t->lost,
		(unsigned long long)t->orphans_truncated, (unsigned long long)t->zombies_untracked,
		(unsigned long long)t->unresolved_adoptions, (unsigned long long)t->leaks,
		(unsigned long long)t->origins_dropped, (unsigned long long)t->zombies_at_start);
}

const struct rt_printer rt_json_printer = {
	.header = json_header,
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

void rt_json_string(FILE *out, const char *s, size_t max)
{
	json_string(out, s, max);
}
