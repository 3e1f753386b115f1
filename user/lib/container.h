/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which container a cgroup v2 path belongs to, from the names that the
 * runtimes give their cgroups:
 *
 *	/docker/<id>					Docker, cgroupfs driver
 *	/system.slice/docker-<id>.scope			Docker, systemd driver
 *	.../cri-containerd-<id>.scope			containerd (CRI), systemd driver
 *	.../kubepods-...-pod<uid>.slice:cri-containerd:<id>  containerd, cgroupfs-style name
 *	.../crio-<id>.scope				CRI-O
 *	.../libpod-<id>.scope, /libpod_parent/libpod-<id>	podman
 *	/kubepods/burstable/pod<uid>/<id>		any runtime under the kubelet
 *
 * <id> is 64 lowercase hex digits; a Kubernetes pod UID is taken from the
 * nearest kubepods...pod<uid>.slice or pod<uid> component above it. The
 * nearest container component to the leaf wins (a container's own
 * sub-cgroups belong to it). A runtime's helper cgroups (conmon's
 * crio-conmon-<id>.scope, libpod-conmon-<id>.scope) are not the container.
 */
#ifndef REAPERTRACE_CONTAINER_H
#define REAPERTRACE_CONTAINER_H

#include <stdbool.h>

#define CONTAINER_ID_LEN   64
#define CONTAINER_UID_LEN  36 /* 8-4-4-4-12 */
#define CONTAINER_SHORT	   12 /* as `docker ps` shows an id */
#define CONTAINER_NAME_LEN 128

struct container {
	char id[CONTAINER_ID_LEN + 1];
	const char *runtime; /* "docker", "containerd", "cri-o", "podman"; NULL: not said */
	char pod_uid[CONTAINER_UID_LEN + 1]; /* "" when not in a Kubernetes pod */
	char name[CONTAINER_NAME_LEN];	     /* "" until Docker names it (lib/docker_names.c) */
};

/*
 * Fills @c from @path (relative to the cgroup2 mount, starting with '/')
 * and returns true, or returns false when @path names no container. A
 * pod's own cgroup (no container below it) is not a container.
 */
bool container_from_cgroup(const char *path, struct container *c);

/* true if @prefix is a prefix of @id of at least 1 hex digit ("docker ps" ids). */
bool container_id_matches(const char *id, const char *prefix);

/* true if @s is a container id prefix as --container takes it: 1 to 64 lowercase hex digits. */
bool container_id_valid(const char *s);

#endif /* REAPERTRACE_CONTAINER_H */
