// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container identity through the kernel: real cgroup v2 directories,
 * made here under the names containerd, CRI-O, podman, Docker's systemd
 * driver and the kubelet give them, each holding one process that exits
 * and is reaped. The tracer must name each process's container as the
 * directory says (found by its cgroup id's file handle), -c must take a
 * directory's descendants, and --container a prefix. (Docker's own
 * layout runs for real in test_containers.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

#define UID  "7c1d3c5e-8a2b-4f6e-9d0c-1b2a3c4d5e6f"
#define UID_ "7c1d3c5e_8a2b_4f6e_9d0c_1b2a3c4d5e6f"
#define HEX(c)                                                                                    \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
		c c c c c c c c c c c c c c c c c c c

struct layout {
	const char *rel;     /* below the test's directory */
	const char *id;	     /* NULL: no container */
	const char *runtime; /* NULL: the layout does not say */
	const char *pod_uid; /* NULL: none */
};

static const struct layout layouts[] = {
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" HEX("a") ".scope",
	  HEX("a"), "containerd", UID },
	{ "kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" HEX("b"), HEX("b"), "containerd",
	  UID },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice/crio-" HEX("c") ".scope", HEX("c"), "cri-o",
	  UID },
	{ "machine.slice/libpod-" HEX("d") ".scope", HEX("d"), "podman", NULL },
	{ "system.slice/docker-" HEX("e") ".scope", HEX("e"), "docker", NULL },
	{ "kubepods/burstable/pod" UID "/" HEX("f"), HEX("f"), NULL, UID },
	{ "machine.slice/libpod-conmon-" HEX("d") ".scope", NULL, NULL, NULL },
	{ "system.slice/cron.service", NULL, NULL, NULL },
};

#define NR_LAYOUTS (int)(sizeof(layouts) / sizeof(layouts[0]))

/* The process that lived in each, negated once reaped (its records still name it). */
static pid_t pids[NR_LAYOUTS];

static char base[512];	       /* <cgroup2>/rt-identity-<pid> */
static int go[2] = { -1, -1 }; /* the processes exit when the write end closes */

/* mkdir -p of @rel below base. */
static bool make_dirs(const char *rel)
{
	char path[1024], *p;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			return false;
		*p = '/';
	}
	return !mkdir(path, 0755) || errno == EEXIST;
}

/* rmdir of @rel and its parents up to base (the leaf first). */
static void remove_dirs(const char *rel)
{
	char path[1024], *slash;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	while (strlen(path) > strlen(base)) {
		rmdir(path);
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = 0;
	}
}

/* A child that moves itself into @rel's cgroup, says so, waits for go[], and exits 7. */
static pid_t spawn_in(const char *rel)
{
	char procs[1024];
	int ready[2];
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		close(go[1]);
		snprintf(procs, sizeof(procs), "%s/%s/cgroup.procs", base, rel);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(99);
		close(fd);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(98);
		_exit(7);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

/* Makes the directories and one process in each, held on go[]. */
static bool populate(void)
{
	int i;

	/* close-on-exec: the tracer, started after, must not hold it open */
	if (pipe2(go, O_CLOEXEC))
		return ASSERT_TRUE(false, "pipe");
	snprintf(base, sizeof(base), "%s/rt-identity-%d", cgroup2_mount(), getpid());
	if (mkdir(base, 0755)) {
		test_skip("cannot make a cgroup %s: %s", base, strerror(errno));
		return false;
	}
	for (i = 0; i < NR_LAYOUTS; i++) {
		if (!ASSERT_TRUE(make_dirs(layouts[i].rel), layouts[i].rel))
			return false;
		pids[i] = spawn_in(layouts[i].rel);
		if (!ASSERT_GT(pids[i], 0, layouts[i].rel))
			return false;
	}
	return true;
}

/*
 * Lets them exit and reaps them. The directories stay until
 * remove_tree(): a cgroup removed before the tracer read its first record
 * cannot be looked up (reapertrace(8), BUGS).
 */
static void depopulate(void)
{
	int i, status;

	if (go[0] < 0)
		return;
	close(go[0]);
	close(go[1]);
	go[0] = go[1] = -1;
	for (i = 0; i < NR_LAYOUTS; i++) {
		if (pids[i] > 0) {
			waitpid(pids[i], &status, 0);
			ASSERT_EQ(WEXITSTATUS(status), 7,
				  "the process lived and exited in its cgroup");
			pids[i] = -pids[i];
		}
	}
}

static void remove_tree(void)
{
	int i;

	if (!base[0])
		return;
	for (i = 0; i < NR_LAYOUTS; i++)
		remove_dirs(layouts[i].rel);
	if (rmdir(base) && errno != ENOENT)
		ASSERT_TRUE(false, "the test's cgroups removed");
	base[0] = 0;
}

/* The tracer with @opts around the processes' lives; false when it could not run. */
static bool traced(const char *const *opts, struct tracer *tr)
{
	bool ok = false;

	if (!*cgroup2_mount()) {
		test_skip("no cgroup v2 mount");
		return false;
	}
	if (tracer_start(tr, opts) && populate())
		ok = true;
	depopulate();
	ok = ok && tracer_stop(tr, NULL, NULL);
	remove_tree();
	return ok;
}

static pid_t pid_of(int i)
{
	return pids[i] < 0 ? -pids[i] : pids[i];
}

TEST(identity_every_layout)
{
	static const char *const opts[] = { "--json", NULL };
	struct tracer tr = {};
	int i;

	if (!traced(opts, &tr))
		goto out;
	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct layout *l = &layouts[i];
		const char *events[] = { "zombie", "reap" };
		int e;

		for (e = 0; e < 2; e++) {
			const struct json_obj *o = jsonl_find(&tr.doc, events[e], pid_of(i), 0);

			if (!ASSERT_TRUE(o, l->rel))
				continue;
			if (!l->id) {
				if (!ASSERT_TRUE(json_is_null(o, "container"), l->rel))
					diag("%s", o->line);
				continue;
			}
			ASSERT_STREQ(json_str(o, "container.id"), l->id, l->rel);
			ASSERT_STREQ(json_str(o, "container.runtime"), l->runtime, l->rel);
			ASSERT_STREQ(json_str(o, "container.pod_uid"), l->pod_uid, l->rel);
		}
	}
out:
	tracer_free(&tr);
}

/* -c kubepods.slice: the processes below it, and no other. */
TEST(identity_cgroup_takes_descendants)
{
	char dir[600];
	const char *opts[] = { "--json", "-c", dir, NULL };
	struct tracer tr = {};
	int i;

	if (!*cgroup2_mount())
		SKIP("no cgroup v2 mount");
	/* -c needs its directory at the start: the tree first, then the tracer */
	if (!populate())
		goto out;
	snprintf(dir, sizeof(dir), "%s/kubepods.slice", base);
	if (!tracer_start(&tr, opts))
		goto out;
	depopulate();
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	remove_tree();
	for (i = 0; i < NR_LAYOUTS; i++) {
		bool below = !strncmp(layouts[i].rel, "kubepods.slice/", 15);

		ASSERT_EQ(jsonl_find(&tr.doc, "zombie", pid_of(i), 0) != NULL, below,
			  layouts[i].rel);
	}
out:
	depopulate();
	remove_tree();
	tracer_free(&tr);
}

/* --container with a 12-digit prefix: that container's process only. */
TEST(identity_container_prefix)
{
	static const char *const opts[] = { "--json", "--container", "cccccccccccc", NULL };
	struct tracer tr = {};
	int i;

	if (!traced(opts, &tr))
		goto out;
	for (i = 0; i < NR_LAYOUTS; i++) {
		bool it = layouts[i].id && layouts[i].id[0] == 'c';

		ASSERT_EQ(jsonl_find(&tr.doc, "zombie", pid_of(i), 0) != NULL, it, layouts[i].rel);
		ASSERT_EQ(jsonl_find(&tr.doc, "reap", pid_of(i), 0) != NULL, it, layouts[i].rel);
	}
out:
	tracer_free(&tr);
}

/* A --container prefix that names two running containers is a usage error; a unique one is not. */
TEST(identity_container_prefix_ambiguous)
{
	static const char *const rels[] = {
		"system.slice/docker-" HEX("a") ".scope",
		"system.slice/docker-aaaaaaaaaaaab000000000000000000000000000000000000000000000000000.scope",
	};
	char cmd[1024], err[] = "/tmp/rt-ambiguous-XXXXXX", *text = NULL;
	int fd = mkstemp(err), rc, i;

	if (!*cgroup2_mount())
		SKIP("no cgroup v2 mount");
	if (!ASSERT_GE(fd, 0, "temporary file"))
		return;
	snprintf(base, sizeof(base), "%s/rt-identity-%d", cgroup2_mount(), getpid());
	if (mkdir(base, 0755)) {
		test_skip("cannot make a cgroup %s: %s", base, strerror(errno));
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (!ASSERT_TRUE(make_dirs(rels[i]), rels[i]))
			goto out;
	snprintf(cmd, sizeof(cmd), "%s --container aaaaaaaaaaaa -d 1 >/dev/null 2>%s", tracer_bin(),
		 err);
	rc = system(cmd);
	ASSERT_EQ(WEXITSTATUS(rc), 2, "a prefix of two containers: a usage error (exit 2)");
	text = slurp_fd(fd);
	fd = -1;
	if (!ASSERT_TRUE(strstr(text, "--container 'aaaaaaaaaaaa' names 2 containers "
				      "(aaaaaaaaaaaa, aaaaaaaaaaaa): give more of the id"),
			 "it says which and what to do"))
		diag("stderr: %s", text);
	snprintf(cmd, sizeof(cmd), "%s --container aaaaaaaaaaaab -d 1 >/dev/null 2>/dev/null",
		 tracer_bin());
	ASSERT_EQ(WEXITSTATUS(system(cmd)), 0, "a longer prefix names one: traced");
out:
	free(text);
	if (fd >= 0)
		close(fd);
	unlink(err);
	for (i = 0; i < 2; i++)
		remove_dirs(rels[i]);
	rmdir(base);
	base[0] = 0;
}
