// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup v2 ids to paths and containers, resolved once (cgroups.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroups.h"
#include "lib/task_table.h"

#define FILEID_KERNFS 0xfe /* include/linux/exportfs.h */
#define MAX_HELD      16384
#define WALK_EVERY_NS 1000000000ULL

/* What the table holds: the info, and what on_resolved was told of it. */
struct entry {
	struct cgroup_info info;
	bool told;		 /* of it at all */
	bool told_path;		 /* of its path */
	unsigned int names_seen; /* cgroups__name_due()'s @answers when it last said yes, + 1 */
};

struct cgroups {
	struct task_table *ids; /* cgroup id -> struct entry * */
	bool resolve;
	cgroups_resolved_fn on_resolved;
	void *ctx;
	int mount_fd;	 /* -1: not opened yet or none */
	bool no_handles; /* open_by_handle_at() refused: walk the mount */
	__u64 last_walk_ns;
	char mount[4096];
};

/*
 * task_table's keys are (pid, start): a cgroup is keyed as start = its id
 * and pid 1 (pid 0 marks a free slot).
 */
static struct task_key key_of(__u64 id)
{
	return (struct task_key){ .start_ns = id, .pid = 1 };
}

bool cgroups__list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == ',' || p[n] == 0 || p[n] == ' ' || p[n] == '\n' || p[n] == ':'))
			return true;
		p += n;
	}
	return false;
}

bool cgroups__find_mount(const char *fstype, const char *option, char *buf, size_t size)
{
	char line[8192], path[4096], type[32], opts[1024], *sep;
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%31s %*s %1023s", type, opts) != 2 ||
		    strcmp(type, fstype) || (option && !cgroups__list_has(opts, option)))
			continue;
		/* A mount point with an escaped blank (\040) is not used. */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", path) == 1 && !strchr(path, '\\')) {
			snprintf(buf, size, "%s", path);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

const char *cgroups__mount(void)
{
	static char mnt[4096];
	static bool looked;

	if (!looked && !cgroups__find_mount("cgroup2", NULL, mnt, sizeof(mnt)))
		mnt[0] = 0;
	looked = true;
	return mnt;
}

struct cgroups *cgroups__new(void)
{
	struct cgroups *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->ids = task_table__new(sizeof(struct entry *), 4 * MAX_HELD);
	if (!cg->ids) {
		free(cg);
		return NULL;
	}
	cg->mount_fd = -1;
	return cg;
}

void cgroups__use_system(struct cgroups *cg)
{
	cg->resolve = true;
}

static void forget_all(struct cgroups *cg)
{
	struct entry **v;
	struct task_key key;
	size_t pos = 0;

	while ((v = task_table__next(cg->ids, &pos, &key))) {
		free((*v)->info.path);
		free(*v);
	}
	task_table__clear(cg->ids);
}

void cgroups__free(struct cgroups *cg)
{
	if (!cg)
		return;
	forget_all(cg);
	task_table__free(cg->ids);
	if (cg->mount_fd >= 0)
		close(cg->mount_fd);
	free(cg);
}

void cgroups__trim(struct cgroups *cg)
{
	if (task_table__count(cg->ids) > MAX_HELD)
		forget_all(cg);
}

/* The entry of @id if there is one. */
static struct entry *find(const struct cgroups *cg, __u64 id)
{
	struct task_key key = key_of(id);
	struct entry **v = task_table__lookup(cg->ids, &key);

	return v ? *v : NULL;
}

/* The entry of @id, a new empty one (*@created) if none, NULL if no room. */
static struct entry *entry(struct cgroups *cg, __u64 id, bool *created)
{
	struct task_key key = key_of(id);
	struct entry **v, *e;

	*created = false;
	e = find(cg, id);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	v = task_table__insert(cg->ids, &key, created);
	if (!v) {
		free(e);
		return NULL;
	}
	e->info.id = id;
	*v = e;
	return e;
}

static int set_path(struct cgroup_info *info, const char *path)
{
	char *copy = path ? strdup(path) : NULL;

	if (path && !copy)
		return -ENOMEM;
	free(info->path);
	info->path = copy;
	info->in_container = copy && container_from_cgroup(copy, &info->container);
	return 0;
}

int cgroups__set(struct cgroups *cg, __u64 id, const char *path)
{
	struct entry *e;
	bool created;

	if (!id)
		return -EINVAL;
	e = entry(cg, id, &created);
	if (!e)
		return -ENOMEM;
	e->told = e->told_path = true; /* it came from a recording */
	return set_path(&e->info, path);
}

bool cgroups__name_due(struct cgroups *cg, __u64 id, unsigned int answers)
{
	struct entry *e = find(cg, id);

	if (!e || e->names_seen == answers + 1)
		return false;
	e->names_seen = answers + 1;
	return true;
}

void cgroups__set_name(struct cgroups *cg, __u64 id, const char *name)
{
	struct entry *e = find(cg, id);

	if (e && e->info.in_container)
		snprintf(e->info.container.name, sizeof(e->info.container.name), "%s", name);
}

/* @abs (a path in this mount namespace) relative to the mount, into @out. */
static int relative(const struct cgroups *cg, const char *abs, char *out, size_t size)
{
	size_t n = strcmp(cg->mount, "/") ? strlen(cg->mount) : 0;

	if (strncmp(abs, cg->mount, n) || (abs[n] && abs[n] != '/'))
		return -ENOENT;
	snprintf(out, size, "%s", abs[n] ? abs + n : "/");
	return 0;
}

/* open_by_handle_at(): 0 and the path, -ESTALE when gone, other -errno when refused. */
static int by_handle(struct cgroups *cg, __u64 id, char *out, size_t size)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh = { .handle_bytes = sizeof(__u64), .handle_type = FILEID_KERNFS } };
	char link[64], abs[4096];
	ssize_t n;
	int fd, err;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(cg->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	abs[n] = 0;
	return relative(cg, abs, out, size);
}

/* ---- the walk, where handles are refused: nftw() has no argument for us ---- */

static struct cgroups *walking;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char rel[4096];
	struct entry *e;
	bool created;

	if (type != FTW_D || relative(walking, path, rel, sizeof(rel)))
		return 0;
	if (task_table__count(walking->ids) >= 2 * MAX_HELD)
		return 1;
	e = entry(walking, st->st_ino, &created);
	if (e && !e->info.path)
		set_path(&e->info, rel);
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void walk(struct cgroups *cg)
{
	__u64 now = now_ns();

	if (cg->last_walk_ns && now - cg->last_walk_ns < WALK_EVERY_NS)
		return;
	cg->last_walk_ns = now;
	walking = cg;
	nftw(cg->mount, visit, 16, FTW_PHYS | FTW_MOUNT);
	walking = NULL;
}

static void resolve(struct cgroups *cg, struct cgroup_info *info)
{
	char rel[4096];
	int err;

	if (cg->mount_fd < 0) {
		snprintf(cg->mount, sizeof(cg->mount), "%s", cgroups__mount());
		if (!cg->mount[0])
			return;
		cg->mount_fd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->mount_fd < 0)
			return;
	}
	if (!cg->no_handles) {
		err = by_handle(cg, info->id, rel, sizeof(rel));
		if (!err)
			set_path(info, rel);
		if (err != -EPERM && err != -EOPNOTSUPP && err != -EINVAL && err != -ENOSYS)
			return;
		cg->no_handles = true;
	}
	walk(cg);
}

void cgroups__on_resolved(struct cgroups *cg, cgroups_resolved_fn fn, void *ctx)
{
	cg->on_resolved = fn;
	cg->ctx = ctx;
}

const struct cgroup_info *cgroups__get(struct cgroups *cg, __u64 id)
{
	struct entry *e;
	bool created;

	if (!id)
		return NULL;
	e = entry(cg, id, &created);
	if (!e)
		return NULL;
	/* Walking, an id missed once may be a cgroup made since. */
	if (cg->resolve && (created || (cg->no_handles && !e->info.path)))
		resolve(cg, &e->info);
	/* Told that it was not found, and again once it is. */
	if (cg->on_resolved && (!e->told || (!e->told_path && e->info.path))) {
		e->told = true;
		e->told_path = e->info.path;
		cg->on_resolved(&e->info, cg->ctx);
	}
	return &e->info;
}

bool cgroup_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

/* ---- the containers running now, for --container ---- */

static struct {
	const char *prefix;
	char (*ids)[CONTAINER_ID_LEN + 1];
	int max, nr;
} finding;

static int visit_container(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *mnt = cgroups__mount();
	struct container c;
	int i;

	if (type != FTW_D || !container_from_cgroup(path + strlen(mnt), &c) ||
	    !container_id_matches(c.id, finding.prefix))
		return 0;
	for (i = 0; i < finding.nr; i++)
		if (!strcmp(finding.ids[i], c.id))
			return 0;
	if (finding.nr < finding.max)
		memcpy(finding.ids[finding.nr], c.id, sizeof(c.id));
	finding.nr++;
	return 0;
}

int cgroups__find_containers(const char *prefix, char (*ids)[CONTAINER_ID_LEN + 1], int max)
{
	const char *mnt = cgroups__mount();

	if (!mnt[0])
		return -ENOENT;
	finding.prefix = prefix;
	finding.ids = ids;
	finding.max = max;
	finding.nr = 0;
	if (nftw(mnt, visit_container, 16, FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	return finding.nr;
}

bool cgroups__proc_cgroup(pid_t pid, const char *controller, char *out, size_t size)
{
	char path[48], line[4096 + 64], *ctrl, *rel;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		/* ID:CONTROLLERS:PATH; cgroup2's is 0::PATH */
		ctrl = strchr(line, ':');
		rel = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!rel)
			continue;
		*ctrl++ = 0; /* line: the ID */
		*rel++ = 0;  /* ctrl: the controllers */
		if (controller ? !cgroups__list_has(ctrl, controller) : strcmp(line, "0") || *ctrl)
			continue;
		rel[strcspn(rel, "\n")] = 0;
		snprintf(out, size, "%s", rel);
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

bool cgroups__container_of_pid(pid_t pid, struct container *c)
{
	char path[4096];

	return cgroups__proc_cgroup(pid, NULL, path, sizeof(path)) &&
	       container_from_cgroup(path, c);
}
