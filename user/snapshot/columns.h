/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The snapshot commands' text output: rows of cells under a header, each
 * column as wide as its widest cell.
 */
#ifndef REAPERTRACE_COLUMNS_H
#define REAPERTRACE_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

struct columns {
	int nr_cols;
	const char *const *head;
	char **cells; /* nr_rows * nr_cols, malloc'd */
	size_t nr_rows, cap;
};

void columns_init(struct columns *t, int nr_cols, const char *const *head);
/* Appends a row of nr_cols strings (copied). 0 or -ENOMEM. */
int columns_add(struct columns *t, const char *const *row);
/*
 * The header and the rows, each column padded to its widest cell, two
 * spaces apart, no trailing blanks.
 */
void columns_print(const struct columns *t, FILE *out);
void columns_free(struct columns *t);

#endif /* REAPERTRACE_COLUMNS_H */
