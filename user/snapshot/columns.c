// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The snapshot commands' aligned text columns: see columns.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "snapshot/columns.h"

void columns_init(struct columns *t, int nr_cols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->nr_cols = nr_cols;
	t->head = head;
}

int columns_add(struct columns *t, const char *const *row)
{
	size_t base = t->nr_rows * t->nr_cols;
	int i;

	/* A row's cells are one element. */
	if (array_reserve((void **)&t->cells, &t->cap, t->nr_cols * sizeof(*t->cells),
			  t->nr_rows + 1))
		return -ENOMEM;
	for (i = 0; i < t->nr_cols; i++) {
		t->cells[base + i] = strdup(row[i]);
		if (!t->cells[base + i]) {
			while (i--)
				free(t->cells[base + i]);
			return -ENOMEM;
		}
	}
	t->nr_rows++;
	return 0;
}

static void print_row(const struct columns *t, const char *const *row, const size_t *width,
		      FILE *out)
{
	int i;

	for (i = 0; i < t->nr_cols; i++) {
		if (i == t->nr_cols - 1)
			fprintf(out, "%s\n", row[i]);
		else
			fprintf(out, "%-*s  ", (int)width[i], row[i]);
	}
}

void columns_print(const struct columns *t, FILE *out)
{
	size_t width[32] = {}, r;
	int i;

	for (i = 0; i < t->nr_cols && i < 32; i++) {
		width[i] = strlen(t->head[i]);
		for (r = 0; r < t->nr_rows; r++) {
			size_t len = strlen(t->cells[r * t->nr_cols + i]);

			if (len > width[i])
				width[i] = len;
		}
	}
	print_row(t, t->head, width, out);
	for (r = 0; r < t->nr_rows; r++)
		print_row(t, (const char *const *)&t->cells[r * t->nr_cols], width, out);
}

void columns_free(struct columns *t)
{
	size_t i;

	for (i = 0; i < t->nr_rows * t->nr_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nr_rows = t->cap = 0;
}
