/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Command names for text output, the one sanitizer of them. A comm is
 * whatever a process wrote with prctl(PR_SET_NAME): bytes outside printable
 * ASCII are shown as '?'. The snapshot tables, whose columns are split on
 * blanks, show spaces as '?' too; the trace's fixed-width columns keep them.
 */
#ifndef REAPERTRACE_COMM_H
#define REAPERTRACE_COMM_H

#include <stddef.h>

enum comm_spaces {
	COMM_KEEP_SPACES,
	COMM_NO_SPACES,
};

/*
 * At most @max bytes of @comm (up to a NUL) into @buf of @size bytes;
 * returns @buf. Inline: the text sink calls it twice an event, with
 * constants the compiler folds into the loop.
 */
static inline const char *comm_printable(const char *comm, size_t max, char *buf, size_t size,
					 enum comm_spaces spaces)
{
	/* Printable: lowest to 0x7e, one unsigned compare a byte. */
	unsigned char lowest = spaces == COMM_KEEP_SPACES ? 0x20 : 0x21;
	unsigned char span = 0x7f - lowest;
	size_t i, n = max < size ? max : size - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = comm[i];

		if (!c)
			break;
		buf[i] = (unsigned char)(c - lowest) < span ? c : '?';
	}
	buf[i] = 0;
	return buf;
}

#endif /* REAPERTRACE_COMM_H */
