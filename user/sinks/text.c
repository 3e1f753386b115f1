// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Text output for people: a header row, then one aligned line per event.
 * Lost-event notes and the summary go to stderr (trace.c), not here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/comm.h"
#include "lib/container.h"
#include "lib/line_buf.h"
#include "lib/pids.h"
#include "lib/names.h"
#include "sinks/sink.h"

#define CELL_WIDTH 21 /* a "PID/COMM" cell, cut to its column */
#define CELL_LEN   32

static __s64 clock_offset_ns;

void rt_text_set_clock_offset(__s64 offset_ns)
{
	clock_offset_ns = offset_ns;
}

/* The comm as the text output shows it (lib/comm.h). */
static const char *printable(const char *comm, char *buf)
{
	return comm_printable(comm, RT_COMM_LEN - 1, buf, RT_COMM_LEN, COMM_KEEP_SPACES);
}

static const char *cell(const struct rt_task *t, char *buf)
{
	char comm[RT_COMM_LEN];

	if (!t || !t->pid)
		return "-";
	snprintf(buf, CELL_LEN, "%u/%s", t->pid, printable(t->comm, comm));
	buf[CELL_WIDTH] = 0;
	return buf;
}

/* cell(), appended to @pb and padded to its column, then a space. */
static void put_cell(struct pbuf *pb, const struct rt_task *t)
{
	size_t from = pb->len;
	char comm[RT_COMM_LEN];

	if (!t || !t->pid) {
		pb_ch(pb, '-');
	} else {
		pb_u64(pb, t->pid);
		pb_ch(pb, '/');
		pb_str(pb, printable(t->comm, comm));
		if (pb->len - from > CELL_WIDTH)
			pb->len = from + CELL_WIDTH;
	}
	pb_pad(pb, from, CELL_WIDTH);
	pb_ch(pb, ' ');
}

/* @str padded to @width (%-*s), then a space. */
static void put_col(struct pbuf *pb, const char *str, size_t width)
{
	size_t from = pb->len;

	pb_str(pb, str);
	pb_pad(pb, from, width);
	pb_ch(pb, ' ');
}

/* HH:MM:SS of @sec in local time; localtime_r() only when the second changes. */
static const char *stamp_of(time_t sec)
{
	static time_t last_sec = -1;
	static char stamp[16];
	struct tm tm;

	if (sec != last_sec) {
		localtime_r(&sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		last_sec = sec;
	}
	return stamp;
}

/*
 * The columns of an event line, TIME to KIND, into @pb; the caller appends
 * the details as " key=value" words and ends the line with line_end().
 * KIND is padded to its column, which line_end() takes back if no detail
 * followed.
 */
struct text_line {
	struct pbuf pb;
	size_t kind_end;    /* just past KIND */
	size_t columns_end; /* past KIND's padding: where the details start */
};

static struct pbuf *line_start(struct text_line *l, __u64 ts_ns, const char *event,
			       const struct rt_event_hdr *h, const struct rt_task *old_parent,
			       const struct rt_task *parent, const char *kind)
{
	struct pbuf *pb = &l->pb;
	__s64 wall = (__s64)ts_ns + clock_offset_ns;
	char comm[RT_COMM_LEN];
	size_t from;

	pb_reset(pb);
	pb_str(pb, stamp_of(wall / 1000000000));
	pb_ch(pb, '.');
	pb_u64_pad(pb, (wall % 1000000000) / 1000, 6);
	pb_ch(pb, ' ');
	put_col(pb, event, 19);
	from = pb->len;
	pb_u64(pb, h->task.pid);
	pb_pad(pb, from, 7);
	pb_ch(pb, ' ');
	put_col(pb, printable(h->task.comm, comm), 16);
	put_cell(pb, old_parent);
	put_cell(pb, parent);
	from = pb->len;
	pb_str(pb, kind);
	l->kind_end = pb->len;
	pb_pad(pb, from, 10);
	l->columns_end = pb->len;
	return pb;
}

static void line_end(struct text_line *l, FILE *out)
{
	if (l->pb.len == l->columns_end)
		l->pb.len = l->kind_end;
	pb_ch(&l->pb, '\n');
	pb_write(&l->pb, out);
}

/* printf() onto the line, for the rare records; the frequent ones use pb_*. */
__attribute__((format(printf, 2, 3))) static void add(struct pbuf *pb, const char *fmt, ...)
{
	size_t room = PBUF_SIZE - pb->len;
	va_list ap;
	int n;

	if (!room)
		return;
	va_start(ap, fmt);
	n = vsnprintf(pb->b + pb->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		pb->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* " key=" and @v in decimal. */
static void add_u64(struct pbuf *pb, const char *key, __u64 v)
{
	pb_str(pb, key);
	pb_u64(pb, v);
}

/* " origin=PID/COMM<PID/COMM...": who forked it, who forked that one. */
static void add_origin(struct pbuf *pb, const struct rt_origin *o)
{
	char comm[RT_COMM_LEN];
	__u32 i;

	if (!o || !o->depth)
		return;
	pb_str(pb, " origin=");
	for (i = 0; i < o->depth; i++) {
		if (i)
			pb_ch(pb, '<');
		pb_u64(pb, o->links[i].pid);
		pb_ch(pb, '/');
		pb_str(pb, printable(o->links[i].comm, comm));
	}
	if (o->truncated)
		pb_str(pb, "<...");
}

static void add_nspid(struct pbuf *pb, const struct rt_event_hdr *h)
{
	if (h->pidns_level)
		add_u64(pb, " nspid=", h->ns_pid);
}

/* " container=ID": its first 12 hex digits, as `docker ps` shows them. */
static void add_container(struct pbuf *pb, const struct container *ct)
{
	if (!ct)
		return;
	pb_str(pb, " container=");
	pb_mem(pb, ct->id, CONTAINER_SHORT);
}

static void text_header(FILE *out)
{
	fprintf(out, "%-15s %-19s %-7s %-16s %-21s %-21s %-10s %s\n", "TIME", "EVENT", "PID",
		"COMM", "OLD-PARENT", "PARENT", "KIND", "DETAILS");
}

static void text_reparent(FILE *out, const struct rt_reparent_report *r)
{
	struct text_line l;
	struct pbuf *pb;
	char sig[16];

	pb = line_start(&l, r->ts_ns, "reparent", r->orphan, &r->old_parent,
			r->resolved ? &r->new_parent : NULL, rt_kind_name(r->kind));
	if (r->was_zombie)
		pb_str(pb, " zombie");
	if (r->pdeath_signal) {
		pb_str(pb, " pdeath=");
		pb_str(pb, rt_signal_name(r->pdeath_signal, sig, sizeof(sig)));
	}
	/* A handoff between threads of one process: only the tids tell. */
	if (r->kind == RT_KIND_THREAD) {
		add_u64(pb, " tid=", r->old_parent.tid);
		add_u64(pb, "->", r->new_parent.tid);
	}
	add_nspid(pb, r->orphan);
	add_container(pb, r->container);
	add_origin(pb, r->origin);
	line_end(&l, out);
}

static void text_zombie(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin,
			const struct container *ct)
{
	struct text_line l;
	struct pbuf *pb;
	char sig[16];

	pb = line_start(&l, e->hdr.ts_ns, "zombie", &e->hdr, NULL, &e->parent, "-");
	if (e->exit_code >= 0) {
		add_u64(pb, " exit=", e->exit_code);
	} else {
		pb_str(pb, " killed=");
		pb_str(pb, rt_signal_name(e->signal, sig, sizeof(sig)));
	}
	if (e->core_dumped)
		pb_str(pb, " core");
	add_nspid(pb, &e->hdr);
	add_container(pb, ct);
	add_origin(pb, origin);
	line_end(&l, out);
}

static void text_reap(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin,
		      const struct container *ct)
{
	__u64 us = (e->zombie_ns + 500) / 1000;
	struct text_line l;
	struct pbuf *pb;

	pb = line_start(&l, e->hdr.ts_ns, "reap", &e->hdr, NULL,
			e->how == RT_REAP_AUTO ? NULL : &e->reaper, rt_how_name(e->how));
	/*
	 * %.3f of the ms in integers: a float printf costs more than the rest
	 * of the line. A tie (exactly half a microsecond) rounds as the double does.
	 */
	if (e->zombie_ns % 1000 == 500) {
		add(pb, " after=%.3fms", e->zombie_ns / 1e6);
	} else {
		add_u64(pb, " after=", us / 1000);
		pb_ch(pb, '.');
		pb_u64_pad(pb, us % 1000, 3);
		pb_str(pb, "ms");
	}
	add_nspid(pb, &e->hdr);
	add_container(pb, ct);
	add_origin(pb, origin);
	line_end(&l, out);
}

static void text_subreaper(FILE *out, const struct rt_subreaper_event *e,
			   const struct container *ct)
{
	struct text_line l;
	struct pbuf *pb;

	pb = line_start(&l, e->hdr.ts_ns, "subreaper", &e->hdr, NULL, NULL,
			e->enabled ? "on" : "off");
	add_container(pb, ct);
	line_end(&l, out);
}

/* PID/COMM: the oldest zombie; PARENT: the reaper that holds it. */
static void text_leak(FILE *out, const struct rt_leak_report *r)
{
	struct rt_event_hdr oldest = { .task = r->oldest };
	struct text_line l;
	struct pbuf *pb;

	pb = line_start(&l, r->ts_ns, "leak", &oldest, NULL, &r->reaper, "-");
	add(pb, " zombies=%u older=%u oldest=%.3fs limit=%.3fs", r->nr_zombies, r->nr_old,
	    r->oldest_ns / 1e9, r->limit_ns / 1e9);
	add_container(pb, r->container);
	if (r->pids)
		add(pb, " pids_current=%lld pids_max=%lld pids_zombies=%zu", r->pids->current,
		    r->pids->max, r->pids->zombies);
	add_origin(pb, r->origin);
	line_end(&l, out);
}

static void text_init_signal(FILE *out, const struct rt_init_signal_event *e,
			     const struct container *ct)
{
	char sig[16], from[CELL_LEN];
	struct text_line l;
	struct pbuf *pb;

	pb = line_start(&l, e->hdr.ts_ns, "init_signal_dropped", &e->hdr, NULL, NULL,
			rt_signal_name(e->signal, sig, sizeof(sig)));
	add(pb, " from=%s", cell(&e->sender, from));
	/* A signal sent to one thread (tgkill): which one. */
	if (e->hdr.task.tid != e->hdr.task.pid)
		add(pb, " tid=%u", e->hdr.task.tid);
	add(pb, " pidns=%u", e->hdr.pidns);
	add_nspid(pb, &e->hdr);
	add_container(pb, ct);
	line_end(&l, out);
}

static void text_ns_teardown(FILE *out, const struct rt_ns_teardown_event *e,
			     const struct container *ct)
{
	struct text_line l;
	struct pbuf *pb;

	pb = line_start(&l, e->hdr.ts_ns, "ns_teardown", &e->hdr, NULL, NULL, "-");
	add(pb, " killed=%u", e->killed);
	if (e->hdr.task.tid != e->hdr.task.pid)
		add(pb, " tid=%u", e->hdr.task.tid);
	add(pb, " pidns=%u nspid=%u", e->hdr.pidns, e->hdr.ns_pid);
	add_container(pb, ct);
	line_end(&l, out);
}

static void text_reaper_handoff(FILE *out, const struct rt_reaper_handoff_event *e,
				const struct container *ct)
{
	struct text_line l;
	struct pbuf *pb;

	/* Both cells show the same process: only the tids tell the threads apart. */
	pb = line_start(&l, e->hdr.ts_ns, "reaper_handoff", &e->hdr, &e->hdr.task, &e->new_reaper,
			"thread");
	add(pb, " tid=%u->%u pidns=%u", e->hdr.task.tid, e->new_reaper.tid, e->hdr.pidns);
	add_nspid(pb, &e->hdr);
	add_container(pb, ct);
	line_end(&l, out);
}

static void text_lost(FILE *out, __u64 ts_ns, __u64 lost, __u64 total)
{
}

static void text_summary(FILE *out, const struct rt_totals *t)
{
}

const struct rt_sink rt_text_sink = {
	.header = text_header,
	.reparent = text_reparent,
	.zombie = text_zombie,
	.reap = text_reap,
	.subreaper = text_subreaper,
	.leak = text_leak,
	.init_signal_dropped = text_init_signal,
	.ns_teardown = text_ns_teardown,
	.reaper_handoff = text_reaper_handoff,
	.lost = text_lost,
	.summary = text_summary,
};
