// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What /proc, /sys/fs/cgroup and the clock tell the tests: see proc.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

int proc_stat(pid_t pid, struct proc_entry *e)
{
	char path[64], buf[1024], *p, *q;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q || q < p || q[1] != ' ')
		return -1;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(q - p - 1), p + 1);
	if (sscanf(q + 2, "%c %d", &e->state, &e->ppid) != 2)
		return -1;
	return 0;
}

int proc_all(struct proc_entry **out)
{
	struct proc_entry *v = NULL;
	int n = 0, cap = 0;
	struct dirent *d;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (n == cap) {
			struct proc_entry *nv;

			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dir);
				return -1;
			}
			v = nv;
		}
		if (proc_stat(pid, &v[n]) == 0)
			n++;
	}
	closedir(dir);
	*out = v;
	return n;
}

int proc_descendants(pid_t pid, struct proc_entry **out)
{
	struct proc_entry *all = NULL, *res;
	int n, i, nres = 0, scan;
	bool grew;

	*out = NULL;
	n = proc_all(&all);
	if (n < 0)
		return 0;
	res = calloc(n ? n : 1, sizeof(*res));
	if (!res) {
		free(all);
		return 0;
	}
	/* Fixed point: add every process whose parent is pid or in res. */
	do {
		grew = false;
		for (i = 0; i < n; i++) {
			bool below = all[i].ppid == pid;

			if (all[i].pid == 0)
				continue;
			for (scan = 0; !below && scan < nres; scan++)
				below = all[i].ppid == res[scan].pid;
			if (below) {
				res[nres++] = all[i];
				all[i].pid = 0;
				grew = true;
			}
		}
	} while (grew);
	free(all);
	*out = res;
	return nres;
}

unsigned long long ns_inode(const char *path)
{
	char buf[64];
	unsigned long long ino;
	ssize_t n;

	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (sscanf(buf, "pid:[%llu]", &ino) != 1)
		return 0;
	return ino;
}

unsigned long long proc_pidns(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	return ns_inode(path);
}

unsigned long long proc_pidns_tid(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/pid", tid, tid);
	return ns_inode(path);
}

const char *cgroup2_mount(void)
{
	static char mnt[256];
	static bool done;
	char line[1024];
	FILE *f;

	if (done)
		return mnt;
	done = true;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return mnt;
	while (fgets(line, sizeof(line), f)) {
		char mp[256], *sep = strstr(line, " - ");

		/* id parent maj:min root mountpoint opts ... - fstype src opts */
		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %255s", mp) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", mp);
			break;
		}
	}
	fclose(f);
	return mnt;
}

int proc_cgroup_path(pid_t pid, char *buf, size_t len)
{
	char path[64], line[1024];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(buf, len, "%s", line + 3);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

unsigned long long proc_cgroup_id(pid_t pid)
{
	char rel[768], path[1100];
	const char *mnt = cgroup2_mount();
	struct stat st;

	if (!*mnt || proc_cgroup_path(pid, rel, sizeof(rel)))
		return 0;
	snprintf(path, sizeof(path), "%s%s", mnt, rel);
	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

int wait_pid_timeout(pid_t pid, int *status, int timeout_ms)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	int st = 0;
	pid_t r;

	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int n;

		do
			n = poll(&p, 1, timeout_ms);
		while (n < 0 && errno == EINTR);
		close(pfd);
		if (n == 0)
			return -ETIMEDOUT;
	}
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (status)
		*status = st;
	return 0;
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

unsigned long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
