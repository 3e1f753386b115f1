// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `reapertrace top`: the tracer's events, counted per reaper instead of
 * printed, shown every interval: redrawn on a terminal, as timestamped
 * blocks of text on a pipe, or as JSON records. A sink of the trace
 * pipeline with a tick hook.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top/top.h"
#include "top/reapers.h"
#include "top/term.h"
#include "top/view.h"
#include "trace/trace.h"

/* A reaper with nothing outstanding is forgotten after this long idle... */
#define IDLE_NS (60 * 1000000000ULL)
/* ...or after this many intervals, if longer. */
#define IDLE_INTERVALS 5

const char rt_top_usage[] =
	"A live view of reapers: the processes that adopt orphans and reap zombies.\n"
	"\n"
	"USAGE: reapertrace top [-j] [-i SECONDS] [-n COUNT] [-p PID] [--pidns INODE]\n"
	"                       [-c CGROUP] [-d SECONDS] [-b MB] [--metrics [HOST:]PORT] [-v]\n"
	"\n"
	"One row per reaper (a process that adopted orphans, or that has or had zombie\n"
	"children): zombies it has now, how old the oldest is, adoptions and reaps per\n"
	"second over the last interval and since the start. Sorted by zombies now, then\n"
	"adoptions per second. On a terminal the table is redrawn every interval (q or\n"
	"Ctrl-C quits); otherwise one timestamped table per interval is printed.\n"
	"\n"
	"EXAMPLES:\n"
	"    reapertrace top               # redraw every second; q quits\n"
	"    reapertrace top -i 5          # every 5 seconds\n"
	"    reapertrace top -n 3 > top.txt\n"
	"                                  # three tables, one per second, as plain text\n"
	"    reapertrace top -j -n 10      # ten intervals as JSON Lines, for programs\n"
	"    reapertrace top --pidns /proc/1234/ns/pid\n"
	"                                  # zombies and orphans of 1234's PID namespace\n"
	"    reapertrace top --metrics 9469\n"
	"                                  # and serve Prometheus metrics on 127.0.0.1:9469\n"
	"\n"
	"OPTIONS:\n"
	"  -i, --interval=SECONDS   refresh every SECONDS (decimals allowed, at least 0.1;\n"
	"                           default 1)\n"
	"  -n, --count=COUNT        stop after COUNT intervals\n"
	"  -j, --json               one \"tick\" record and one \"reaper\" record per reaper\n"
	"                           each interval, JSON Lines\n"
	"  -p, --pid=PID            only events where PID is the process, a parent or the reaper\n"
	"      --pidns=INODE        only events of processes in this PID namespace (its inode\n"
	"                           number, or a path such as /proc/PID/ns/pid)\n"
	"  -c, --cgroup=PATH        only events of processes in this cgroup v2 directory\n"
	"  -d, --duration=SECONDS   stop after SECONDS\n"
	"  -b, --buffer-mb=MB       ring buffer size in MiB, a power of two (default 16)\n"
	"      --metrics=[HOST:]PORT\n"
	"                           also serve Prometheus metrics at http://HOST:PORT/metrics\n"
	"                           (HOST numeric, 127.0.0.1 by default), as reapertrace does\n"
	"      --metrics-top=N      labelled series for the N groups holding most zombies\n"
	"                           (default 20)\n"
	"  -v, --verbose            libbpf debug output on stderr\n"
	"  -h, --help               print this help and exit\n"
	"\n"
	"Zombies that exist at the start count too, dated from when they last ran.\n"
	"Needs root, as reapertrace does. See reapertrace-top(8).\n";

enum top_mode {
	TOP_TEXT, /* stdout is not a terminal: timestamped blocks */
	TOP_TERM, /* redrawn in place */
	TOP_JSON,
};

struct top {
	const struct rt_options *opt;
	enum top_mode mode;
	struct top_table *table;
	__u64 interval_ns;
	__u64 last_ns, next_ns; /* CLOCK_BOOTTIME of the last and the next tick */
	unsigned long ticks;
	const struct rt_totals *totals; /* trace.c's, seen at the last tick */
	char *frame;			/* the terminal frame being built */
	size_t frame_len;
};

static struct top top;

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A zombie changes hands whatever -p says: it is followed to its reap. */
static void follow_reparent(const struct rt_reparent_report *r)
{
	top_table__pidns(top.table, r->orphan->task.pid, r->orphan->pidns);
	if (r->resolved && r->was_zombie)
		top_table__move(top.table, r->orphan->task.pid, &r->new_parent, r->ts_ns);
}

static void top_reparent(FILE *out, const struct rt_reparent_report *r)
{
	follow_reparent(r);
	if (r->resolved)
		top_table__adopt(top.table, &r->new_parent, r->ts_ns);
}

static void top_zombie(FILE *out, const struct rt_zombie_event *e, const struct rt_origin *origin,
		       const struct container *ct)
{
	top_table__pidns(top.table, e->hdr.task.pid, e->hdr.pidns);
	top_table__zombie(top.table, e->hdr.task.pid, e->hdr.pidns, &e->parent, e->hdr.ts_ns);
}

static void follow_reap(const struct rt_reap_event *e, bool counted)
{
	top_table__reap(top.table, e->hdr.task.pid, e->how == RT_REAP_AUTO ? NULL : &e->reaper,
			e->hdr.ts_ns, counted);
}

static void top_reap(FILE *out, const struct rt_reap_event *e, const struct rt_origin *origin,
		     const struct container *ct)
{
	follow_reap(e, true);
}

/* What -p turned away still moves the zombies it let in. */
static void top_unmatched(FILE *out, __u32 type, const void *record)
{
	const struct rt_zombie_event *z = record;
	const struct rt_subreaper_event *sr = record;

	switch (type) {
	case RT_EV_REPARENT:
		follow_reparent(record);
		break;
	case RT_EV_ZOMBIE:
		top_table__pidns(top.table, z->hdr.task.pid, z->hdr.pidns);
		break;
	case RT_EV_REAP:
		follow_reap(record, false);
		break;
	case RT_EV_SUBREAPER:
		top_table__pidns(top.table, sr->hdr.task.pid, sr->hdr.pidns);
		break;
	}
}

static void top_subreaper(FILE *out, const struct rt_subreaper_event *e, const struct container *ct)
{
	top_table__pidns(top.table, e->hdr.task.pid, e->hdr.pidns);
}

static void top_leak(FILE *out, const struct rt_leak_report *r)
{
	/* --zombie-age is not an option of top: ZOMBIES and OLDEST say it. */
}

static void top_lost(FILE *out, __u64 ts_ns, __u64 lost, __u64 total)
{
	/* trace.c says it on stderr; the header line shows the total. */
}

struct term_lines {
	FILE *f;
	int rows, cols, n;
};

/* A line of the terminal frame: cut to the width, the rest of it cleared. */
static void term_line(const char *line, void *ctx)
{
	struct term_lines *t = ctx;
	int len = strlen(line);

	if (t->n >= t->rows)
		return;
	if (t->n++)
		fputs("\r\n", t->f);
	fwrite(line, 1, len < t->cols ? len : t->cols, t->f);
	fputs("\033[K", t->f);
}

static void text_line(const char *line, void *ctx)
{
	fprintf(ctx, "%s\n", line);
}

/* Draws the table as it is now, in the mode's form. */
static int render(FILE *out, __u64 now_ns, __u64 elapsed_ns)
{
	static const struct rt_totals none;
	struct top_frame f = {
		.tick = top.ticks,
		.now_ns = now_ns,
		.elapsed_ns = elapsed_ns,
		.wall = time(NULL),
		.sums = top_table__sums(top.table),
		.totals = top.totals ?: &none,
	};
	struct term_lines tl = {};
	int err;

	err = top_table__snapshot(top.table, &f.rows, &f.nr_rows);
	if (err)
		return err;
	switch (top.mode) {
	case TOP_JSON:
		top_view_json(out, &f);
		break;
	case TOP_TEXT:
		top_view_lines(&f, text_line, out);
		fputc('\n', out);
		break;
	case TOP_TERM:
		/* Built whole, written at once: no half-drawn frame on the screen. */
		tl.f = open_memstream(&top.frame, &top.frame_len);
		if (!tl.f)
			return -ENOMEM;
		top_term_size(&tl.rows, &tl.cols);
		fputs("\033[H", tl.f);
		top_view_lines(&f, term_line, &tl);
		fputs("\033[J", tl.f);
		fclose(tl.f);
		fwrite(top.frame, 1, top.frame_len, out);
		free(top.frame);
		top.frame = NULL;
		break;
	}
	return 0;
}

static void top_header(FILE *out)
{
	top.last_ns = boottime_ns();
	top.next_ns = top.last_ns + top.interval_ns;
	if (top.mode == TOP_TERM) {
		fflush(out);
		top_term_enter();
		render(out, top.last_ns, 0);
		top_term_redraw_wanted(); /* drawn just now */
	}
}

static int top_tick(FILE *out, const struct rt_totals *totals)
{
	__u64 now = boottime_ns(), elapsed;
	int key, err;

	top.totals = totals;
	if (top.mode == TOP_TERM) {
		while ((key = top_term_key()) >= 0)
			if (key == 'q' || key == 'Q' || key == 3 /* Ctrl-C */)
				return 1;
		if (now < top.next_ns && top_term_redraw_wanted())
			return render(out, now, now - top.last_ns);
	}
	if (now < top.next_ns)
		return 0;
	elapsed = now - top.last_ns;
	top.last_ns = now;
	top.next_ns += top.interval_ns;
	if (top.next_ns <= now) /* late (a stop, a long burst): no catching up */
		top.next_ns = now + top.interval_ns;
	top.ticks++;
	top_table__advance(top.table, now, elapsed);
	err = render(out, now, elapsed);
	if (err)
		return err;
	return top.opt->count && top.ticks >= top.opt->count;
}

static void top_summary(FILE *out, const struct rt_totals *t)
{
	/* JSON: the tracer's own last record, the same keys. */
	if (top.mode == TOP_JSON)
		rt_json_sink.summary(out, t);
	/* Before trace.c's last line on stderr, which must stay on the screen. */
	if (top.mode == TOP_TERM) {
		fflush(out);
		top_term_restore();
	}
}

/* JSON: the tracer's own first record. */
static void top_features(FILE *out, const struct rt_features_report *r)
{
	if (top.mode == TOP_JSON)
		rt_json_sink.features(out, r);
}

static const struct rt_sink top_sink = {
	.header = top_header,
	.features = top_features,
	.reparent = top_reparent,
	.zombie = top_zombie,
	.reap = top_reap,
	.subreaper = top_subreaper,
	.leak = top_leak,
	.lost = top_lost,
	.summary = top_summary,
	.tick = top_tick,
	.unmatched = top_unmatched,
	.existing_zombies = true,
};

int run_top(const struct rt_options *opt)
{
	struct rt_options trace_opt = *opt;
	__u64 idle;
	int err;

	top.opt = opt;
	top.interval_ns = opt->interval_ns ?: 1000000000ULL;
	top.mode = opt->json ? TOP_JSON : isatty(STDOUT_FILENO) ? TOP_TERM : TOP_TEXT;
	idle = IDLE_INTERVALS * top.interval_ns;
	top.table = top_table__new(idle > IDLE_NS ? idle : IDLE_NS);
	if (!top.table) {
		fprintf(stderr, "reapertrace: out of memory\n");
		return -ENOMEM;
	}
	/* What the rows are made of; the namespace-init events are not counted. */
	trace_opt.events = (1U << RT_EV_REPARENT) | (1U << RT_EV_ZOMBIE) | (1U << RT_EV_REAP) |
			   (1U << RT_EV_SUBREAPER);
	if (top.mode == TOP_TERM) {
		err = top_term_init();
		if (err) {
			fprintf(stderr, "reapertrace: cannot use the terminal: %s\n",
				strerror(-err));
			goto cleanup;
		}
		rt_trace_on_abort(top_term_restore);
	}
	err = run_trace_with(&trace_opt, &top_sink);
cleanup:
	top_term_restore();
	top_table__free(top.table);
	top.table = NULL;
	return err;
}
