// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container identity from a cgroup path (container.h lists the layouts).
 * Pure string work: the paths come from lib/cgroups.c or a recording.
 */
#include <string.h>

#include "lib/container.h"

/* One component of a path: s[0 .. n). */
struct part {
	const char *s;
	size_t n;
};

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_prefix(struct part p, const char *prefix)
{
	size_t n = strlen(prefix);

	return p.n >= n && !memcmp(p.s, prefix, n);
}

static bool has_suffix(struct part p, const char *suffix)
{
	size_t n = strlen(suffix);

	return p.n >= n && !memcmp(p.s + p.n - n, suffix, n);
}

static bool equals(struct part p, const char *s)
{
	return p.n == strlen(s) && !memcmp(p.s, s, p.n);
}

/* Where @p holds "<prefix><id>" (and @suffix after it, if given): the id. */
static const char *id_after(struct part p, const char *prefix, const char *suffix)
{
	size_t pre = strlen(prefix), suf = suffix ? strlen(suffix) : 0;

	if (p.n != pre + CONTAINER_ID_LEN + suf || !has_prefix(p, prefix) ||
	    (suffix && !has_suffix(p, suffix)) || !is_hex(p.s + pre, CONTAINER_ID_LEN))
		return NULL;
	return p.s + pre;
}

/* The systemd scopes and cgroupfs names of container.h, in @p. */
static const char *runtime_id(struct part p, struct part parent, const char **runtime)
{
	static const struct {
		const char *prefix, *suffix, *runtime;
	} names[] = {
		{ "docker-", ".scope", "docker" }, { "cri-containerd-", ".scope", "containerd" },
		{ "crio-", ".scope", "cri-o" },	   { "libpod-", ".scope", "podman" },
		{ "libpod-", NULL, "podman" },
	};
	static const struct {
		const char *infix, *runtime;
	} colon[] = {
		{ ":cri-containerd:", "containerd" },
		{ ":crio:", "cri-o" },
		{ ":docker:", "docker" },
	};
	const char *id;
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		id = id_after(p, names[i].prefix, names[i].suffix);
		if (id) {
			*runtime = names[i].runtime;
			return id;
		}
	}
	/* SLICE:RUNTIME:ID, the id last. */
	for (i = 0; i < sizeof(colon) / sizeof(colon[0]); i++) {
		n = strlen(colon[i].infix);
		if (p.n > n + CONTAINER_ID_LEN &&
		    !memcmp(p.s + p.n - CONTAINER_ID_LEN - n, colon[i].infix, n) &&
		    is_hex(p.s + p.n - CONTAINER_ID_LEN, CONTAINER_ID_LEN)) {
			*runtime = colon[i].runtime;
			return p.s + p.n - CONTAINER_ID_LEN;
		}
	}
	if (p.n == CONTAINER_ID_LEN && is_hex(p.s, p.n)) {
		if (equals(parent, "docker"))
			*runtime = "docker";
		else if (equals(parent, "libpod_parent"))
			*runtime = "podman";
		else
			*runtime = NULL; /* e.g. /kubepods/burstable/pod<uid>/<id> */
		return p.s;
	}
	return NULL;
}

/*
 * The pod UID in @p: "pod<uid>" (cgroupfs, under kubepods) or
 * "kubepods[-<qos>]-pod<uid with '_' for '-'>.slice" (systemd), the
 * latter possibly followed by ":runtime:id".
 */
static bool pod_uid(struct part p, bool under_kubepods, char *uid)
{
	const char *s, *end;
	size_t i;

	if (has_prefix(p, "pod") && p.n == 3 + CONTAINER_UID_LEN && under_kubepods) {
		s = p.s + 3;
	} else if (has_prefix(p, "kubepods")) {
		end = memchr(p.s, ':', p.n) ?: p.s + p.n;
		if (end - p.s < (long)(sizeof("-pod.slice") - 1 + CONTAINER_UID_LEN) ||
		    memcmp(end - 6, ".slice", 6) ||
		    memcmp(end - 6 - CONTAINER_UID_LEN - 4, "-pod", 4))
			return false;
		s = end - 6 - CONTAINER_UID_LEN;
	} else {
		return false;
	}
	for (i = 0; i < CONTAINER_UID_LEN; i++) {
		char ch = s[i] == '_' ? '-' : s[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? ch != '-' : !is_hex(&ch, 1))
			return false;
		uid[i] = ch;
	}
	uid[CONTAINER_UID_LEN] = 0;
	return true;
}

#define MAX_PARTS 64

bool container_from_cgroup(const char *path, struct container *c)
{
	struct part parts[MAX_PARTS], none = { "", 0 };
	const char *s = path, *id = NULL;
	bool kubepods = false;
	int n = 0, i, at = -1;

	while (*s && n < MAX_PARTS) {
		const char *slash;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		slash = strchr(s, '/') ?: s + strlen(s);
		parts[n++] = (struct part){ s, slash - s };
		s = slash;
	}
	for (i = n - 1; i >= 0; i--) {
		id = runtime_id(parts[i], i ? parts[i - 1] : none, &c->runtime);
		if (id) {
			at = i;
			break;
		}
	}
	if (!id)
		return false;
	memcpy(c->id, id, CONTAINER_ID_LEN);
	c->id[CONTAINER_ID_LEN] = 0;
	c->pod_uid[0] = 0;
	c->name[0] = 0;
	for (i = 0; i <= at; i++) {
		if (has_prefix(parts[i], "kubepods"))
			kubepods = true;
	}
	for (i = at; i >= 0; i--) {
		if (pod_uid(parts[i], kubepods, c->pod_uid))
			break;
	}
	return true;
}

bool container_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CONTAINER_ID_LEN && is_hex(s, n);
}

bool container_id_matches(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);

	return n && !strncmp(id, prefix, n);
}
