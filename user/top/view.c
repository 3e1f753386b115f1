// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The text of reapertrace top (the same lines on a terminal and in plain
 * blocks) and its JSON records, keys as documented in docs/FORMAT.md.
 */
#include <stdio.h>
#include <string.h>

#include "lib/comm.h"
#include "lib/json.h"
#include "top/view.h"

#define LINE_MAX_LEN 176

static const char column_header[] = "PID     COMM             PIDNS       ZOMBIES   OLDEST  ADOPT/S"
				    "   REAP/S  ADOPTED   REAPED  CONTAINER";

/* How long ago @since_ns was: "2.3s", "12m05s", "3h07m"; "-" for none. */
static void format_age(char *buf, size_t len, __u64 now_ns, __u64 since_ns)
{
	__u64 age = since_ns && now_ns > since_ns ? now_ns - since_ns : 0;
	unsigned long long s = age / 1000000000ULL;

	if (!since_ns)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%.1fs", age / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
}

void top_view_lines(const struct top_frame *f, top_line_fn fn, void *ctx)
{
	const struct top_sums *s = f->sums;
	char line[LINE_MAX_LEN], age[16], comm[RT_COMM_LEN], ns[16], clock[16];
	struct tm tm;
	size_t i;
	int n;

	localtime_r(&f->wall, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line),
		     "%s reapers %zu, zombies %llu, adopted %llu (%.1f/s), reaped %llu (%.1f/s), "
		     "lost %llu",
		     clock, f->nr_rows, (unsigned long long)s->zombies,
		     (unsigned long long)s->adoptions, s->adoptions_rate,
		     (unsigned long long)s->reaps, s->reaps_rate,
		     (unsigned long long)f->totals->lost);
	if (s->untracked && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ", untracked %llu",
			 (unsigned long long)s->untracked);
	fn(line, ctx);
	fn(column_header, ctx);
	for (i = 0; i < f->nr_rows; i++) {
		const struct top_reaper *r = f->rows[i];

		format_age(age, sizeof(age), f->now_ns, r->oldest_ns);
		comm_printable(r->comm, RT_COMM_LEN - 1, comm, sizeof(comm), COMM_KEEP_SPACES);
		if (r->pidns)
			snprintf(ns, sizeof(ns), "%u", r->pidns);
		else
			snprintf(ns, sizeof(ns), "-");
		snprintf(line, sizeof(line),
			 "%-7u %-16s %-11s %7u %8s %8.1f %8.1f %8llu %8llu  %.*s", r->pid, comm, ns,
			 r->zombies, age, r->adoptions_rate, r->reaps_rate,
			 (unsigned long long)r->adoptions, (unsigned long long)r->reaps,
			 CONTAINER_SHORT, r->in_container ? r->container.id : "-");
		fn(line, ctx);
	}
}

void top_view_json(FILE *out, const struct top_frame *f)
{
	const struct top_sums *s = f->sums;
	size_t i;

	/* Integers only: counts over interval_ns, a reader divides for rates. */
	fprintf(out,
		"{\"event\":\"tick\",\"tick\":%lu,\"ts_ns\":%llu,\"interval_ns\":%llu,"
		"\"reapers\":%zu,\"zombies\":%llu,\"adoptions\":%llu,\"reaps\":%llu,"
		"\"adoptions_total\":%llu,\"reaps_total\":%llu,\"zombies_total\":%llu,"
		"\"lost\":%llu,\"untracked\":%llu,\"reapers_evicted\":%llu}\n",
		f->tick, (unsigned long long)f->now_ns, (unsigned long long)f->elapsed_ns,
		f->nr_rows, (unsigned long long)s->zombies, (unsigned long long)s->adoptions_last,
		(unsigned long long)s->reaps_last, (unsigned long long)s->adoptions,
		(unsigned long long)s->reaps, (unsigned long long)s->zombies_seen,
		(unsigned long long)f->totals->lost, (unsigned long long)s->untracked,
		(unsigned long long)s->reapers_evicted);
	for (i = 0; i < f->nr_rows; i++) {
		const struct top_reaper *r = f->rows[i];

		fprintf(out,
			"{\"event\":\"reaper\",\"tick\":%lu,\"ts_ns\":%llu,\"pid\":%u,\"comm\":",
			f->tick, (unsigned long long)f->now_ns, r->pid);
		json_string(out, r->comm, sizeof(r->comm));
		if (r->pidns)
			fprintf(out, ",\"pidns\":%u", r->pidns);
		else
			fputs(",\"pidns\":null", out);
		fprintf(out, ",\"zombies\":%u", r->zombies);
		if (r->oldest_ns)
			fprintf(out, ",\"oldest_zombie_ns\":%llu",
				(unsigned long long)(f->now_ns > r->oldest_ns ?
							     f->now_ns - r->oldest_ns :
							     0));
		else
			fputs(",\"oldest_zombie_ns\":null", out);
		fprintf(out,
			",\"adoptions\":%llu,\"reaps\":%llu,\"adoptions_total\":%llu,"
			"\"reaps_total\":%llu,\"zombies_total\":%llu",
			(unsigned long long)r->adoptions_last, (unsigned long long)r->reaps_last,
			(unsigned long long)r->adoptions, (unsigned long long)r->reaps,
			(unsigned long long)r->zombies_seen);
		json_container(out, r->in_container ? &r->container : NULL);
		fputs("}\n", out);
	}
}
