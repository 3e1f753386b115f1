// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Growable arrays: see array.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/array.h"

#define FIRST_CAP 16

int array_reserve(void **items, size_t *cap, size_t elem_size, size_t need)
{
	size_t new_cap = *cap ? *cap : FIRST_CAP;
	void *p;

	if (need <= *cap)
		return 0;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2)
			return -ENOMEM;
		new_cap *= 2;
	}
	if (new_cap > SIZE_MAX / elem_size)
		return -ENOMEM;
	p = realloc(*items, new_cap * elem_size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = new_cap;
	return 0;
}
