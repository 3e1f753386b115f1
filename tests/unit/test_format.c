// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * docs/FORMAT.md's key index against what the code prints: the recordings
 * of tests/data replayed through the JSON sink, a features and a lost
 * record, and top's tick and reaper records. Every record printed must
 * have the documented keys in the documented order, and every record the
 * index names must have been printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsonl.h"
#include "lib/cli.h"
#include "sinks/sink.h"
#include "top/reapers.h"
#include "top/view.h"
#include "trace/pipeline.h"

#define MAX_RECORDS 32
#define MAX_KEYS    32

struct documented {
	char name[32];
	int nr_keys;
	char keys[MAX_KEYS][32]; /* "origin_truncated?": only after a non-null key */
	int printed;
};

struct index {
	int nr;
	struct documented rec[MAX_RECORDS];
};

/* The rows "| `name` | `key key ...` |" under "## Key index". 0 or -errno. */
static int read_index(struct index *ix)
{
	char path[512], line[1024], *keys, *key, *save;
	bool in_index = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/FORMAT.md", repo_root());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	memset(ix, 0, sizeof(*ix));
	while (fgets(line, sizeof(line), f)) {
		struct documented *d = &ix->rec[ix->nr];

		if (!strncmp(line, "## ", 3))
			in_index = !strncmp(line, "## Key index", 12);
		if (!in_index || strncmp(line, "| `", 3) || ix->nr == MAX_RECORDS)
			continue;
		if (sscanf(line, "| `%31[a-z_]` | `", d->name) != 1)
			continue;
		keys = strstr(line + 3, "| `");
		if (!keys)
			continue;
		keys += 3;
		*strchrnul(keys, '`') = 0;
		for (key = strtok_r(keys, " ", &save); key && d->nr_keys < MAX_KEYS;
		     key = strtok_r(NULL, " ", &save))
			snprintf(d->keys[d->nr_keys++], sizeof(d->keys[0]), "%s", key);
		ix->nr++;
	}
	fclose(f);
	return 0;
}

static struct documented *find_documented(struct index *ix, const char *name)
{
	int i;

	for (i = 0; i < ix->nr; i++)
		if (!strcmp(ix->rec[i].name, name))
			return &ix->rec[i];
	return NULL;
}

/* One printed record against its row of the index. */
static bool check_record(struct index *ix, const struct json_obj *o, int *diags)
{
	const char *name = json_event(o);
	struct documented *d = find_documented(ix, name);
	char want[MAX_KEYS * 32] = "", got[MAX_KEYS * 32] = "";
	bool prev_null = true;
	int i;

	if (!d) {
		if ((*diags)++ < 5)
			diag("record \"%s\" is not in the key index: %s", name, o->line);
		return false;
	}
	d->printed++;
	for (i = 0; i < o->nr; i++) {
		if (strchr(o->f[i].key, '.'))
			continue;
		strcat(got, o->f[i].key);
		strcat(got, " ");
	}
	for (i = 0; i < d->nr_keys; i++) {
		size_t len = strlen(d->keys[i]);
		bool optional = d->keys[i][len - 1] == '?';
		char key[32];

		snprintf(key, sizeof(key), "%.*s", (int)(len - optional), d->keys[i]);
		if (optional && prev_null)
			continue;
		strcat(want, key);
		strcat(want, " ");
		prev_null = json_is_null(o, key);
	}
	if (!strcmp(want, got))
		return true;
	if ((*diags)++ < 5) {
		diag("\"%s\" record: documented keys %s", name, want);
		diag("\"%s\" record: printed keys   %s", name, got);
	}
	return false;
}

/* Every line of @buf, checked. How many failed. */
static int check_lines(struct index *ix, char *buf, int *nr_lines)
{
	char *line, *save = NULL, err[128];
	int bad = 0, diags = 0;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_obj o;

		(*nr_lines)++;
		if (json_parse(line, &o, err, sizeof(err))) {
			diag("not JSON (%s): %.200s", err, line);
			bad++;
			continue;
		}
		bad += !check_record(ix, &o, &diags);
		json_free(&o);
	}
	return bad;
}

static void print_trace_records(FILE *out)
{
	struct rt_options opt = { .events = RT_EVENTS_ALL, .threads = true };
	struct rt_recording_header h;
	struct rt_features_report features = {
		.orphan_walk = "bpf_loop",
		.max_orphans = 1,
		.zombie_tables = "dynamic",
		.max_zombies = 1,
		.programs = "btf",
		.nr_hooks = 1,
		.hook = { "exit" },
		.path = { "tracepoint" },
		.events = 1U << RT_EV_REAP,
	};
	struct rt_pipeline *p;
	char cmd[512];
	FILE *f;

	rt_json_sink.features(out, &features);
	rt_json_sink.lost(out, 1, 2, 3);
	cli_parse_seconds("0.05", 0, CLI_ZOMBIE_AGE_MAX_S, &opt.zombie_age_ns);
	snprintf(cmd, sizeof(cmd), "gzip -dc < '%s/tests/data/trace-json.rec.gz'", repo_root());
	f = popen(cmd, "r");
	if (!f || rt_recording_read_header(f, &h)) {
		diag("cannot read the recording");
		test_fail();
		if (f)
			pclose(f);
		return;
	}
	p = rt_pipeline_new(&opt, h.events, &rt_json_sink, out);
	if (p)
		rt_pipeline_replay(p, f);
	rt_pipeline_free(p);
	pclose(f);
}

/* A tick with two reapers, one of them holding a zombie. */
static void print_top_records(FILE *out)
{
	struct rt_task a = { .pid = 3999901, .tid = 3999901, .comm = "rt-a" };
	struct rt_task b = { .pid = 3999902, .tid = 3999902, .comm = "rt-b" };
	struct top_table *t = top_table__new(0);
	struct rt_totals totals = {};
	struct top_frame frame = {
		.tick = 1,
		.now_ns = 3000000000ULL,
		.elapsed_ns = 1000000000ULL,
		.totals = &totals,
	};

	if (!t)
		return;
	top_table__zombie(t, 100, 7, &a, 1000000000ULL);
	top_table__adopt(t, &b, 2000000000ULL);
	top_table__advance(t, frame.now_ns, frame.elapsed_ns);
	frame.sums = top_table__sums(t);
	if (!top_table__snapshot(t, &frame.rows, &frame.nr_rows))
		top_view_json(out, &frame);
	top_table__free(t);
}

TEST(format_key_index_is_what_is_printed)
{
	struct output {
		char *buf;
		size_t len;
	} o = {};
	struct index ix;
	int i, lines = 0;
	FILE *mem;

	if (!ASSERT_OK(read_index(&ix), "read docs/FORMAT.md") ||
	    !ASSERT_GE(ix.nr, 13, "records in the key index"))
		return;
	mem = open_memstream(&o.buf, &o.len);
	if (!ASSERT_TRUE(mem, "memstream"))
		return;
	print_trace_records(mem);
	print_top_records(mem);
	fclose(mem);
	ASSERT_EQ(check_lines(&ix, o.buf, &lines), 0, "records whose keys are not as documented");
	ASSERT_GT(lines, 1000, "records checked");
	for (i = 0; i < ix.nr; i++)
		if (!ix.rec[i].printed) {
			diag("\"%s\" is in the key index but was never printed", ix.rec[i].name);
			test_fail();
		}
	free(o.buf);
}
