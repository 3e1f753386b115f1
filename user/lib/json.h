/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * JSON strings, the one writer of them: every record of every command
 * quotes its strings here. Always valid JSON: valid UTF-8 passes through;
 * '"' and '\' are escaped; control characters and bytes that are not UTF-8
 * become \u00XX. And the one writer of a container object, which the
 * trace's records and the snapshots share.
 */
#ifndef REAPERTRACE_JSON_H
#define REAPERTRACE_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "lib/container.h"
#include "lib/line_buf.h"

/* At most @max bytes of @s (up to a NUL), quoted, appended to @pb. */
void json_pb_string(struct pbuf *pb, const char *s, size_t max);
/* The same written to @out: strings of any length. */
void json_string(FILE *out, const char *s, size_t max);

/* ,"container":{"id":..,"runtime":..,"pod_uid":..,"name":..}, or ,"container":null for NULL */
void json_pb_container(struct pbuf *pb, const struct container *ct);
void json_container(FILE *out, const struct container *ct);

#endif /* REAPERTRACE_JSON_H */
