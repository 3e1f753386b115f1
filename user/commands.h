/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one-shot commands besides `trace`. Each takes its own argv (argv[0]
 * is the command name) and returns the process exit status.
 */
#ifndef REAPERTRACE_COMMANDS_H
#define REAPERTRACE_COMMANDS_H

int cmd_ns(int argc, char **argv);	/* user/snapshot/ns.c */
int cmd_zombies(int argc, char **argv); /* user/snapshot/zombies.c */

#endif /* REAPERTRACE_COMMANDS_H */
