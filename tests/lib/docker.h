/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A private Docker for one test: Debian's docker.io (dockerd, containerd,
 * runc) started with everything under one temporary directory, offline,
 * with a busybox-static image imported, and taken down again on every path.
 *
 *	struct docker d = {};
 *
 *	if (!docker_start(&d))			   skips with the reason, or fails
 *		goto out;
 *	if (!docker_import_busybox(&d, "rt-busybox"))
 *		goto out;
 *	docker_cmd(&d, out, sizeof(out), 60000,
 *		   (const char *[]){ "run", "--rm", "--network", "none", "rt-busybox", "true", NULL });
 *	...
 *	docker_stop(&d);			   asserts that nothing is left
 *
 * The process tree: the test forks a keeper K, a PR_SET_CHILD_SUBREAPER that
 * starts containerd and dockerd as its children and reaps everything below
 * it. What double-forks from them (the shim daemons) is adopted by K; the
 * container processes by their shim (itself a subreaper). K is the real
 * reaper a test compares with. K, containerd, dockerd and the shims live in
 * the cgroup v2 directory DIRCG = <cgroup2>/rt-docker-<K>/daemons, the
 * containers below <every hierarchy>/rt-docker-<K>/docker/<id>
 * (--cgroup-parent).
 *
 * Paths outside the directory that dockerd and containerd touch whatever
 * their options: /run/containerd/s (shim sockets) and /run/docker/plugins;
 * docker_stop() removes them if docker_start() made them and they are empty.
 * /usr/bin/docker is called by its path (another docker may come first on
 * PATH), with DOCKER_CONFIG in the directory; a system dockerd, containerd or
 * socket is never used.
 */
#ifndef RT_TESTS_DOCKER_H
#define RT_TESTS_DOCKER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DOCKER_CLI	  "/usr/bin/docker"
#define DOCKER_DOCKERD	  "/usr/sbin/dockerd"
#define DOCKER_CONTAINERD "/usr/bin/containerd"
#define DOCKER_BUSYBOX	  "/bin/busybox"

struct docker {
	pid_t keeper;	  /* K, the test's child (the pids stay after docker_stop()) */
	pid_t containerd; /* K's children */
	pid_t dockerd;
	bool keeper_running;			 /* K not reaped yet */
	int ctl;				 /* closing it tells K to take everything down */
	char dir[PATH_MAX / 4];			 /* the temporary directory, "" when none */
	char host[PATH_MAX / 4 + 32];		 /* unix://DIR/docker.sock */
	char containerd_sock[PATH_MAX / 4 + 32]; /* containerd's (ctr --address) */
	char cgroup[PATH_MAX / 2];		 /* <cgroup2>/rt-docker-<K>, "" when none */
	unsigned long long cgroup_id;		 /* of its daemons/ directory, 0 when none */
	char cgroup_parent[64];		 /* /rt-docker-<K>/docker: named as Docker names its own */
	bool made_run_docker;		 /* /run/docker did not exist before */
	bool made_run_containerd;	 /* /run/containerd did not exist before */
	unsigned long long t_start_ns;	 /* boottime before the start */
	unsigned long long t_ready_ns;	 /* dockerd answered */
	unsigned long long t_stopped_ns; /* all gone */
};

/*
 * Starts containerd and dockerd below K and waits (60 s) until dockerd
 * answers. Skips (test_skip(), false) with the reason where they cannot run:
 * RT_DOCKER=0 in the environment, not installed, not root, or they exit at once (their log's last error is
 * the reason: no cgroups, read-only root...). Fails (asserts, false) if they
 * run but never answer. On false everything is already taken down.
 */
bool docker_start(struct docker *d);

/*
 * Imports image NAME made from busybox-static (/bin/busybox and a hard link
 * per applet, PATH set) with `docker import`. Asserts.
 */
bool docker_import_busybox(struct docker *d, const char *name);

/*
 * Runs /usr/bin/docker -H HOST ARGS... (args NULL-terminated), stdout and
 * stderr into out (may be NULL; trailing newline removed). Returns its exit
 * status, 124 on timeout (then killed), or -1 if it could not run.
 */
int docker_cmd(struct docker *d, char *out, size_t len, int timeout_ms, const char *const *args);

/*
 * Runs a program (argv[0] a path, NULL-terminated) that drives docker the
 * way a user's script does, as deploy/image/build.sh: with DOCKER (the CLI's
 * path), DOCKER_HOST and DOCKER_CONFIG of this dockerd in its environment.
 * Output and status as docker_cmd().
 */
int docker_tool(struct docker *d, char *out, size_t len, int timeout_ms, const char *const *argv);

/*
 * Removes every container (docker rm -f), then K takes down dockerd
 * (SIGTERM, 30 s), containerd (SIGTERM, 10 s), kills what is still below it
 * and reaps all; then unmounts anything left under DIR and removes DIR, the
 * cgroups and the /run directories it made. Asserts that each step was
 * clean (no kill needed, no mount or cgroup left, K exited 0) and that no
 * mount of it is left; true if all was clean. Safe on a struct never started,
 * and to call twice.
 */
bool docker_stop(struct docker *d);

/* No process below the test but @except (the tracer, or 0): asserts, diag()s each one left. */
bool docker_nothing_left(pid_t except);

/* The tail (last n lines) of DIR/NAME (a log: "dockerd.log", "containerd.log"). */
void docker_diag_log(const struct docker *d, const char *name, int n);

#endif /* RT_TESTS_DOCKER_H */
