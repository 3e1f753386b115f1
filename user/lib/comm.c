// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Command names for text output: see comm.h. */
#include "lib/comm.h"

const char *comm_printable(const char *comm, size_t max, char *buf, size_t size,
			   enum comm_spaces spaces)
{
	char lowest = spaces == COMM_KEEP_SPACES ? 0x20 : 0x21;
	size_t i;

	for (i = 0; i < max && i + 1 < size && comm[i]; i++)
		buf[i] = comm[i] >= lowest && comm[i] < 0x7f ? comm[i] : '?';
	buf[i] = 0;
	return buf;
}
