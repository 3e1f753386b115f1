// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The trace pipeline (user/trace/pipeline.c) and its text and JSON sinks, fed the
 * recordings of tests/data (tests/data/record.sh): the tracer's input while
 * the scenarios ran, and what it printed then. Replayed, each must give
 * that output byte for byte; with a filter, exactly the recorded records
 * that the filter's rules select.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/cli.h"
#include "harness.h"
#include "jsonl.h"
#include "trace/pipeline.h"

#define ZOMBIE_AGE "0.05" /* as recorded */

struct output {
	char *buf;
	size_t len;
};

/* The options the fixtures were recorded with: -T --zombie-age 0.05. */
static struct rt_options recorded_options(void)
{
	struct rt_options opt = {
		.events = RT_EVENTS_ALL,
		.threads = true,
		.buffer_mb = 16,
	};

	cli_parse_seconds(ZOMBIE_AGE, 0, CLI_ZOMBIE_AGE_MAX_S, &opt.zombie_age_ns);
	return opt;
}

static FILE *open_gz(const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "gzip -dc < '%s/tests/data/%s'", repo_root(), name);
	return popen(cmd, "r");
}

static int read_gz(const char *name, struct output *o)
{
	FILE *f = open_gz(name), *mem = open_memstream(&o->buf, &o->len);
	char chunk[65536];
	size_t n;

	if (!f || !mem)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	return pclose(f) ? -EIO : 0;
}

/* The recording @name through a pipeline of @opt into @sink. 0 or -errno. */
static int replay(const char *name, const struct rt_options *opt, const struct rt_sink *sink,
		  struct output *o)
{
	struct rt_recording_header h;
	struct rt_pipeline *p = NULL;
	FILE *f = open_gz(name), *mem = open_memstream(&o->buf, &o->len);
	int err = -ENOMEM;

	if (!f || !mem)
		goto out;
	err = rt_recording_read_header(f, &h);
	if (err)
		goto out;
	p = rt_pipeline_new(opt, h.events, sink, mem);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	rt_text_set_clock_offset(h.clock_offset_ns);
	sink->header(mem);
	err = rt_pipeline_replay(p, f);
out:
	rt_pipeline_free(p);
	if (mem)
		fclose(mem);
	if (f && pclose(f) && !err)
		err = -EIO;
	return err;
}

/* Equal, or a diagnostic with the first line where they differ. */
static bool same_output(const struct output *got, const struct output *want, const char *what)
{
	size_t i, line = 1, from = 0;

	if (got->len == want->len && !memcmp(got->buf, want->buf, got->len))
		return true;
	for (i = 0; i < got->len && i < want->len && got->buf[i] == want->buf[i]; i++)
		if (got->buf[i] == '\n') {
			line++;
			from = i + 1;
		}
	diag("%s: differs from line %zu (%zu bytes replayed, %zu recorded)", what, line, got->len,
	     want->len);
	diag("replayed: %.200s", got->buf + from);
	diag("recorded: %.200s", want->buf + from);
	test_fail();
	return false;
}

static void free_output(struct output *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = 0;
}

TEST(replay_text_is_the_recorded_output)
{
	struct rt_options opt = recorded_options();
	struct output got = {}, want = {};

	setenv("TZ", "UTC", 1);
	tzset();
	if (!ASSERT_OK(replay("trace-text.rec.gz", &opt, &rt_text_sink, &got), "replay") ||
	    !ASSERT_OK(read_gz("trace-text.txt.gz", &want), "read the recorded output"))
		goto out;
	same_output(&got, &want, "text");
out:
	free_output(&got);
	free_output(&want);
}

TEST(replay_json_is_the_recorded_output)
{
	struct rt_options opt = recorded_options();
	struct output got = {}, want = {};

	if (!ASSERT_OK(replay("trace-json.rec.gz", &opt, &rt_json_sink, &got), "replay") ||
	    !ASSERT_OK(read_gz("trace-json.jsonl.gz", &want), "read the recorded output"))
		goto out;
	same_output(&got, &want, "JSON");
out:
	free_output(&got);
	free_output(&want);
}

/* Whether a recorded record is one the filter must keep. */
typedef bool (*keep_fn)(const struct json_obj *o, long long arg);

/* The roles -p looks at: the process, its parents, its reaper, a signal's sender. */
static const char *const pid_roles[] = { "",	    "old_parent.", "new_parent.", "parent.",
					 "reaper.", "sender.",	   "new_reaper.", "oldest." };

static bool names_pid(const struct json_obj *o, long long pid)
{
	char key[64];
	long long v;
	size_t i;

	for (i = 0; i < sizeof(pid_roles) / sizeof(pid_roles[0]); i++) {
		snprintf(key, sizeof(key), "%spid", pid_roles[i]);
		if (json_int(o, key, &v) && v == pid)
			return true;
		snprintf(key, sizeof(key), "%stid", pid_roles[i]);
		if (json_int(o, key, &v) && v == pid)
			return true;
	}
	return false;
}

static bool in_pidns(const struct json_obj *o, long long inum)
{
	long long v;

	return json_int(o, "pidns", &v) && v == inum;
}

/* -e zombie,reap: those two, and the leaks (--zombie-age's, whatever -e says). */
static bool zombie_or_reap(const struct json_obj *o, long long unused)
{
	const char *ev = json_event(o);

	return !strcmp(ev, "zombie") || !strcmp(ev, "reap") || !strcmp(ev, "leak");
}

static bool not_a_thread_handoff(const struct json_obj *o, long long unused)
{
	const char *kind = json_str(o, "reaper_kind");

	return !kind || strcmp(kind, "thread");
}

/*
 * The recorded JSON records that @keep selects, then the summary: the
 * recorded one with the counts of events and of leaks changed to theirs.
 */
static int expected_records(const struct output *recorded, keep_fn keep, long long arg,
			    struct output *want, int *nr_kept)
{
	FILE *mem = open_memstream(&want->buf, &want->len);
	char *copy = strndup(recorded->buf, recorded->len), *line, *save = NULL;
	int kept = 0, leaks = 0;
	char err[128];

	if (!mem || !copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *lost, *leaks_at;
		struct json_obj o;

		if (json_parse(line, &o, err, sizeof(err))) {
			diag("recorded line does not parse: %s", err);
			kept = -1;
			break;
		}
		if (!strcmp(json_event(&o), "summary")) {
			/* {"event":"summary","events":N,"lost":...,"leaks":N,... */
			lost = strstr(line, ",\"lost\":");
			leaks_at = strstr(line, ",\"leaks\":");
			if (!lost || !leaks_at || lost > leaks_at) {
				diag("recorded summary without lost and leaks: %s", line);
				kept = -1;
			} else {
				fprintf(mem,
					"{\"event\":\"summary\",\"events\":%d%.*s,\"leaks\":%d%s\n",
					kept, (int)(leaks_at - lost), lost, leaks,
					strchr(leaks_at + 1, ','));
			}
		} else if (keep(&o, arg)) {
			fprintf(mem, "%s\n", line);
			kept++;
			leaks += !strcmp(json_event(&o), "leak");
		}
		json_free(&o);
	}
	fclose(mem);
	free(copy);
	*nr_kept = kept;
	return kept < 0 ? -EINVAL : 0;
}

/* The first recorded record of @event, parsed (json_free() it). */
static bool first_record(const struct output *recorded, const char *event, const char *comm,
			 struct json_obj *o)
{
	char *copy = strndup(recorded->buf, recorded->len), *line, *save = NULL;
	char err[128];
	bool found = false;

	for (line = strtok_r(copy, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (json_parse(line, o, err, sizeof(err)))
			continue;
		found = !strcmp(json_event(o), event) &&
			(!comm || !strcmp(json_str(o, "comm") ?: "", comm));
		if (!found)
			json_free(o);
	}
	free(copy);
	return found;
}

/* Replays the JSON recording with @opt: the recorded records @keep selects, no more. */
static void check_filter(const struct rt_options *opt, keep_fn keep, long long arg,
			 const char *what)
{
	struct output got = {}, recorded = {}, want = {};
	int kept;

	if (!ASSERT_OK(read_gz("trace-json.jsonl.gz", &recorded), "read the recorded output") ||
	    !ASSERT_OK(expected_records(&recorded, keep, arg, &want, &kept), "select") ||
	    !ASSERT_GT(kept, 0, "records the filter keeps") ||
	    !ASSERT_OK(replay("trace-json.rec.gz", opt, &rt_json_sink, &got), "replay"))
		goto out;
	same_output(&got, &want, what);
out:
	free_output(&got);
	free_output(&recorded);
	free_output(&want);
}

TEST(replay_filter_events)
{
	struct rt_options opt = recorded_options();

	opt.events = (1U << RT_EV_ZOMBIE) | (1U << RT_EV_REAP);
	check_filter(&opt, zombie_or_reap, 0, "-e zombie,reap");
}

TEST(replay_filter_threads)
{
	struct rt_options opt = recorded_options();

	opt.threads = false;
	check_filter(&opt, not_a_thread_handoff, 0, "without -T");
}

/* A scenario's harness: a subreaper that adopts, reaps and is the parent of zombies. */
TEST(replay_filter_pid)
{
	struct rt_options opt = recorded_options();
	struct output recorded = {};
	struct json_obj o;
	long long pid;

	if (!ASSERT_OK(read_gz("trace-json.jsonl.gz", &recorded), "read the recorded output") ||
	    !ASSERT_TRUE(first_record(&recorded, "subreaper", "rt-harness", &o),
			 "a subreaper record of rt-harness"))
		goto out;
	json_int(&o, "pid", &pid);
	json_free(&o);
	opt.pid = pid;
	check_filter(&opt, names_pid, pid, "-p");
out:
	free_output(&recorded);
}

/* A namespace a scenario tore down. */
TEST(replay_filter_pidns)
{
	struct rt_options opt = recorded_options();
	struct output recorded = {};
	struct json_obj o;
	long long inum;

	if (!ASSERT_OK(read_gz("trace-json.jsonl.gz", &recorded), "read the recorded output") ||
	    !ASSERT_TRUE(first_record(&recorded, "ns_teardown", NULL, &o), "an ns_teardown record"))
		goto out;
	json_int(&o, "pidns", &inum);
	json_free(&o);
	opt.pidns = inum;
	check_filter(&opt, in_pidns, inum, "--pidns");
out:
	free_output(&recorded);
}

/* A recording cut in the middle of an entry is refused, not half read as records. */
TEST(replay_cut_recording)
{
	struct rt_options opt = recorded_options();
	struct output whole = {}, printed = {};
	struct rt_recording_header h;
	struct rt_pipeline *p = NULL;
	FILE *cut = NULL, *mem = NULL;

	if (!ASSERT_OK(read_gz("trace-json.rec.gz", &whole), "read the recording"))
		goto out;
	cut = fmemopen(whole.buf, whole.len - 3, "r");
	mem = open_memstream(&printed.buf, &printed.len);
	if (!ASSERT_TRUE(cut && mem, "streams") ||
	    !ASSERT_OK(rt_recording_read_header(cut, &h), "header"))
		goto out;
	p = rt_pipeline_new(&opt, h.events, &rt_json_sink, mem);
	if (!ASSERT_TRUE(p, "pipeline"))
		goto out;
	ASSERT_ERR(rt_pipeline_replay(p, cut), -EINVAL, "a cut recording");
out:
	rt_pipeline_free(p);
	if (cut)
		fclose(cut);
	if (mem)
		fclose(mem);
	free_output(&whole);
	free_output(&printed);
}
