/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The names of the values records carry, as -e takes them and the outputs print them. */
#ifndef REAPERTRACE_NAMES_H
#define REAPERTRACE_NAMES_H

#include <stddef.h>
#include <linux/types.h>

/* The -e / JSON "event" name of a type, NULL if none. */
const char *rt_event_name(__u32 type);
/* enum rt_reaper_kind: "thread", "subreaper", ... */
const char *rt_kind_name(__u32 kind);
/* enum rt_reap_how: "wait4", "waitid", "auto", ... */
const char *rt_how_name(__u32 how);
/* "SIGTERM", or "SIG42" for a number with no name. */
const char *rt_signal_name(int sig, char *buf, size_t size);

#endif /* REAPERTRACE_NAMES_H */
