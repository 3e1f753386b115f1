// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option values, usage errors and output flushing, the same for every command. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cli.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "reapertrace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see reapertrace %s%s--help\n", cmd ?: "", cmd ? " " : "");
	return -EINVAL;
}

int cli_bad_option(const char *cmd, int c, int opt, const char *arg)
{
	char name[3] = { '-', (char)opt, 0 };
	const char *what = opt > 0 && opt < 0x100 ? name : arg;

	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", what);
	return cli_usage_error(cmd, "unknown option '%s'", what);
}

int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

int cli_parse_listen(const char *s, const char *dflt, char *host, size_t size, unsigned int *port)
{
	const char *colon = strrchr(s, ':'), *h = s;
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = colon ? (size_t)(colon - s) : 0;
	unsigned long n;

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		h++;
		len -= 2;
		if (len >= size)
			return -EINVAL;
		memcpy(host, h, len);
		host[len] = 0;
		if (inet_pton(AF_INET6, host, addr) != 1)
			return -EINVAL;
	} else if (len) {
		if (len >= size || memchr(s, ':', len)) /* IPv6 needs its brackets */
			return -EINVAL;
		memcpy(host, h, len);
		host[len] = 0;
		if (inet_pton(AF_INET, host, addr) != 1)
			return -EINVAL;
	} else {
		snprintf(host, size, "%s", dflt);
	}
	if (cli_parse_ulong(colon ? colon + 1 : s, 0, 65535, &n))
		return -EINVAL;
	*port = n;
	return 0;
}

int cli_parse_seconds(const char *s, double min, double max, __u64 *ns)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	if (!*s || *end || errno || !(sec >= min) || sec > max)
		return -EINVAL;
	*ns = sec * 1e9;
	return 0;
}

/* The kernel's pid_max: a pid is below it. */
static unsigned long pid_max(void)
{
	unsigned long max = 4194304; /* PID_MAX_LIMIT on 64-bit */
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 4194304;
		fclose(f);
	}
	return max;
}

int cli_parse_pid(const char *cmd, const char *arg, __u32 *pid)
{
	unsigned long max = pid_max(), n;
	char fmt[96];

	if (cli_parse_ulong(arg, 1, max - 1, &n)) {
		snprintf(fmt, sizeof(fmt), "invalid pid '%%s': expected a number from 1 to %lu",
			 max - 1);
		return cli_usage_error(cmd, fmt, arg);
	}
	*pid = n;
	return 0;
}

int cli_parse_pidns(const char *cmd, const char *arg, __u32 *inum)
{
	unsigned long n;
	struct stat st;

	if (!cli_parse_ulong(arg, 1, UINT_MAX, &n)) {
		*inum = n;
		return 0;
	}
	if (!strchr(arg, '/'))
		return cli_usage_error(cmd,
				       "invalid --pidns '%s': expected an inode number (stat -Lc "
				       "%%i /proc/PID/ns/pid) or the path of a namespace file",
				       arg);
	if (stat(arg, &st)) {
		fprintf(stderr,
			"reapertrace: cannot use --pidns '%s': %s; give a path such as "
			"/proc/PID/ns/pid or an inode number\n",
			arg, strerror(errno));
		return -EINVAL;
	}
	*inum = st.st_ino;
	return 0;
}

int cli_flush(FILE *out)
{
	if (fflush(out) == 0 && !ferror(out))
		return 0;
	if (errno == EPIPE)
		return 0;
	fprintf(stderr, "reapertrace: cannot write the output: %s\n", strerror(errno));
	return -EIO;
}
