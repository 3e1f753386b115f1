/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_TRACE_H
#define REAPERTRACE_TRACE_H

#include "options.h"

/* Stream events until stopped. 0, or -errno after printing why. */
int run_trace(const struct rt_options *opt);

#endif /* REAPERTRACE_TRACE_H */
