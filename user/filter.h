/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef REAPERTRACE_FILTER_H
#define REAPERTRACE_FILTER_H

#include <stdbool.h>
#include "options.h"
#include "report.h"

/* -p, --pidns, -c: whether an event is shown. */
bool rt_show_reparent(const struct rt_options *opt, const struct rt_reparent_report *r);
bool rt_show_zombie(const struct rt_options *opt, const struct rt_zombie_event *e);
bool rt_show_reap(const struct rt_options *opt, const struct rt_reap_event *e);
bool rt_show_subreaper(const struct rt_options *opt, const struct rt_subreaper_event *e);
bool rt_show_leak(const struct rt_options *opt, const struct rt_leak_report *r);
bool rt_show_init_signal(const struct rt_options *opt, const struct rt_init_signal_event *e);
bool rt_show_ns_teardown(const struct rt_options *opt, const struct rt_ns_teardown_event *e);
bool rt_show_reaper_handoff(const struct rt_options *opt, const struct rt_reaper_handoff_event *e);

#endif /* REAPERTRACE_FILTER_H */
