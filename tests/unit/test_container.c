// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/lib/container.c alone: the cgroup layouts users meet, as the
 * runtimes name them (the paths below are those docker, containerd, CRI-O,
 * podman and the kubelet create), and what is not a container.
 */
#include <string.h>

#include "lib/container.h"
#include "harness.h"

#define ID   "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"
#define ID2  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID  "7c1d3c5e-8a2b-4f6e-9d0c-1b2a3c4d5e6f"
#define UID_ "7c1d3c5e_8a2b_4f6e_9d0c_1b2a3c4d5e6f"

struct layout {
	const char *path;
	const char *id;	     /* NULL: not a container */
	const char *runtime; /* NULL: not said by the layout */
	const char *pod_uid; /* "" when none */
};

static const struct layout layouts[] = {
	{ "/docker/" ID, ID, "docker", "" },
	{ "/system.slice/docker-" ID ".scope", ID, "docker", "" },
	/* a cgroup the container made below its own */
	{ "/system.slice/docker-" ID ".scope/init.scope", ID, "docker", "" },
	{ "/rt-docker-123/docker/" ID, ID, "docker", "" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  ID, "containerd", UID },
	{ "/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID, ID, "containerd", UID },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", ID, "cri-o", UID },
	{ "/machine.slice/libpod-" ID ".scope", ID, "podman", "" },
	{ "/machine.slice/libpod-" ID ".scope/container", ID, "podman", "" },
	{ "/libpod_parent/libpod-" ID, ID, "podman", "" },
	{ "/kubepods/burstable/pod" UID "/" ID, ID, NULL, UID },
	{ "/kubepods/pod" UID "/" ID2, ID2, NULL, UID },
	/* the nearest container to the leaf: a container in a container */
	{ "/docker/" ID "/docker/" ID2, ID2, "docker", "" },
	/* not containers */
	{ "/", NULL, NULL, "" },
	{ "/system.slice/ssh.service", NULL, NULL, "" },
	{ "/user.slice/user-0.slice/session-3.scope", NULL, NULL, "" },
	{ "/docker", NULL, NULL, "" },
	{ "/machine.slice/libpod-conmon-" ID ".scope", NULL, NULL, "" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID ".scope", NULL, NULL, "" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice", NULL, NULL, "" },
	/* one digit short, one too many, upper case */
	{ "/docker/"
	  "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c",
	  NULL, NULL, "" },
	{ "/docker/" ID "0", NULL, NULL, "" },
	{ "/docker/"
	  "3F2A9C0D1E4B5A6978C0D1E2F3A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6",
	  NULL, NULL, "" },
	{ "/system.slice/docker-" ID ".service", NULL, NULL, "" },
	/* pod<uid> counts only under kubepods */
	{ "/pods/pod" UID "/" ID, ID, NULL, "" },
};

TEST(container_layouts)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		struct container c;
		bool found;

		memset(&c, 0x55, sizeof(c));
		found = container_from_cgroup(l->path, &c);
		/* each assertion names the path it was about */
		ASSERT_EQ(found, l->id != NULL, l->path);
		if (!found || !l->id)
			continue;
		ASSERT_STREQ(c.id, l->id, l->path);
		ASSERT_STREQ(c.runtime, l->runtime, l->path);
		ASSERT_STREQ(c.pod_uid, l->pod_uid, l->path);
	}
}

TEST(container_id_prefixes)
{
	ASSERT_TRUE(container_id_valid("3f2a"), "short prefix");
	ASSERT_TRUE(container_id_valid(ID), "whole id");
	ASSERT_FALSE(container_id_valid(""), "empty");
	ASSERT_FALSE(container_id_valid(ID "0"), "65 digits");
	ASSERT_FALSE(container_id_valid("3F2A"), "upper case");
	ASSERT_FALSE(container_id_valid("web"), "a name");
	ASSERT_TRUE(container_id_matches(ID, "3f2a9c"), "prefix");
	ASSERT_TRUE(container_id_matches(ID, ID), "itself");
	ASSERT_FALSE(container_id_matches(ID, "3f2b"), "other");
	ASSERT_FALSE(container_id_matches(ID, ""), "empty prefix");
}
