/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * reapertrace top on a terminal: the alternate screen, keys without echo,
 * the window size, and the terminal put back as it was however the program
 * ends (a clean stop, a fatal signal, a stop signal).
 */
#ifndef REAPERTRACE_TOP_TERM_H
#define REAPERTRACE_TOP_TERM_H

#include <stdbool.h>

/* Saves the terminal's state and installs the signal handlers. 0 or -errno. */
int top_term_init(void);
/* Alternate screen, cursor hidden, keys unbuffered and unechoed (stdin). */
void top_term_enter(void);
/* Back to the saved state; safe to call twice, and from a signal handler. */
void top_term_restore(void);

/* A key typed (nonblocking), or -1 for none. */
int top_term_key(void);
/* true once after the window changed size or the program was resumed. */
bool top_term_redraw_wanted(void);
/* The window size; 24 x 80 if unknown. */
void top_term_size(int *rows, int *cols);

#endif /* REAPERTRACE_TOP_TERM_H */
