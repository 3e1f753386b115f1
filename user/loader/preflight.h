/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the tracer needs from the system, checked before loading anything so
 * that a missing piece gets a message naming it and the fix.
 */
#ifndef REAPERTRACE_PREFLIGHT_H
#define REAPERTRACE_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

/* Privileges, BTF and BPF features. 0, or -errno after printing why. */
int rt_preflight(void);

/*
 * Mount tracefs at /sys/kernel/tracing if no tracefs is reachable (classic
 * syscall tracepoints are attached through it). 0 or -errno.
 */
int rt_ensure_tracefs(bool verbose);

/*
 * After a load failed with EPERM: if this kernel charges BPF memory to
 * RLIMIT_MEMLOCK (before 5.11; since, to the memory cgroup) and the limit
 * is still finite, the cause and its fix, for the error line, in @buf
 * (true); else false. libbpf raises the limit itself where it may, which
 * takes CAP_SYS_RESOURCE.
 */
bool rt_memlock_fix(char *buf, size_t size);

#endif /* REAPERTRACE_PREFLIGHT_H */
