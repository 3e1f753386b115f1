/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every command shares: option values, usage errors, exit codes, stdout. */
#ifndef REAPERTRACE_CLI_H
#define REAPERTRACE_CLI_H

#include <stdio.h>
#include <linux/types.h>

#define RT_EXIT_OK    0
#define RT_EXIT_ERROR 1
#define RT_EXIT_USAGE 2
#define RT_EXIT_LEAK  3 /* --fail-on-leak: a leak was found */

/*
 * Prints "reapertrace: <fmt with arg>; see reapertrace CMD --help" (or
 * "see reapertrace --help" for @cmd NULL: trace, the default). -EINVAL.
 */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* The message for getopt's ':' and '?' results. -EINVAL. */
int cli_bad_option(const char *cmd, int c, int opt, const char *arg);
/* A whole decimal number in [min, max]; 0 or -EINVAL. */
int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* Seconds, decimals allowed, in [min, max], into nanoseconds; 0 or -EINVAL. */
int cli_parse_seconds(const char *s, double min, double max, __u64 *ns);
/* --zombie-age, the same in every command: 0 seconds to a year. */
#define CLI_ZOMBIE_AGE_MAX_S (365 * 86400.0)
/* -p: a pid from 1 to the kernel's pid_max - 1. 0 or -EINVAL. */
int cli_parse_pid(const char *cmd, const char *arg, __u32 *pid);
/* A PID namespace: an inode number or a path such as /proc/PID/ns/pid. 0 or -EINVAL. */
int cli_parse_pidns(const char *cmd, const char *arg, __u32 *inum);
/*
 * An address to listen on: "PORT", ":PORT", "HOST:PORT" or "[HOST]:PORT",
 * HOST a numeric IPv4 or IPv6 address (@dflt when not given), PORT 0 to
 * 65535. The host into @host (@size bytes). 0 or -EINVAL.
 */
int cli_parse_listen(const char *s, const char *dflt, char *host, size_t size, unsigned int *port);
#define CLI_LISTEN_EXPECTED                                                      \
	"expected PORT or HOST:PORT, HOST a numeric address (IPv6 in brackets: " \
	"[::1]:9469)"
/*
 * Flushes stdout. 0; 0 too when the reader went away (EPIPE: nothing more
 * to say); -EIO after printing why on any other write error.
 */
int cli_flush(FILE *out);

#endif /* REAPERTRACE_CLI_H */
