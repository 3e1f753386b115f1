// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pids.max pressure of zombies (pids.h). The pids controller is in the
 * cgroup2 mount where it is enabled there, else in its own cgroup v1
 * hierarchy (a hybrid layout, as on Debian 12 machines booted so). A
 * zombie's cgroup is its cgroup2 path (what the snapshot read from the
 * task); in a v1 hierarchy, the directory of the same path (runtimes make
 * a container's cgroup under one name in every hierarchy), else its
 * parent's there: a zombie's own /proc/PID/cgroup says "/" once it exited.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/cgroups.h"
#include "lib/pids.h"

struct pids_hierarchy {
	char mount[PATH_MAX]; /* "" when the controller is nowhere */
	bool v1;
};

/* Where the pids controller is: cgroup2 if it has it, else a v1 hierarchy with it. */
static const struct pids_hierarchy *hierarchy(void)
{
	static struct pids_hierarchy h;
	static bool looked;
	char line[1024], path[PATH_MAX];
	FILE *f;

	if (looked)
		return &h;
	looked = true;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", cgroups__mount());
	f = cgroups__mount()[0] ? fopen(path, "re") : NULL;
	if (f) {
		if (fgets(line, sizeof(line), f) && cgroups__list_has(line, "pids"))
			snprintf(h.mount, sizeof(h.mount), "%s", cgroups__mount());
		fclose(f);
		if (h.mount[0])
			return &h;
	}
	h.v1 = cgroups__find_mount("cgroup", "pids", h.mount, sizeof(h.mount));
	return &h;
}

/* <mount><dir>/<file> as a number; "max" is -1. false when unreadable. */
static bool read_value(const struct pids_hierarchy *h, const char *dir, const char *file,
		       long long *v)
{
	char path[PATH_MAX * 2], buf[32];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s%s/%s", h->mount, strcmp(dir, "/") ? dir : "", file);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	if (!strncmp(buf, "max", 3)) {
		*v = -1;
		return true;
	}
	return sscanf(buf, "%lld", v) == 1;
}

/* The nearest cgroup at or above @dir (changed in place) with a pids.max other than "max". */
static bool limiting(const struct pids_hierarchy *h, char *dir, long long *max)
{
	char *slash;

	for (;;) {
		if (read_value(h, dir, "pids.max", max) && *max >= 0)
			return true;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return false; /* the root sets no limit */
		*slash = 0;
	}
}

/* The zombie's directory in the pids hierarchy, into @dir. */
static bool zombie_dir(const struct pids_hierarchy *h, const char *path, pid_t parent, char *dir,
		       size_t size)
{
	char abs[PATH_MAX * 2];

	if (path && !h->v1) {
		snprintf(dir, size, "%s", path);
		return true;
	}
	snprintf(abs, sizeof(abs), "%s%s", h->mount, path && strcmp(path, "/") ? path : "");
	if (path && strcmp(path, "/") && !access(abs, F_OK)) {
		snprintf(dir, size, "%s", path);
		return true;
	}
	return cgroups__proc_cgroup(parent, h->v1 ? "pids" : NULL, dir, size);
}

/* The cgroup that limits a zombie in @path (see pids_pressure_add()) into @dir, and its pids.max. */
static bool limit_of(const char *path, pid_t parent, char *dir, size_t size, long long *max)
{
	const struct pids_hierarchy *h = hierarchy();

	return h->mount[0] && zombie_dir(h, path, parent, dir, size) && limiting(h, dir, max);
}

/* @l for limiting cgroup @dir: its pids.current read now, its container; no zombie yet. */
static void fill(struct pids_limit *l, const char *dir, long long max)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->cgroup, sizeof(l->cgroup), "%s", dir);
	l->max = max;
	if (!read_value(hierarchy(), dir, "pids.current", &l->current))
		l->current = -1;
	l->in_container = container_from_cgroup(dir, &l->container);
}

bool pids_limit_find(const char *path, pid_t parent, struct pids_limit *l)
{
	char dir[PATH_MAX];
	long long max;

	if (!limit_of(path, parent, dir, sizeof(dir), &max))
		return false;
	fill(l, dir, max);
	return true;
}

int pids_pressure_add(struct pids_pressure *p, const char *path, pid_t parent, size_t zombies)
{
	char dir[PATH_MAX];
	long long max;
	size_t i;

	if (!limit_of(path, parent, dir, sizeof(dir), &max))
		return 0;
	for (i = 0; i < p->nr && strcmp(p->limits[i].cgroup, dir); i++)
		;
	if (i == p->nr) {
		if (array_reserve((void **)&p->limits, &p->cap, sizeof(*p->limits), p->nr + 1))
			return -ENOMEM;
		fill(&p->limits[p->nr++], dir, max);
	}
	p->limits[i].zombies += zombies;
	return 0;
}

void pids_pressure_free(struct pids_pressure *p)
{
	free(p->limits);
	memset(p, 0, sizeof(*p));
}

bool pids_limit_pressed(const struct pids_limit *l)
{
	return l->max > 0 && l->zombies * 2 >= (size_t)l->max;
}

bool pids_limit_full(const struct pids_limit *l)
{
	return l->max >= 0 && l->current >= l->max;
}

const char *pids_limit_name(const struct pids_limit *l, char *buf, size_t size)
{
	if (l->in_container)
		snprintf(buf, size, "container %.12s", l->container.id);
	else
		snprintf(buf, size, "cgroup %s", l->cgroup);
	return buf;
}

void pids_limit_warn(const struct pids_limit *l)
{
	char name[PATH_MAX + 16];

	if (!pids_limit_pressed(l))
		return;
	fprintf(stderr, "reapertrace: zombies hold %zu of %lld pids of %s: %s\n", l->zombies,
		l->max, pids_limit_name(l, name, sizeof(name)),
		pids_limit_full(l) ? "fork fails with EAGAIN there now" :
				     "fork will fail with EAGAIN");
}
