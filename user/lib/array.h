/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Growable arrays, the one way the user code grows one: a pointer, the
 * room it has (in elements), grown by doubling. As libbpf_ensure_mem():
 *
 *	if (array_reserve((void **)&t->rows, &t->cap, sizeof(*t->rows), t->nr + 1))
 *		return -ENOMEM;
 */
#ifndef REAPERTRACE_ARRAY_H
#define REAPERTRACE_ARRAY_H

#include <stddef.h>

/*
 * Room for at least @need elements of @elem_size in *@items (*@cap now),
 * doubling from 16. 0, or -ENOMEM with *@items and *@cap unchanged.
 */
int array_reserve(void **items, size_t *cap, size_t elem_size, size_t need);

#endif /* REAPERTRACE_ARRAY_H */
