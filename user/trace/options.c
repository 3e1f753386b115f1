// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The options of trace and top, which share struct rt_options: the table,
 * the parsers of each value, the rules between options, and trace's --help.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "lib/cgroups.h"
#include "lib/cli.h"
#include "lib/container.h"
#include "lib/names.h"
#include "metrics/metrics.h"
#include "trace/options.h"

const char rt_trace_usage[] =
	"Trace process adoption: orphans reparented, zombies, reaps, subreapers, and\n"
	"PID namespace inits: signals they drop, their reaper threads, their teardown.\n"
	"\n"
	"USAGE: reapertrace [trace] [-j] [-T] [-p PID] [--pidns INODE] [-c CGROUP] [--container ID]\n"
	"                   [-e EVENTS] [-d SECONDS] [-b MB] [--zombie-age SECONDS [--fail-on-leak]]\n"
	"                   [--metrics [HOST:]PORT [--metrics-top N]] [-q] [-v]\n"
	"       reapertrace ns [-j]       # PID namespaces now: see reapertrace ns --help\n"
	"       reapertrace zombies [-j]  # zombies now: see reapertrace zombies --help\n"
	"       reapertrace top [-j] [-i SECONDS] [-n COUNT] [...]   (see reapertrace top -h)\n"
	"\n"
	"EXAMPLES:\n"
	"    reapertrace                   # every event\n"
	"    reapertrace -j                # the same as JSON Lines, for programs\n"
	"    reapertrace -p 1234           # events where 1234 is the process, a parent or the reaper\n"
	"    reapertrace --pidns $(stat -Lc %i /proc/1234/ns/pid)\n"
	"                                  # only processes of 1234's PID namespace (a container)\n"
	"    reapertrace -c /sys/fs/cgroup/system.slice/foo.service\n"
	"                                  # only processes of this cgroup (and below it)\n"
	"    reapertrace --container 3f2a9c0d1e4b\n"
	"                                  # only processes of this container\n"
	"    reapertrace -e zombie,reap    # who leaves zombies, and who reaps them how late\n"
	"    reapertrace -e init_signal_dropped\n"
	"                                  # signals a container's PID 1 never gets\n"
	"    reapertrace -T                # also orphans handed to a sibling thread\n"
	"    reapertrace --zombie-age 30   # also flag each reaper holding a zombie over 30 s\n"
	"    reapertrace -e reparent --zombie-age 5 --fail-on-leak -d 60 > /dev/null\n"
	"                                  # a health check: exit 3 if a zombie leaks\n"
	"    reapertrace -d 10 -j > events.jsonl\n"
	"                                  # record 10 seconds\n"
	"    reapertrace top               # live per-reaper view: zombies, adoptions, reaps\n"
	"    reapertrace --metrics 9469 -q # a Prometheus exporter on 127.0.0.1:9469/metrics\n"
	"    reapertrace --metrics 0.0.0.0:9469 -j >> events.jsonl\n"
	"                                  # metrics on every address, and the stream\n"
	"\n"
	"OPTIONS:\n"
	"  -j, --json               JSON Lines output (one object per line)\n"
	"  -p, --pid=PID            only events where PID is the process, a parent or the reaper\n"
	"      --pidns=INODE        only events of processes in this PID namespace (its inode\n"
	"                           number, or a path such as /proc/PID/ns/pid)\n"
	"  -c, --cgroup=PATH        only events of processes in this cgroup v2 directory or\n"
	"                           one below it\n"
	"      --container=ID       only events of processes in this container: its id or a\n"
	"                           unique prefix (as docker ps shows it)\n"
	"  -e, --events=LIST        comma-separated: reparent, zombie, reap, subreaper,\n"
	"                           init_signal_dropped, ns_teardown, reaper_handoff\n"
	"                           (default: all)\n"
	"  -T, --threads            also show orphans handed to a sibling thread (kind \"thread\")\n"
	"  -d, --duration=SECONDS   stop after SECONDS\n"
	"  -b, --buffer-mb=MB       ring buffer size in MiB, a power of two (default 16)\n"
	"      --zombie-age=SECONDS a \"leak\" line for each reaper that holds a zombie older\n"
	"                           than SECONDS (decimals allowed, 0 or more), once per reaper\n"
	"      --fail-on-leak       exit with status 3 if a leak was reported\n"
	"      --metrics=[HOST:]PORT\n"
	"                           serve Prometheus metrics at http://HOST:PORT/metrics\n"
	"                           (HOST a numeric address, 127.0.0.1 by default; 0.0.0.0\n"
	"                           or [::] for every one), beside the stream\n"
	"      --metrics-top=N      per-container zombie and pids.max series for the N\n"
	"                           holding the most zombies, the rest summed (default 20)\n"
	"  -q, --quiet              no events on stdout (with --metrics: only serve them)\n"
	"  -v, --verbose            libbpf debug output on stderr\n"
	"  -V, --version            print the version and exit\n"
	"  -h, --help               print this help and exit\n"
	"\n"
	"Stops on Ctrl-C, SIGTERM, -d, or when stdout is closed. Needs root (CAP_BPF and\n"
	"CAP_PERFMON, or CAP_SYS_ADMIN; CAP_SYS_ADMIN also to mount tracefs if it is not\n"
	"mounted). See reapertrace(8) and docs/FORMAT.md for the output.\n";

enum {
	OPT_PIDNS = 0x100,
	OPT_ZOMBIE_AGE,
	OPT_FAIL_ON_LEAK,
	OPT_CONTAINER,
	OPT_METRICS,
	OPT_METRICS_TOP
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pid", required_argument, NULL, 'p' },
	{ "pidns", required_argument, NULL, OPT_PIDNS },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "events", required_argument, NULL, 'e' },
	{ "threads", no_argument, NULL, 'T' },
	{ "duration", required_argument, NULL, 'd' },
	{ "buffer-mb", required_argument, NULL, 'b' },
	{ "zombie-age", required_argument, NULL, OPT_ZOMBIE_AGE },
	{ "fail-on-leak", no_argument, NULL, OPT_FAIL_ON_LEAK },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-top", required_argument, NULL, OPT_METRICS_TOP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

/* The command whose --help the message points to: trace's or top's. */
static const char *command(const struct rt_options *opt)
{
	return opt->top ? "top" : NULL;
}

static int usage_error(const struct rt_options *opt, const char *fmt, const char *arg)
{
	return cli_usage_error(command(opt), fmt, arg);
}

static int parse_cgroup(const char *arg, struct rt_options *opt)
{
	struct statfs fs;
	struct stat st;

	if (stat(arg, &st) || statfs(arg, &fs)) {
		fprintf(stderr,
			"reapertrace: cannot use cgroup '%s': %s; give a directory under "
			"/sys/fs/cgroup\n",
			arg, strerror(errno));
		return -EINVAL;
	}
	if (fs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		return usage_error(opt,
				   "'%s' is not a cgroup v2 directory (mounted cgroup2, e.g. "
				   "under /sys/fs/cgroup)",
				   arg);
	opt->cgroup_id = st.st_ino;
	opt->cgroup_path = arg;
	return 0;
}

/*
 * --container: a prefix must name one container at most, as docker wants
 * it; one that names none yet may name a container still to start.
 */
static int check_container(const struct rt_options *opt)
{
	char ids[2][CONTAINER_ID_LEN + 1];
	char msg[256];
	int n = cgroups__find_containers(opt->container, ids, 2);

	if (n == 0)
		fprintf(stderr,
			"reapertrace: no container's id starts with %s now: waiting for one "
			"that does\n",
			opt->container);
	if (n < 2)
		return 0;
	snprintf(msg, sizeof(msg),
		 "--container '%s' names %d containers (%.12s, %.12s%s): give more of the id",
		 opt->container, n, ids[0], ids[1], n > 2 ? ", ..." : "");
	return usage_error(opt, "%s", msg);
}

/* top -i: seconds, decimals allowed, from 0.1 to a day. */
static int parse_interval(const char *arg, struct rt_options *opt)
{
	if (cli_parse_seconds(arg, 0.1, 86400, &opt->interval_ns))
		return usage_error(opt,
				   "invalid interval '%s': expected seconds from 0.1 to 86400 "
				   "(such as 1 or 0.5)",
				   arg);
	return 0;
}

static int parse_events(const char *arg, struct rt_options *opt)
{
	char *list = strdup(arg), *name, *save = NULL;
	int err = 0, type;

	if (!list)
		return -ENOMEM;
	opt->events = 0;
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (type = 0; type < RT_EV_MAX; type++)
			if (rt_event_name(type) && !strcmp(name, rt_event_name(type)))
				break;
		if (type == RT_EV_MAX) {
			err = usage_error(opt,
					  "unknown event '%s' in -e: expected a comma-separated "
					  "list of reparent, zombie, reap, subreaper, "
					  "init_signal_dropped, ns_teardown, reaper_handoff",
					  name);
			break;
		}
		opt->events |= 1U << type;
	}
	if (!err && !opt->events)
		err = usage_error(opt, "-e '%s' names no event", arg);
	free(list);
	return err;
}

int rt_options_parse(int argc, char **argv, struct rt_options *opt)
{
	unsigned long n;
	int c;

	optind = 0; /* glibc: start over, also on a second call */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jp:c:e:Td:b:i:n:qvVh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt->json = true;
			break;
		case 'p':
			if (cli_parse_pid(command(opt), optarg, &opt->pid))
				return -EINVAL;
			break;
		case OPT_PIDNS:
			if (cli_parse_pidns(command(opt), optarg, &opt->pidns))
				return -EINVAL;
			break;
		case 'c':
			if (parse_cgroup(optarg, opt))
				return -EINVAL;
			break;
		case OPT_CONTAINER:
			if (!container_id_valid(optarg))
				return usage_error(
					opt,
					"invalid --container '%s': expected a container id "
					"or its prefix (1 to 64 hex digits, as docker ps "
					"shows it)",
					optarg);
			opt->container = optarg;
			break;
		case 'e':
			if (parse_events(optarg, opt))
				return -EINVAL;
			break;
		case 'T':
			opt->threads = true;
			break;
		case 'd':
			if (cli_parse_ulong(optarg, 1, INT_MAX, &n))
				return usage_error(opt,
						   "invalid duration '%s': expected whole seconds, "
						   "at least 1",
						   optarg);
			opt->duration = n;
			break;
		case 'b':
			if (cli_parse_ulong(optarg, 1, 1024, &n) || (n & (n - 1)))
				return usage_error(opt,
						   "invalid --buffer-mb '%s': expected a power of "
						   "two from 1 to 1024",
						   optarg);
			opt->buffer_mb = n;
			break;
		case OPT_ZOMBIE_AGE:
			if (cli_parse_seconds(optarg, 0, CLI_ZOMBIE_AGE_MAX_S, &opt->zombie_age_ns))
				return usage_error(
					opt,
					"invalid --zombie-age '%s': expected seconds, 0 or "
					"more (such as 30 or 0.5)",
					optarg);
			/* 0 is "older than 0": every zombie (and 0 would mean "not set"). */
			if (!opt->zombie_age_ns)
				opt->zombie_age_ns = 1;
			break;
		case OPT_FAIL_ON_LEAK:
			opt->fail_on_leak = true;
			break;
		case 'i':
			if (parse_interval(optarg, opt))
				return -EINVAL;
			break;
		case 'n':
			if (cli_parse_ulong(optarg, 1, INT_MAX, &n))
				return usage_error(
					opt,
					"invalid count '%s': expected a whole number, at "
					"least 1",
					optarg);
			opt->count = n;
			break;
		case OPT_METRICS: {
			char host[64];
			unsigned int port;

			if (cli_parse_listen(optarg, "127.0.0.1", host, sizeof(host), &port))
				return usage_error(opt,
						   "invalid --metrics '%s': " CLI_LISTEN_EXPECTED,
						   optarg);
			opt->metrics = optarg;
			break;
		}
		case OPT_METRICS_TOP:
			if (cli_parse_ulong(optarg, 1, METRICS_TOP_MAX, &n))
				return usage_error(opt,
						   "invalid --metrics-top '%s': expected a whole "
						   "number from 1 to " METRICS_TOP_MAX_STR,
						   optarg);
			opt->metrics_top = n;
			break;
		case 'q':
			opt->quiet = true;
			break;
		case 'v':
			opt->verbose = true;
			break;
		case 'V':
			return RT_OPTIONS_VERSION;
		case 'h':
			return RT_OPTIONS_HELP;
		default:
			return cli_bad_option(command(opt), c, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(opt, "unexpected argument '%s'", argv[optind]);
	if (opt->fail_on_leak && !opt->zombie_age_ns)
		return usage_error(opt, "%s needs --zombie-age", "--fail-on-leak");
	if (opt->metrics_top && !opt->metrics)
		return usage_error(opt, "%s needs --metrics", "--metrics-top");
	if (opt->quiet && opt->top)
		return usage_error(opt, "%s is not an option of reapertrace top", "-q");
	if (opt->container && check_container(opt))
		return -EINVAL;
	if (opt->top && (opt->events != RT_EVENTS_ALL || opt->threads || opt->zombie_age_ns))
		return usage_error(opt,
				   "%s is not an option of reapertrace top (it counts every event, "
				   "without thread handoffs; ZOMBIES and OLDEST show old zombies)",
				   opt->threads	      ? "-T" :
				   opt->zombie_age_ns ? "--zombie-age" :
							"-e");
	if (!opt->top && (opt->interval_ns || opt->count))
		return usage_error(opt, "%s is an option of reapertrace top",
				   opt->count ? "-n" : "-i");
	return 0;
}
