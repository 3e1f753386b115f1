// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One pass of the snapshot task iterator, its records read into an array: see snap.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader/preflight.h"
#include "snapshot.skel.h"
#include "lib/array.h"
#include "snapshot/snap.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

const char *rt_disposition_name(__u32 disp)
{
	switch (disp) {
	case RT_DISP_IGNORE:
		return "ignore";
	case RT_DISP_HANDLER:
		return "handler";
	default:
		return "default";
	}
}

/* Reads the whole iterator output from @fd into @s. 0 or -errno. */
static int read_records(int fd, struct rt_snap *s)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;
	ssize_t n;

	for (;;) {
		/* At least a page of room for each read. */
		if (array_reserve((void **)&buf, &cap, 1, len + 4096)) {
			free(buf);
			return -ENOMEM;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len % sizeof(struct rt_snap_task)) {
		free(buf);
		return -EPROTO;
	}
	s->tasks = (struct rt_snap_task *)buf;
	s->nr = len / sizeof(struct rt_snap_task);
	return 0;
}

int rt_snap_collect(struct rt_snap *s, bool verbose)
{
	struct snapshot_bpf *obj = NULL;
	struct bpf_link *link = NULL;
	int err, fd = -1;

	memset(s, 0, sizeof(*s));
	libbpf_set_print(verbose ? libbpf_print : NULL);
	err = rt_preflight();
	if (err)
		return err;
	obj = snapshot_bpf__open_and_load();
	if (!obj) {
		err = -errno;
		fprintf(stderr,
			"reapertrace: failed to load the snapshot iterator: %s; the kernel needs "
			"BPF task iterators (Linux 5.8 or later); -v shows libbpf's log\n",
			strerror(-err));
		goto cleanup;
	}
	link = bpf_program__attach_iter(obj->progs.reap_snap_task, NULL);
	if (!link) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to attach the task iterator: %s\n",
			strerror(-err));
		goto cleanup;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to open the task iterator: %s\n",
			strerror(-err));
		goto cleanup;
	}
	err = read_records(fd, s);
	if (err)
		fprintf(stderr, "reapertrace: failed to read the task iterator: %s\n",
			strerror(-err));
cleanup:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	snapshot_bpf__destroy(obj);
	return err;
}

void rt_snap_free(struct rt_snap *s)
{
	free(s->tasks);
	s->tasks = NULL;
	s->nr = 0;
}
