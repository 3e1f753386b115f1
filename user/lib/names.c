// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names of the values events carry. */
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#include "events.h"
#include "lib/names.h"

const char *rt_event_name(__u32 type)
{
	static const char *const names[RT_EV_MAX] = {
		[RT_EV_REPARENT] = "reparent",
		[RT_EV_ZOMBIE] = "zombie",
		[RT_EV_REAP] = "reap",
		[RT_EV_SUBREAPER] = "subreaper",
		[RT_EV_INIT_SIGNAL_DROPPED] = "init_signal_dropped",
		[RT_EV_NS_TEARDOWN] = "ns_teardown",
		[RT_EV_REAPER_HANDOFF] = "reaper_handoff",
	};

	return type < RT_EV_MAX ? names[type] : NULL;
}

const char *rt_kind_name(__u32 kind)
{
	static const char *const names[] = {
		[RT_KIND_UNKNOWN] = "unknown",	   [RT_KIND_THREAD] = "thread",
		[RT_KIND_SUBREAPER] = "subreaper", [RT_KIND_NS_INIT] = "ns_init",
		[RT_KIND_INIT] = "init",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *rt_how_name(__u32 how)
{
	switch (how) {
	case RT_REAP_WAIT4:
		return "wait4";
	case RT_REAP_WAITID:
		return "waitid";
	default:
		return "auto";
	}
}

const char *rt_signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}
