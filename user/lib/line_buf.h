/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A line built in memory and written with one fwrite(): what the printers
 * use on their hot paths instead of fprintf(), whose format parsing and
 * per-call stream locking cost more than the event itself. Appends past
 * the end are cut, never overflow.
 */
#ifndef REAPERTRACE_PRINT_BUF_H
#define REAPERTRACE_PRINT_BUF_H

#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#define PBUF_SIZE 1024

struct pbuf {
	size_t len;
	char b[PBUF_SIZE];
};

/*
 * Start an empty line. A line is declared without an initializer:
 * `= { .len = 0 }` would clear all PBUF_SIZE bytes on every record.
 */
static inline void pb_reset(struct pbuf *pb)
{
	pb->len = 0;
}

static inline void pb_mem(struct pbuf *pb, const void *s, size_t n)
{
	if (n > PBUF_SIZE - pb->len)
		n = PBUF_SIZE - pb->len;
	memcpy(pb->b + pb->len, s, n);
	pb->len += n;
}

static inline void pb_str(struct pbuf *pb, const char *s)
{
	pb_mem(pb, s, strlen(s));
}

static inline void pb_ch(struct pbuf *pb, char c)
{
	if (pb->len < PBUF_SIZE)
		pb->b[pb->len++] = c;
}

/* @v in decimal, zero-padded to at least @digits digits. */
static inline void pb_u64_pad(struct pbuf *pb, __u64 v, int digits)
{
	char t[20];
	int i = sizeof(t);

	do {
		t[--i] = '0' + v % 10;
		v /= 10;
	} while (v || (int)sizeof(t) - i < digits);
	pb_mem(pb, t + i, sizeof(t) - i);
}

static inline void pb_u64(struct pbuf *pb, __u64 v)
{
	pb_u64_pad(pb, v, 1);
}

static inline void pb_s64(struct pbuf *pb, __s64 v)
{
	if (v < 0) {
		pb_ch(pb, '-');
		pb_u64(pb, -(__u64)v);
	} else {
		pb_u64(pb, v);
	}
}

/* Spaces until what was appended since @from is @width wide (%-*s). */
static inline void pb_pad(struct pbuf *pb, size_t from, size_t width)
{
	while (pb->len - from < width && pb->len < PBUF_SIZE)
		pb->b[pb->len++] = ' ';
}

static inline void pb_write(struct pbuf *pb, FILE *out)
{
	fwrite(pb->b, 1, pb->len, out);
	pb->len = 0;
}

#endif /* REAPERTRACE_PRINT_BUF_H */
