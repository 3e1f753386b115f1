// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kfeatures.h"

#define FEATURES_PREFIX "reapertrace: features: "

const char *features_line(const char *err_text, char *buf, size_t size)
{
	const char *p = err_text ? strstr(err_text, FEATURES_PREFIX) : NULL;
	size_t len;

	if (!p)
		return NULL;
	len = strcspn(p, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = 0;
	return buf;
}

bool feature_value(const char *line, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), len;
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			len = strcspn(p, " ");
			if (len >= size)
				return false;
			memcpy(buf, p, len);
			buf[len] = 0;
			return true;
		}
		p += klen;
	}
	return false;
}

long feature_number(const char *line, const char *key)
{
	char buf[32], *end;
	long v;

	if (!feature_value(line, key, buf, sizeof(buf)))
		return -1;
	v = strtol(buf, &end, 10);
	return *end || v < 0 ? -1 : v;
}

/* BTF keeps every type, member and enumerator name in one string table. */
bool kernel_btf_has_name(const char *name)
{
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "re");
	size_t len = strlen(name) + 1, have = 0, n;
	char buf[1 << 16];
	bool found = false;

	if (!f)
		return false;
	/* NUL-delimited: look for "\0name\0", keeping a tail across reads. */
	buf[0] = 0;
	have = 1;
	while (!found && (n = fread(buf + have, 1, sizeof(buf) - have, f)) > 0) {
		size_t end = have + n, i;

		for (i = 0; i + len < end; i++)
			if (!buf[i] && !memcmp(buf + i + 1, name, len)) {
				found = true;
				break;
			}
		have = end > len + 1 ? len + 1 : end;
		memmove(buf, buf + end - have, have);
	}
	fclose(f);
	return found;
}

int kernel_version(void)
{
	unsigned int major, minor;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return -1;
	return major * 1000 + minor;
}
