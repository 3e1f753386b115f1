/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cgroup v2 ids, as the events carry them, resolved to their paths and
 * containers once and remembered.
 *
 * A cgroup v2 id is its directory's inode number in the cgroup2 mount and
 * also its kernfs file handle: open_by_handle_at() on the mount opens the
 * directory in one call, and /proc/self/fd names its path. Where that is
 * refused (no CAP_DAC_READ_SEARCH, a kernel without kernfs handles), the
 * mount is walked instead, at most once a second for the ids not found. A
 * cgroup that is gone when asked stays unknown: ids are not reused while
 * the machine runs.
 *
 * Until cgroups__use_system(), nothing is resolved but what cgroups__set()
 * was told: a recording's replay, the unit tests.
 */
#ifndef REAPERTRACE_CGROUPS_H
#define REAPERTRACE_CGROUPS_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "lib/container.h"

struct cgroup_info {
	__u64 id;
	char *path; /* relative to the cgroup2 mount ("/" its root); NULL: not known */
	bool in_container;
	struct container container; /* if in_container */
};

struct cgroups;

struct cgroups *cgroups__new(void);
/* From now on, look unknown ids up in the system's cgroup2 mount. */
void cgroups__use_system(struct cgroups *cg);
void cgroups__free(struct cgroups *cg);

/* Called with what was resolved from the system: a recording keeps it. */
typedef void (*cgroups_resolved_fn)(const struct cgroup_info *info, void *ctx);
void cgroups__on_resolved(struct cgroups *cg, cgroups_resolved_fn fn, void *ctx);

/* What is known of @id (0 gives NULL). Stays valid until cgroups__trim(). */
const struct cgroup_info *cgroups__get(struct cgroups *cg, __u64 id);

/* @id is at @path (NULL: not found), as a recording says. 0 or -errno. */
int cgroups__set(struct cgroups *cg, __u64 id, const char *path);

/*
 * Whether to look for the name of @id's container on this record: on its
 * first, then only once the names source has given new answers (@answers,
 * a count that only grows), so that a container with no name yet costs
 * its records a compare, not a question each.
 */
bool cgroups__name_due(struct cgroups *cg, __u64 id, unsigned int answers);

/* The name of the container @id's cgroup is in (a recording's, or Docker's answer). */
void cgroups__set_name(struct cgroups *cg, __u64 id, const char *name);

/* Forgets everything if more than a bound is held: the caller holds no info now. */
void cgroups__trim(struct cgroups *cg);

/* The first cgroup2 mount point in /proc/self/mountinfo, "" when none. */
const char *cgroups__mount(void);

/*
 * The first mount point of file system type @fstype whose super options
 * list @option (NULL: any), from /proc/self/mountinfo, into @buf.
 */
bool cgroups__find_mount(const char *fstype, const char *option, char *buf, size_t size);

/*
 * Live @pid's cgroup path from /proc/PID/cgroup into @out: the v1
 * hierarchy's with @controller, or cgroup2's for NULL. false when none.
 */
bool cgroups__proc_cgroup(pid_t pid, const char *controller, char *out, size_t size);

/*
 * Whether @list has @word: a comma-separated controller or mount option
 * list, or cgroup.controllers' space-separated one.
 */
bool cgroups__list_has(const char *list, const char *word);

/*
 * The containers whose cgroups exist now and whose id starts with
 * @prefix: how many (their first @max ids in @ids), or -errno.
 */
int cgroups__find_containers(const char *prefix, char (*ids)[CONTAINER_ID_LEN + 1], int max);

/*
 * The container of live process @pid (as /proc names it), from the
 * cgroup2 line of /proc/PID/cgroup; false when in none or gone. (A
 * zombie's line says "/": look its cgroup id up instead.)
 */
bool cgroups__container_of_pid(pid_t pid, struct container *c);

/* true if @path is @dir or below it (both relative to the mount). */
bool cgroup_path_within(const char *path, const char *dir);

#endif /* REAPERTRACE_CGROUPS_H */
