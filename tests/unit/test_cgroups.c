// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/lib/cgroups.c's readers of /proc, against what the files say: the
 * cgroup of this process in /proc/self/cgroup (cgroup2's line, a v1
 * controller's), the cgroup2 mount in /proc/self/mountinfo, and the word
 * lists of controllers and mount options.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cgroups.h"
#include "harness.h"

TEST(cgroups_list_words)
{
	ASSERT_TRUE(cgroups__list_has("rw,pids", "pids"), "a mount option");
	ASSERT_TRUE(cgroups__list_has("pids", "pids"), "alone");
	ASSERT_TRUE(cgroups__list_has("cpu,pids,memory", "pids"), "in the middle");
	ASSERT_TRUE(cgroups__list_has("pids:/x", "pids"), "before a colon");
	ASSERT_TRUE(cgroups__list_has("cpuset cpu io memory pids\n", "pids"),
		    "cgroup.controllers, space-separated");
	ASSERT_TRUE(cgroups__list_has("pids memory", "pids"), "first of spaces");
	ASSERT_FALSE(cgroups__list_has("rw,pidsx", "pids"), "a longer word");
	ASSERT_FALSE(cgroups__list_has("rw,xpids", "pids"), "a word ending so");
	ASSERT_FALSE(cgroups__list_has("", "pids"), "empty");
}

/* /proc/self/cgroup's line for @controller (NULL: cgroup2's "0::"), read here. */
static bool truth(const char *controller, char *out, size_t size)
{
	char line[4096], want[64];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *path = colon ? strchr(colon + 1, ':') : NULL;

		if (!path)
			continue;
		snprintf(want, sizeof(want), ":%s:", controller ?: "");
		if (controller ? !strncmp(colon, want, strlen(want)) : !strncmp(line, "0::", 3)) {
			snprintf(out, size, "%.*s", (int)strcspn(path + 1, "\n"), path + 1);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

TEST(cgroups_proc_cgroup_is_the_file)
{
	char got[4096], want[4096];
	bool has;

	has = truth(NULL, want, sizeof(want));
	ASSERT_EQ(cgroups__proc_cgroup(getpid(), NULL, got, sizeof(got)), has, "cgroup2's line");
	if (has)
		ASSERT_STREQ(got, want, "cgroup2's path");
	has = truth("pids", want, sizeof(want));
	ASSERT_EQ(cgroups__proc_cgroup(getpid(), "pids", got, sizeof(got)), has, "a v1 pids line");
	if (has)
		ASSERT_STREQ(got, want, "its path");
	ASSERT_FALSE(cgroups__proc_cgroup(getpid(), "no-such-controller", got, sizeof(got)),
		     "no line for a controller no hierarchy has");
}

TEST(cgroups_mount_is_mountinfos)
{
	char line[8192], want[4096] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && !want[0] && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (sep && !strncmp(sep + 3, "cgroup2 ", 8))
			sscanf(line, "%*s %*s %*s %*s %4095s", want);
	}
	if (f)
		fclose(f);
	ASSERT_STREQ(cgroups__mount(), want, "the first cgroup2 mount");
}
