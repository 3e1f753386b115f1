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

/* At most @max bytes of @comm (up to a NUL) into @buf of @size bytes; returns @buf. */
const char *comm_printable(const char *comm, size_t max, char *buf, size_t size,
			   enum comm_spaces spaces);

#endif /* REAPERTRACE_COMM_H */
