// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * reapertrace: the command table. The first argument names the command:
 * `trace` (the default) streams events, `top` counts them per reaper
 * (user/top/top.c), both with the options of user/trace/options.c; `ns`
 * and `zombies` (user/snapshot/) print a snapshot and parse their own.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "lib/cli.h"
#include "commands.h"
#include "trace/options.h"
#include "top/top.h"
#include "trace/trace.h"

/*
 * With stdin, stdout or stderr closed, the next open (a BPF object) would
 * take its number and events would be written into it.
 */
static void open_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
			exit(1);
}

/* trace and top share the options of struct rt_options. */
static int run_stream(int argc, char **argv, bool top)
{
	struct rt_options opt = {
		.events = RT_EVENTS_ALL,
		.buffer_mb = 16,
		.top = top,
	};
	int err;

	err = rt_options_parse(argc, argv, &opt);
	if (err == RT_OPTIONS_VERSION)
		printf("reapertrace %s (libbpf %s)\n", REAPERTRACE_VERSION,
		       libbpf_version_string());
	else if (err == RT_OPTIONS_HELP)
		fputs(top ? rt_top_usage : rt_trace_usage, stdout);
	if (err)
		return err > 0 ? RT_EXIT_OK : RT_EXIT_USAGE;
	err = top ? run_top(&opt) : run_trace(&opt);
	if (err == RT_EXIT_LEAK)
		return RT_EXIT_LEAK;
	return err ? RT_EXIT_ERROR : RT_EXIT_OK;
}

static int cmd_trace(int argc, char **argv)
{
	return run_stream(argc, argv, false);
}

static int cmd_top(int argc, char **argv)
{
	return run_stream(argc, argv, true);
}

/* As bpftool's: the first argument names the command; none, or an option, is trace. */
static const struct rt_command {
	const char *name;
	int (*do_cmd)(int argc, char **argv); /* argv[0]: the command's name */
} commands[] = {
	{ "trace", cmd_trace },
	{ "top", cmd_top },
	{ "ns", cmd_ns },
	{ "zombies", cmd_zombies },
};

int main(int argc, char **argv)
{
	unsigned int i;

	open_std_fds();
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].do_cmd(argc - 1, argv + 1);
	return cmd_trace(argc, argv);
}
