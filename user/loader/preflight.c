// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What must hold before any program is loaded (privileges, BTF, BPF features, tracefs): see preflight.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "loader/preflight.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct caps[2], int cap)
{
	return caps[cap / 32].effective & (1U << (cap % 32));
}

static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2] = {};

	if (syscall(SYS_capget, &hdr, caps))
		return -errno;
	if (has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON)))
		return 0;
	fprintf(stderr, "reapertrace: permission denied: loading BPF programs needs root "
			"(CAP_BPF and CAP_PERFMON); run it with sudo\n");
	return -EPERM;
}

int rt_preflight(void)
{
	int err = check_privileges();

	if (err)
		return err;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "reapertrace: this kernel has no BTF (/sys/kernel/btf/vmlinux is "
				"missing); use a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
		return -ENOENT;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		fprintf(stderr, "reapertrace: kernel too old: it has no BPF ring buffer; "
				"reapertrace needs Linux 5.9 or later\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

int rt_ensure_tracefs(bool verbose)
{
	static const char *const known[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	unsigned int i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!access(known[i], F_OK))
			return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		int err = -errno;

		fprintf(stderr,
			"reapertrace: cannot mount tracefs at /sys/kernel/tracing: %s; "
			"mount it with 'mount -t tracefs tracefs /sys/kernel/tracing'\n",
			strerror(-err));
		return err;
	}
	if (verbose)
		fprintf(stderr, "reapertrace: mounted tracefs at /sys/kernel/tracing\n");
	return 0;
}

/*
 * Whether BPF memory is charged to RLIMIT_MEMLOCK: bpf_ktime_get_coarse_ns()
 * came in 5.11 with the memory cgroup's charge, and libbpf takes it for
 * that too. Only a kernel that says it has no such helper counts: a probe
 * that could not run (a policy refusing bpf() itself) says nothing.
 */
static bool memlock_charged(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_ktime_get_coarse_ns,
				       NULL) == 0;
}

bool rt_memlock_fix(char *buf, size_t size)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY || !memlock_charged())
		return false;
	snprintf(buf, size,
		 "this kernel counts BPF memory against RLIMIT_MEMLOCK (%llu KiB here), and "
		 "raising it takes CAP_SYS_RESOURCE: raise it first (ulimit -l unlimited; "
		 "LimitMEMLOCK=infinity in a systemd unit)",
		 (unsigned long long)rl.rlim_cur >> 10);
	return true;
}
