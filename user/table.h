/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Output helpers of the snapshot commands: a text table with aligned
 * columns, JSON strings, and command names made printable.
 */
#ifndef REAPERTRACE_TABLE_H
#define REAPERTRACE_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table {
	int nr_cols;
	const char *const *head;
	char **cells; /* nr_rows * nr_cols, malloc'd */
	size_t nr_rows, cap;
};

void table_init(struct table *t, int nr_cols, const char *const *head);
/* Appends a row of nr_cols strings (copied). 0 or -ENOMEM. */
int table_add(struct table *t, const char *const *row);
/*
 * The header and the rows, each column padded to its widest cell, two
 * spaces apart, no trailing blanks.
 */
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

/* @s (at most @max bytes) as a JSON string, quotes included. */
void json_str(FILE *out, const char *s, size_t max);
/* A comm for text output: bytes outside printable ASCII become '?'. */
const char *text_comm(const char *comm, size_t max, char *buf, size_t size);

#endif /* REAPERTRACE_TABLE_H */
