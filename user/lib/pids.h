/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pids.max pressure: a zombie keeps its pid, and the pids controller
 * counts it in pids.current until it is reaped. For each zombie, the
 * cgroup whose pids.max limits it (the nearest one, itself or above, that
 * sets one), and how many of that cgroup's pids are zombies: when they
 * fill it, fork() inside fails with EAGAIN, which programs often report
 * as a memory error.
 */
#ifndef REAPERTRACE_LIB_PIDS_H
#define REAPERTRACE_LIB_PIDS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/container.h"

/* A cgroup that sets a pids.max, as read, and the zombies counted below it. */
struct pids_limit {
	char cgroup[PATH_MAX]; /* in the hierarchy that has the pids controller (v2, else v1) */
	long long current;     /* pids.current when read, -1 when unreadable */
	long long max;	       /* pids.max */
	size_t zombies;	       /* of the zombies counted, those below it */
	bool in_container;
	struct container container; /* the cgroup's, if in_container */
};

struct pids_pressure {
	struct pids_limit *limits;
	size_t nr, cap;
};

/*
 * The cgroup that limits a zombie in cgroup2 directory @path whose parent
 * is @parent (as pids_pressure_add() finds it), read now into @l, no
 * zombie counted; false when none sets a pids.max.
 */
bool pids_limit_find(const char *path, pid_t parent, struct pids_limit *l);

/*
 * @zombies zombies in cgroup2 directory @path (NULL: not known) whose
 * parent is @parent (as /proc names it): counted against its limit, if
 * any. 0 or -ENOMEM.
 */
int pids_pressure_add(struct pids_pressure *p, const char *path, pid_t parent, size_t zombies);
void pids_pressure_free(struct pids_pressure *p);

/* Zombies hold at least half of the limit: said as a warning. */
bool pids_limit_pressed(const struct pids_limit *l);
/* fork() fails there now: pids.current has reached pids.max. */
bool pids_limit_full(const struct pids_limit *l);

/* "container 3f2a9c0d1e4b" or "cgroup /x/y": what the lines about @l name. */
const char *pids_limit_name(const struct pids_limit *l, char *buf, size_t size);
/* On stderr, when zombies hold half of @l or more: "zombies hold N of M pids of ...". */
void pids_limit_warn(const struct pids_limit *l);

#endif /* REAPERTRACE_LIB_PIDS_H */
