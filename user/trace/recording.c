// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* REAPERTRACE_RECORD: writing and reading a recording of the tracer's input. */
#include <errno.h>
#include <string.h>

#include "trace/recording.h"

int rt_recording_create(struct rt_recording *r, const char *path,
			const struct rt_recording_header *h)
{
	r->path = path;
	r->err = 0;
	r->f = fopen(path, "we");
	if (!r->f) {
		r->err = -errno;
		fprintf(stderr, "reapertrace: cannot create the recording '%s': %s\n", path,
			strerror(errno));
		return r->err;
	}
	if (fwrite(h, sizeof(*h), 1, r->f) != 1) {
		r->err = -errno ?: -EIO;
		fprintf(stderr, "reapertrace: cannot write the recording '%s': %s\n", path,
			strerror(-r->err));
		fclose(r->f);
		r->f = NULL;
	}
	return r->err;
}

void rt_recording_put(struct rt_recording *r, __u32 kind, const void *data, size_t len)
{
	struct rt_recording_entry e = { .kind = kind, .len = len };

	if (!r->f || r->err || !kind)
		return;
	if (fwrite(&e, sizeof(e), 1, r->f) == 1 && (!len || fwrite(data, len, 1, r->f) == 1))
		return;
	r->err = -errno ?: -EIO;
	fprintf(stderr, "reapertrace: cannot write the recording '%s': %s; recording no more\n",
		r->path, strerror(-r->err));
}

int rt_recording_close(struct rt_recording *r)
{
	if (!r->f)
		return r->err;
	if (fclose(r->f) && !r->err) {
		r->err = -errno;
		fprintf(stderr, "reapertrace: cannot write the recording '%s': %s\n", r->path,
			strerror(errno));
	}
	r->f = NULL;
	return r->err;
}

int rt_recording_read_header(FILE *f, struct rt_recording_header *h)
{
	if (fread(h, sizeof(*h), 1, f) != 1 || memcmp(h->magic, RT_RECORDING_MAGIC, 8) ||
	    h->version < RT_RECORDING_OLDEST || h->version > RT_RECORDING_VERSION)
		return -EINVAL;
	return 0;
}

int rt_recording_next(FILE *f, struct rt_recording_entry *e, void *buf, size_t size)
{
	size_t n = fread(e, 1, sizeof(*e), f);

	if (n == 0 && feof(f))
		return 0;
	if (n != sizeof(*e) || e->len > size || (e->len && fread(buf, e->len, 1, f) != 1))
		return -EINVAL;
	return 1;
}
