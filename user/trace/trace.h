/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_TRACE_H
#define REAPERTRACE_TRACE_H

#include "trace/options.h"
#include "sinks/sink.h"

/* Stream events until stopped. 0, or -errno after printing why. */
int run_trace(const struct rt_options *opt);
/*
 * The same into another sink (reapertrace top). With REAPERTRACE_REPLAY set,
 * the recording it names goes through the pipeline instead of the kernel.
 */
int run_trace_with(const struct rt_options *opt, const struct rt_sink *sink);
/*
 * @fn runs (it must be async-signal-safe) when a second SIGINT or SIGTERM
 * ends reapertrace at once, before it dies of that signal.
 */
void rt_trace_on_abort(void (*fn)(void));

#endif /* REAPERTRACE_TRACE_H */
