/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* reapertrace top: one interval's table as text lines, or as JSON records. */
#ifndef REAPERTRACE_TOP_VIEW_H
#define REAPERTRACE_TOP_VIEW_H

#include <stdio.h>
#include <time.h>
#include "trace/report.h"
#include "top/reapers.h"

struct top_frame {
	unsigned long tick; /* 1 for the first interval */
	__u64 now_ns;	    /* CLOCK_BOOTTIME */
	__u64 elapsed_ns;   /* the interval the rates are over */
	time_t wall;	    /* for the text time stamp */
	const struct top_sums *sums;
	const struct rt_totals *totals;
	const struct top_reaper *const *rows;
	size_t nr_rows;
};

/* Called once per line, without its newline. */
typedef void (*top_line_fn)(const char *line, void *ctx);

/* The summary line, the column header, then one line per reaper. */
void top_view_lines(const struct top_frame *f, top_line_fn fn, void *ctx);

/* A "tick" record, then one "reaper" record per row: JSON Lines. */
void top_view_json(FILE *out, const struct top_frame *f);

#endif /* REAPERTRACE_TOP_VIEW_H */
