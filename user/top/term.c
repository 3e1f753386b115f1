// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* top on a terminal: raw mode, the size, keys, and putting it all back: see term.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "top/term.h"

/* Alternate screen, cursor hidden; and back. */
#define ENTER_SEQ "\033[?1049h\033[?25l"
#define LEAVE_SEQ "\033[?25h\033[?1049l"

static struct termios saved;
static bool have_saved; /* stdin is a terminal: keys are read from it */
static volatile sig_atomic_t active;
static volatile sig_atomic_t redraw;

/* Only async-signal-safe calls: this runs from signal handlers. */
static void write_all(const char *s, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= n;
	}
}

static void raw_mode(void)
{
	struct termios raw = saved;

	/* ISIG off: Ctrl-C arrives as a key and quits cleanly; Ctrl-Z does nothing. */
	raw.c_lflag &= ~(ICANON | ECHO | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
}

void top_term_enter(void)
{
	int err = errno;

	if (have_saved)
		raw_mode();
	write_all(ENTER_SEQ, sizeof(ENTER_SEQ) - 1);
	active = 1;
	redraw = 1;
	errno = err;
}

void top_term_restore(void)
{
	int err = errno;

	if (!active)
		return;
	/*
	 * Cleared last: a fatal signal that lands in here restores again
	 * rather than dying with the terminal raw. TCSANOW: TCSAFLUSH waits
	 * for the output to drain, which a reader that stopped reading never
	 * lets happen.
	 */
	write_all(LEAVE_SEQ, sizeof(LEAVE_SEQ) - 1);
	if (have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	active = 0;
	errno = err;
}

/* A signal that ends the program: put the terminal back, then die of it. */
static void on_fatal(int sig)
{
	top_term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Stopped from outside (kill -TSTP): leave the terminal usable while stopped. */
static void on_stop(int sig)
{
	bool was_active = active;

	top_term_restore();
	raise(SIGSTOP);
	/* Continued. */
	if (was_active)
		top_term_enter();
}

static void on_winch(int sig)
{
	redraw = 1;
}

int top_term_init(void)
{
	static const int fatal[] = { SIGHUP, SIGQUIT, SIGILL,  SIGABRT, SIGBUS,
				     SIGFPE, SIGSEGV, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction sa = {};
	size_t i;

	if (isatty(STDIN_FILENO)) {
		if (tcgetattr(STDIN_FILENO, &saved))
			return -errno;
		have_saved = true;
	}
	sa.sa_handler = on_fatal;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	/*
	 * These return: a write to the terminal they interrupt goes on
	 * (SA_RESTART), while poll() still wakes up for the redraw.
	 */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	return 0;
}

int top_term_key(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char c;

	if (!have_saved || poll(&p, 1, 0) <= 0 || read(STDIN_FILENO, &c, 1) != 1)
		return -1;
	return c;
}

bool top_term_redraw_wanted(void)
{
	if (!redraw)
		return false;
	redraw = 0;
	return true;
}

void top_term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}
