/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the tracer needs from the system, checked before loading anything so
 * that a missing piece gets a message naming it and the fix.
 */
#ifndef REAPERTRACE_PREFLIGHT_H
#define REAPERTRACE_PREFLIGHT_H

#include <stdbool.h>

/* Privileges, BTF and BPF features. 0, or -errno after printing why. */
int rt_preflight(void);

/*
 * Mount tracefs at /sys/kernel/tracing if no tracefs is reachable (classic
 * syscall tracepoints are attached through it). 0 or -errno.
 */
int rt_ensure_tracefs(bool verbose);

#endif /* REAPERTRACE_PREFLIGHT_H */
