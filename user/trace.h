/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_TRACE_H
#define REAPERTRACE_TRACE_H

#include "options.h"
#include "report.h"

/* Stream events until stopped. 0, or -errno after printing why. */
int run_trace(const struct rt_options *opt);
/* The same with another printer (reapertrace top). */
int run_trace_with(const struct rt_options *opt, const struct rt_printer *print);
/*
 * @fn runs (it must be async-signal-safe) when a second SIGINT or SIGTERM
 * ends reapertrace at once, before it dies of that signal.
 */
void rt_trace_on_abort(void (*fn)(void));

#endif /* REAPERTRACE_TRACE_H */
