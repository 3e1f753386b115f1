// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

void table_init(struct table *t, int nr_cols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->nr_cols = nr_cols;
	t->head = head;
}

int table_add(struct table *t, const char *const *row)
{
	size_t base = t->nr_rows * t->nr_cols;
	int i;

	if (t->nr_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, cap * t->nr_cols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
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

static void print_row(const struct table *t, const char *const *row, const size_t *width, FILE *out)
{
	int i;

	for (i = 0; i < t->nr_cols; i++) {
		if (i == t->nr_cols - 1)
			fprintf(out, "%s\n", row[i]);
		else
			fprintf(out, "%-*s  ", (int)width[i], row[i]);
	}
}

void table_print(const struct table *t, FILE *out)
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

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nr_rows * t->nr_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nr_rows = t->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_str(FILE *out, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max), i = 0, len;

	fputc('"', out);
	while (i < n) {
		if (s[i] == '"' || s[i] == '\\') {
			fprintf(out, "\\%c", s[i++]);
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			fputc(s[i++], out);
		} else if (s[i] >= 0x80 && (len = utf8_seq(s + i, n - i))) {
			fwrite(s + i, 1, len, out);
			i += len;
		} else {
			fprintf(out, "\\u%04x", s[i++]);
		}
	}
	fputc('"', out);
}

const char *text_comm(const char *comm, size_t max, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < max && i + 1 < size && comm[i]; i++)
		buf[i] = comm[i] > 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	buf[i] = 0;
	return buf;
}
