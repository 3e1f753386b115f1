/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_TOP_H
#define REAPERTRACE_TOP_H

#include "trace/options.h"

/* `reapertrace top --help` */
extern const char rt_top_usage[];

/* The live per-reaper view until stopped. 0, or -errno after printing why. */
int run_top(const struct rt_options *opt);

#endif /* REAPERTRACE_TOP_H */
