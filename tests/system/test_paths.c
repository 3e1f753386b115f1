// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every path of every hook (user/loader/loader.h), forced with REAPERTRACE_PATHS
 * on a kernel that would take the first: -v and the JSON features record
 * name the path that ran, and a scenario whose events that hook makes
 * comes out exactly. A hook forced off says so in one stderr line, its
 * event types are gone from the features record and from the stream, and
 * the scenario's other events still come out exactly.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "kfeatures.h"
#include "tracer.h"

struct hook_case {
	const char *hook;
	const char *paths[4]; /* NULL-terminated, in the loader's order */
	const char *scenario; /* one whose truth has events of this hook */
	bool threads;	      /* the scenario's truth needs -T */
	const char *lost[4];  /* the event types this hook off takes away */
};

static const struct hook_case cases[] = {
	{ "exit",
	  { "tracepoint", "tp_btf", "raw_tp" },
	  "container",
	  false,
	  { "reparent", "ns_teardown", "reaper_handoff" } },
	{ "notify",
	  { "tp_btf", "raw_tp" },
	  "exit_codes",
	  false,
	  { "zombie", "reap", "init_signal_dropped", "ns_teardown" } },
	{ "release", { "tp_btf", "raw_tp" }, "zombie_to_ignorer", false, { "zombie", "reap" } },
	{ "waits", { "tracepoint", "raw_tp" }, "exit_codes", false, { "zombie", "reap" } },
	{ "wait_begin", { "tp_btf", "raw_tp" }, "exit_codes", false, {} },
	{ "prctl", { "tracepoint", "raw_tp" }, "subreaper_toggle", false, { "subreaper" } },
	{ "settle", { "map_elem", "task" }, "leader_exits_first", true, {} },
	{ "seed", { "task" }, "exit_codes", false, {} },
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static const char *const opts[] = { "--json", "-v", NULL };
static const char *const threads_opts[] = { "--json", "-v", "-T", NULL };

/* "\"HOOK\":\"PATH\"" is in the features record's paths. */
static bool record_says(const struct tracer *tr, const char *hook, const char *path)
{
	char want[64];

	snprintf(want, sizeof(want), "\"%s\":\"%s\"", hook, path);
	return tr->features && strstr(tr->features, want);
}

/* The features record lists @event among the events the programs deliver. */
static bool record_delivers(const struct tracer *tr, const char *event)
{
	const char *list = tr->features ? strstr(tr->features, "\"events\":[") : NULL;
	char want[64];

	snprintf(want, sizeof(want), "\"%s\"", event);
	return list && strstr(list, want);
}

static bool is_lost(const struct hook_case *c, const char *event)
{
	unsigned int i;

	for (i = 0; i < 4 && c->lost[i]; i++)
		if (!strcmp(c->lost[i], event))
			return true;
	return false;
}

static bool not_lost(const struct sc_truth *t, const struct sc_event *e, void *arg)
{
	return !is_lost(arg, sc_ev_name(e->type));
}

/* Runs @c's scenario with REAPERTRACE_PATHS=@spec; checks what -v and the record say. */
static void run_case(const struct hook_case *c, const char *path)
{
	struct check_opts co = { .threads = c->threads, .max_phase = 1 };
	char spec[64], buf[1024], said[32];
	struct sc_run run = {};
	struct tracer tr = {};
	const char *line;
	unsigned int i;

	snprintf(spec, sizeof(spec), "%s=%s", c->hook, path);
	diag("REAPERTRACE_PATHS=%s, scenario %s", spec, c->scenario);
	setenv("REAPERTRACE_PATHS", spec, 1);
	if (!run_traced(c->scenario, c->threads ? threads_opts : opts, &run, &tr))
		goto out;
	line = features_line(tr.err_text, buf, sizeof(buf));
	if (!ASSERT_TRUE(line && feature_value(line, c->hook, said, sizeof(said)),
			 "-v names the hook's path")) {
		diag("stderr:\n%s", tr.err_text);
		goto out;
	}
	/* Forced first, a path the kernel refuses still gives way, and says so. */
	if (strcmp(said, path)) {
		char want[128];

		snprintf(want, sizeof(want), "(%s) refused: ", path);
		if (!ASSERT_TRUE(strstr(tr.err_text, want) != NULL,
				 "the forced path ran, or its refusal is said"))
			diag("%s=%s; stderr:\n%s", c->hook, said, tr.err_text);
	}
	if (!ASSERT_TRUE(record_says(&tr, c->hook, said), "the features record says the same"))
		diag("features: %s", tr.features ? tr.features : "(none)");
	if (!strcmp(path, "off")) {
		char want[128];

		snprintf(want, sizeof(want), "reapertrace: %s off (REAPERTRACE_PATHS): ", c->hook);
		if (!ASSERT_TRUE(strstr(tr.err_text, want) != NULL, "stderr says what is off"))
			diag("stderr:\n%s", tr.err_text);
		for (i = 0; i < 4 && c->lost[i]; i++)
			if (!ASSERT_FALSE(record_delivers(&tr, c->lost[i]),
					  "the features record leaves out the lost events"))
				diag("%s in %s", c->lost[i], tr.features);
		ASSERT_TRUE(record_delivers(&tr, "subreaper") || !strcmp(c->hook, "prctl"),
			    "the other events are still delivered");
		co.wanted = not_lost;
		co.arg = (void *)c;
	}
	check_events(&tr.doc, run.truth, &co, &tr);
out:
	unsetenv("REAPERTRACE_PATHS");
	tracer_free(&tr);
	sc_release(&run);
}

/* Every path of every hook, the first ones included (forced, they are tried first). */
TEST(paths_each_forced)
{
	unsigned int i, j;

	for (i = 0; i < NR_CASES && !test_failed(); i++)
		for (j = 0; cases[i].paths[j] && !test_failed(); j++)
			run_case(&cases[i], cases[i].paths[j]);
}

/* Every hook off: its events alone are gone, the rest exact. */
TEST(paths_each_off)
{
	unsigned int i;

	for (i = 0; i < NR_CASES && !test_failed(); i++)
		run_case(&cases[i], "off");
}

/*
 * REAPERTRACE_PATHS=fallback: every hook at its last path, and the
 * scenarios of every hook exact (the whole suite also runs so: .ci/run).
 */
TEST(paths_all_fallbacks)
{
	static const char *const last[][2] = {
		{ "exit", "raw_tp" },  { "notify", "raw_tp" },	   { "release", "raw_tp" },
		{ "waits", "raw_tp" }, { "wait_begin", "raw_tp" }, { "prctl", "raw_tp" },
		{ "settle", "task" },  { "seed", "task" },
	};
	unsigned int i, j;

	setenv("REAPERTRACE_PATHS", "fallback", 1);
	for (i = 0; i < NR_CASES && !test_failed(); i++) {
		struct check_opts co = { .threads = cases[i].threads, .max_phase = 1 };
		struct sc_run run = {};
		struct tracer tr = {};
		char buf[1024], said[32];
		const char *line;

		diag("scenario %s", cases[i].scenario);
		if (run_traced(cases[i].scenario, cases[i].threads ? threads_opts : opts, &run,
			       &tr)) {
			line = features_line(tr.err_text, buf, sizeof(buf));
			for (j = 0; j < sizeof(last) / sizeof(last[0]); j++)
				if (ASSERT_TRUE(line && feature_value(line, last[j][0], said,
								      sizeof(said)),
						"-v names every hook's path"))
					ASSERT_STREQ(said, last[j][1], last[j][0]);
			check_events(&tr.doc, run.truth, &co, &tr);
		}
		tracer_free(&tr);
		sc_release(&run);
	}
	unsetenv("REAPERTRACE_PATHS");
}

/*
 * Without forcing, a path the kernel refused is said with -v (its program,
 * the kernel's error), and the hook took a later one: on this host
 * iter/bpf_map_elem is refused, elsewhere nothing may be.
 */
TEST(paths_refusal_said)
{
	struct check_opts co = { .max_phase = 1 };
	char buf[1024], said[32], want[128];
	struct sc_run run = {};
	struct tracer tr = {};
	const char *line;
	unsigned int i;

	unsetenv("REAPERTRACE_PATHS");
	if (!run_traced("orphan_subreaper", opts, &run, &tr))
		goto out;
	line = features_line(tr.err_text, buf, sizeof(buf));
	if (!ASSERT_TRUE(line != NULL, "-v prints a features line"))
		goto out;
	diag("%s", line);
	for (i = 0; i < NR_CASES; i++) {
		if (!feature_value(line, cases[i].hook, said, sizeof(said)) ||
		    !strcmp(said, cases[i].paths[0]) || !strcmp(said, "unused"))
			continue;
		/* A later path ran: the first one's refusal was said. */
		snprintf(want, sizeof(want), "(%s) refused: ", cases[i].paths[0]);
		if (!ASSERT_TRUE(strstr(tr.err_text, want) != NULL, "the refusal is said"))
			diag("%s=%s; stderr:\n%s", cases[i].hook, said, tr.err_text);
	}
	check_events(&tr.doc, run.truth, &co, &tr);
out:
	tracer_free(&tr);
	sc_release(&run);
}

/* A REAPERTRACE_PATHS that names no hook or no path: one line, exit 1, nothing loaded. */
TEST(paths_bad_spec)
{
	static const char *const specs[] = { "exit", "nohook=tp_btf", "exit=kprobe", "settle=" };
	unsigned int i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char cmd[256];
		int status;

		snprintf(cmd, sizeof(cmd),
			 "REAPERTRACE_PATHS='%s' %s -d 1 2>&1 >/dev/null | grep -c "
			 "'^reapertrace: REAPERTRACE_PATHS: ' | grep -qx 1",
			 specs[i], tracer_bin());
		status = system(cmd);
		if (!ASSERT_EQ(status, 0, "one line naming REAPERTRACE_PATHS"))
			diag("spec '%s'", specs[i]);
		snprintf(cmd, sizeof(cmd), "REAPERTRACE_PATHS='%s' %s -d 1 >/dev/null 2>&1",
			 specs[i], tracer_bin());
		status = system(cmd);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1, "exit status 1");
	}
}
