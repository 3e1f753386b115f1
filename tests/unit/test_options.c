// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/trace/options.c alone: trace's and top's options into struct
 * rt_options, each value's limits, the rules between options, and the one
 * line a usage error prints (pointing to the right command's --help).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "harness.h"
#include "lib/cli.h"
#include "trace/options.h"

#define MAX_ARGS 16

struct parsed {
	int ret;
	struct rt_options opt;
	char err[512]; /* what it printed on stderr */
};

/*
 * rt_options_parse() of @args (words split at spaces) as trace's options,
 * or top's, from the defaults main() gives, stderr captured. The strings
 * the options point to (as into argv) live until the next call.
 */
static struct parsed parse(bool top, const char *args)
{
	struct parsed p = {
		.opt = { .events = RT_EVENTS_ALL, .buffer_mb = 16, .top = top },
	};
	char *argv[MAX_ARGS + 1] = { top ? "top" : "reapertrace" };
	static char words[1024];
	char *save = NULL, *w;
	int argc = 1, saved = dup(STDERR_FILENO);
	FILE *err = tmpfile();
	size_t n;

	snprintf(words, sizeof(words), "%s", args);
	for (w = strtok_r(words, " ", &save); w && argc < MAX_ARGS; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	fflush(stderr);
	dup2(fileno(err), STDERR_FILENO);
	p.ret = rt_options_parse(argc, argv, &p.opt);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(err);
	n = fread(p.err, 1, sizeof(p.err) - 1, err);
	p.err[n] = '\0';
	fclose(err);
	return p;
}

/*
 * A usage error: -EINVAL, and one line "reapertrace: ..." naming @what and
 * ending with the right command's --help (or, for a cgroup that cannot be
 * used, with where cgroups are).
 */
static bool refused(bool top, const char *args, const char *what)
{
	struct parsed p = parse(top, args);
	const char *help = top ? "; see reapertrace top --help\n" : "; see reapertrace --help\n";
	size_t len = strlen(p.err), hlen;

	if (strstr(what, "cannot use cgroup"))
		help = "; give a directory under /sys/fs/cgroup\n";
	hlen = strlen(help);
	if (!ASSERT_ERR(p.ret, -EINVAL, args))
		return false;
	if (strncmp(p.err, "reapertrace: ", 13) || !strstr(p.err, what) ||
	    strchr(p.err, '\n') != p.err + len - 1 || len < hlen ||
	    strcmp(p.err + len - hlen, help)) {
		diag("'%s' printed '%s', expected one line with '%s' ending '%s'", args, p.err,
		     what, help);
		test_fail();
		return false;
	}
	return true;
}

TEST(options_defaults_stay)
{
	struct parsed p = parse(false, "");

	ASSERT_OK(p.ret, "no options");
	ASSERT_EQ(p.opt.events, RT_EVENTS_ALL, "every event");
	ASSERT_EQ(p.opt.buffer_mb, 16, "buffer");
	ASSERT_FALSE(p.opt.json || p.opt.threads || p.opt.verbose, "no flags");
	ASSERT_EQ(p.opt.pid + p.opt.pidns + p.opt.cgroup_id + p.opt.zombie_age_ns, 0,
		  "no filter, no leak alerts");
	ASSERT_STREQ(p.err, "", "nothing printed");
}

TEST(options_each_value)
{
	struct parsed p = parse(false, "-j -T -v -p 1 -e zombie,reap -d 5 -b 32 "
				       "--zombie-age 0.5 --fail-on-leak");
	struct stat st;

	ASSERT_OK(p.ret, p.err);
	ASSERT_TRUE(p.opt.json && p.opt.threads && p.opt.verbose && p.opt.fail_on_leak, "flags");
	ASSERT_EQ(p.opt.pid, 1, "-p");
	ASSERT_EQ(p.opt.events, (1U << RT_EV_ZOMBIE) | (1U << RT_EV_REAP), "-e");
	ASSERT_EQ(p.opt.duration, 5, "-d");
	ASSERT_EQ(p.opt.buffer_mb, 32, "-b");
	ASSERT_EQ(p.opt.zombie_age_ns, 500000000ULL, "--zombie-age 0.5");

	p = parse(false, "--zombie-age=0");
	ASSERT_EQ(p.opt.zombie_age_ns, 1, "--zombie-age 0: every zombie, not 'unset'");
	if (!stat("/proc/self/ns/pid", &st)) {
		p = parse(false, "--pidns=/proc/self/ns/pid");
		ASSERT_OK(p.ret, p.err);
		ASSERT_EQ(p.opt.pidns, st.st_ino, "--pidns as a path");
	}
	/* an id no container has: accepted, and said to match none yet */
	p = parse(false, "--container ffffffffffff0000ffffffff");
	ASSERT_OK(p.ret, p.err);
	ASSERT_STREQ(p.opt.container, "ffffffffffff0000ffffffff", "--container");
	ASSERT_TRUE(strstr(p.err, "no container's id starts with ffffffffffff0000ffffffff"),
		    "a prefix that matches nothing yet is said");
	p = parse(false, "--metrics 9469 --metrics-top 5 -q");
	ASSERT_OK(p.ret, p.err);
	ASSERT_STREQ(p.opt.metrics, "9469", "--metrics");
	ASSERT_TRUE(p.opt.metrics_top == 5 && p.opt.quiet, "--metrics-top, -q");
	p = parse(true, "-i 0.5 -n 3 -j");
	ASSERT_OK(p.ret, p.err);
	ASSERT_EQ(p.opt.interval_ns, 500000000ULL, "top -i 0.5");
	ASSERT_EQ(p.opt.count, 3, "top -n");
}

TEST(options_values_out_of_range)
{
	refused(false, "-b 3", "power of two");
	refused(false, "-b 2048", "power of two");
	refused(false, "-d 0", "invalid duration");
	refused(false, "-d 1.5", "invalid duration");
	refused(false, "--zombie-age -1", "invalid --zombie-age");
	refused(false, "-e bogus", "unknown event 'bogus'");
	refused(false, "-e ,", "names no event");
	refused(false, "-p 0", "invalid pid");
	refused(false, "-p 12x", "invalid pid");
	refused(false, "-p 99999999", "invalid pid");
	refused(false, "--pidns x", "invalid --pidns");
	refused(false, "-c /nonexistent-cgroup", "cannot use cgroup");
	refused(false, "--container web", "invalid --container 'web'");
	refused(false, "--container 3F2A", "invalid --container");
	refused(false,
		"--container 3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c60",
		"invalid --container");
	refused(false, "--metrics localhost:9469", "invalid --metrics 'localhost:9469'");
	refused(false, "--metrics ::1:9469", "IPv6 in brackets");
	refused(false, "--metrics 127.0.0.1:65536", "invalid --metrics");
	refused(false, "--metrics 9469 --metrics-top 0", "invalid --metrics-top");
	refused(false, "--metrics 9469 --metrics-top 1001", "invalid --metrics-top");
	refused(true, "-i 0.05", "invalid interval");
	refused(true, "-n 0", "invalid count");
}

TEST(options_rules_between_options)
{
	refused(false, "--fail-on-leak", "--fail-on-leak needs --zombie-age");
	refused(false, "-i 1", "-i is an option of reapertrace top");
	refused(false, "-n 2", "-n is an option of reapertrace top");
	refused(true, "-T", "-T is not an option of reapertrace top");
	refused(true, "-e zombie", "-e is not an option of reapertrace top");
	refused(true, "--zombie-age 1", "--zombie-age is not an option of reapertrace top");
	refused(false, "--metrics-top 5", "--metrics-top needs --metrics");
	refused(true, "-q", "-q is not an option of reapertrace top");
	refused(false, "extra", "unexpected argument 'extra'");
	refused(false, "-x", "unknown option '-x'");
	refused(false, "-p", "-p");
	refused(true, "--bogus", "--bogus");
}

TEST(options_listen_addresses)
{
	static const struct {
		const char *arg, *host;
		unsigned int port;
	} ok[] = {
		{ "9469", "127.0.0.1", 9469 },	 { ":9469", "127.0.0.1", 9469 },
		{ "0.0.0.0:80", "0.0.0.0", 80 }, { "[::]:9469", "::", 9469 },
		{ "[::1]:0", "::1", 0 },	 { "10.1.2.3:65535", "10.1.2.3", 65535 },
	};
	static const char *const bad[] = { "",		 "x",	      "127.0.0.1",  "[::1]",
					   "::1:9469",	 "host:9469", "1.2.3.4:-1", "[1.2.3.4]:1",
					   "1.2.3:9469", ":",	      "[]:9469" };
	unsigned int port, i;
	char host[64];

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ASSERT_OK(cli_parse_listen(ok[i].arg, "127.0.0.1", host, sizeof(host), &port),
			      ok[i].arg)) {
			ASSERT_STREQ(host, ok[i].host, ok[i].arg);
			ASSERT_EQ(port, ok[i].port, ok[i].arg);
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_ERR(cli_parse_listen(bad[i], "127.0.0.1", host, sizeof(host), &port),
			   -EINVAL, bad[i]);
}

TEST(options_help_and_version_are_results)
{
	ASSERT_EQ(parse(false, "-h").ret, RT_OPTIONS_HELP, "-h");
	ASSERT_EQ(parse(true, "--help").ret, RT_OPTIONS_HELP, "top --help");
	ASSERT_EQ(parse(false, "-V").ret, RT_OPTIONS_VERSION, "-V");
	ASSERT_TRUE(strstr(rt_trace_usage, "USAGE: reapertrace"), "trace's usage text");
}
