// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `reapertrace ns`: one row per live PID namespace the caller can see, with
 * its child reaper and what it holds. From the reapertrace kernel module's
 * /proc/reapertrace/namespaces when it is loaded (with its counters since
 * load), else computed by the BPF task iterator (counters shown as '-').
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/cgroups.h"
#include "lib/cli.h"
#include "commands.h"
#include "snapshot/snap.h"
#include "lib/comm.h"
#include "lib/docker_names.h"
#include "lib/json.h"
#include "snapshot/columns.h"

#define KMOD_FORMAT_VERSION 1
#define NR_COUNTERS	    5
#define NR_COLUMNS	    16
#define NR_TEXT_COLUMNS	    (NR_COLUMNS + 1) /* and CONTAINER, the reaper's */

/* The module's columns, in this order (docs/FORMAT.md); the text adds CONTAINER. */
static const char *const columns[NR_COLUMNS] = {
	"PIDNS",
	"LEVEL",
	"REAPER_PID",
	"REAPER_NSPID",
	"REAPER_COMM",
	"SIGCHLD",
	"SIGTERM",
	"TASKS",
	"ZOMBIES",
	"OLDEST_ZOMBIE_MS",
	"SUBREAPERS",
	"ADOPTED_THREAD",
	"ADOPTED_SUBREAPER",
	"ADOPTED_INIT",
	"ZOMBIES_CREATED",
	"ZOMBIES_REAPED",
};

static const char usage_text[] =
	"Show every live PID namespace: its child reaper (PID 1 there), how it handles\n"
	"SIGCHLD and SIGTERM, its tasks, zombies and subreapers.\n"
	"\n"
	"USAGE: reapertrace ns [-j] [--bpf] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    reapertrace ns                # a table, sorted by LEVEL then PIDNS\n"
	"    reapertrace ns -j             # one JSON object per namespace\n"
	"    reapertrace ns -j | jq 'select(.zombies > 0)'\n"
	"                                  # namespaces that hold zombies\n"
	"    nsenter -t 1234 -p reapertrace ns\n"
	"                                  # as seen from inside 1234's namespace\n"
	"\n"
	"OPTIONS:\n"
	"  -j, --json       JSON Lines output (one object per namespace)\n"
	"      --bpf        compute with BPF even when the reapertrace module is loaded\n"
	"  -v, --verbose    libbpf debug output on stderr\n"
	"  -h, --help       print this help and exit\n"
	"\n"
	"With the reapertrace kernel module loaded, reads /proc/reapertrace/namespaces\n"
	"(root only) and shows its counters since load; otherwise a BPF task iterator\n"
	"computes the other columns and the counters are '-' (null in JSON). A caller\n"
	"inside a PID namespace sees that namespace and those below it, with pids as it\n"
	"sees them. Needs root. See reapertrace-ns(8).\n";

struct ns_row {
	__u32 pidns, level, reaper_pid, reaper_nspid;
	char reaper_comm[RT_SNAP_COMM_LEN];
	const char *sigchld, *sigterm;
	__u64 tasks, zombies, oldest_ms, subreapers;
	bool has_counters;
	__u64 counters[NR_COUNTERS];
	bool has_container;
	struct container container; /* the reaper's, from /proc, if has_container */
};

struct ns_table {
	struct ns_row *rows;
	size_t nr, cap;
};

static struct ns_row *ns_row_get(struct ns_table *t, __u32 pidns)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->rows[i].pidns == pidns)
			return &t->rows[i];
	if (array_reserve((void **)&t->rows, &t->cap, sizeof(*t->rows), t->nr + 1))
		return NULL;
	memset(&t->rows[t->nr], 0, sizeof(t->rows[0]));
	t->rows[t->nr].pidns = pidns;
	return &t->rows[t->nr++];
}

/* The snapshot columns from the task iterator. */
static int ns_from_bpf(struct ns_table *t, bool verbose)
{
	struct rt_snap snap;
	size_t i;
	int err;

	err = rt_snap_collect(&snap, verbose);
	if (err)
		return err;
	for (i = 0; i < snap.nr; i++) {
		const struct rt_snap_task *k = &snap.tasks[i];
		struct ns_row *r = ns_row_get(t, k->pidns);

		if (!r) {
			err = -ENOMEM;
			break;
		}
		if (!r->tasks) {
			r->level = k->pidns_level;
			r->reaper_pid = k->reaper_pid;
			r->reaper_nspid = k->reaper_nspid;
			memcpy(r->reaper_comm, k->reaper_comm, sizeof(r->reaper_comm));
			r->reaper_comm[sizeof(r->reaper_comm) - 1] = 0;
			r->sigchld = rt_disposition_name(k->reaper_sigchld);
			r->sigterm = rt_disposition_name(k->reaper_sigterm);
		}
		r->tasks++;
		if (k->flags & RT_SNAP_SUBREAPER)
			r->subreapers++;
		if (k->flags & RT_SNAP_ZOMBIE) {
			r->zombies++;
			if (k->age_ns / 1000000 > r->oldest_ms)
				r->oldest_ms = k->age_ns / 1000000;
		}
	}
	rt_snap_free(&snap);
	return err;
}

/* ---- the module's /proc files ---- */

static const char *proc_dir(void)
{
	/* For the tests: a directory standing in for /proc/reapertrace. */
	const char *dir = getenv("REAPERTRACE_PROC_DIR");

	return dir && *dir ? dir : "/proc/reapertrace";
}

static int kmod_error(const char *path, const char *what, const char *detail)
{
	fprintf(stderr,
		"reapertrace: %s: %s%s; this reapertrace reads format version %d: load the "
		"reapertrace module built with it, or use --bpf\n",
		path, what, detail, KMOD_FORMAT_VERSION);
	return -EPROTO;
}

/* Checks the format file: "version 1" and our columns. 0 or -errno. */
static int kmod_check_format(const char *dir)
{
	char path[512], line[1024], cols[1024] = "";
	bool have_version = false, have_columns = false;
	int err = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/format", dir);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		fprintf(stderr, "reapertrace: cannot read %s: %s\n", path, strerror(-err));
		return err;
	}
	for (i = 0; i < NR_COLUMNS; i++)
		snprintf(cols + strlen(cols), sizeof(cols) - strlen(cols), "%s%s", i ? " " : "",
			 columns[i]);
	while (!err && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "version ", 8)) {
			unsigned long v;

			have_version = true;
			if (cli_parse_ulong(line + 8, 0, UINT32_MAX, &v) ||
			    v != KMOD_FORMAT_VERSION)
				err = kmod_error(path, "format version ", line + 8);
		} else if (!strncmp(line, "columns ", 8)) {
			have_columns = true;
			if (strcmp(line + 8, cols))
				err = kmod_error(path, "unexpected columns ", line + 8);
		}
	}
	fclose(f);
	if (!err && (!have_version || !have_columns))
		err = kmod_error(path, "no version or columns line", "");
	return err;
}

/* Undoes the module's \ooo escapes into @out (at most @size - 1 bytes). */
static int unescape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	while (*s) {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			if (s[0] < '0' || s[0] > '3' || s[1] < '0' || s[1] > '7' || s[2] < '0' ||
			    s[2] > '7')
				return -EINVAL;
			c = (s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0');
			s += 3;
		}
		if (n + 1 >= size)
			return -EINVAL;
		out[n++] = c;
	}
	out[n] = 0;
	return 0;
}

static const char *disposition(const char *s)
{
	static const char *const names[] = { "default", "ignore", "handler" };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return NULL;
}

static int u64_field(const char *s, __u64 *v)
{
	unsigned long n;

	if (cli_parse_ulong(s, 0, ULONG_MAX, &n))
		return -EINVAL;
	*v = n;
	return 0;
}

static int u32_field(const char *s, __u32 *v)
{
	unsigned long n;

	if (cli_parse_ulong(s, 0, UINT32_MAX, &n))
		return -EINVAL;
	*v = n;
	return 0;
}

static int kmod_parse_row(char *line, struct ns_row *r)
{
	char *field[NR_COLUMNS + 1], *save = NULL;
	__u64 *num[] = { &r->tasks, &r->zombies, &r->oldest_ms, &r->subreapers };
	int n = 0, i;

	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (n <= NR_COLUMNS)
			field[n++] = tok;
	if (n != NR_COLUMNS)
		return -EINVAL;
	if (u32_field(field[0], &r->pidns) || u32_field(field[1], &r->level) ||
	    u32_field(field[2], &r->reaper_pid) || u32_field(field[3], &r->reaper_nspid) ||
	    unescape(field[4], r->reaper_comm, sizeof(r->reaper_comm)))
		return -EINVAL;
	r->sigchld = disposition(field[5]);
	r->sigterm = disposition(field[6]);
	if (!r->sigchld || !r->sigterm)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if (u64_field(field[7 + i], num[i]))
			return -EINVAL;
	for (i = 0; i < NR_COUNTERS; i++)
		if (u64_field(field[11 + i], &r->counters[i]))
			return -EINVAL;
	r->has_counters = true;
	return 0;
}

static int ns_from_kmod(struct ns_table *t, const char *dir)
{
	char path[512], *line = NULL, header[1024] = "";
	size_t cap = 0;
	int err, lineno = 0, i;
	FILE *f;

	err = kmod_check_format(dir);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/namespaces", dir);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		fprintf(stderr, "reapertrace: cannot read %s: %s%s\n", path, strerror(-err),
			err == -EACCES ? "; it is readable by root only" : "");
		return err;
	}
	for (i = 0; i < NR_COLUMNS; i++)
		snprintf(header + strlen(header), sizeof(header) - strlen(header), "%s%s",
			 i ? " " : "", columns[i]);
	while (getline(&line, &cap, f) > 0) {
		struct ns_row row = {}, *r;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (lineno == 1) {
			if (strcmp(line, header)) {
				err = kmod_error(path, "unexpected header ", line);
				break;
			}
			continue;
		}
		if (kmod_parse_row(line, &row)) {
			char where[32];

			snprintf(where, sizeof(where), "%d", lineno);
			err = kmod_error(path, "cannot parse line ", where);
			break;
		}
		r = ns_row_get(t, row.pidns);
		if (!r) {
			err = -ENOMEM;
			break;
		}
		*r = row;
	}
	if (!err && ferror(f)) {
		err = -EIO;
		fprintf(stderr, "reapertrace: cannot read %s\n", path);
	}
	if (!err && !lineno)
		err = kmod_error(path, "empty file", "");
	free(line);
	fclose(f);
	return err;
}

/* ---- output ---- */

static int by_level_then_pidns(const void *a, const void *b)
{
	const struct ns_row *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->pidns < y->pidns ? -1 : x->pidns > y->pidns;
}

static void print_json(const struct ns_table *t, FILE *out)
{
	static const char *const counter_keys[NR_COUNTERS] = {
		"adopted_thread",  "adopted_subreaper", "adopted_init",
		"zombies_created", "zombies_reaped",
	};
	size_t i;
	int c;

	for (i = 0; i < t->nr; i++) {
		const struct ns_row *r = &t->rows[i];

		fprintf(out,
			"{\"pidns\":%u,\"level\":%u,\"reaper_pid\":%u,\"reaper_nspid\":%u,"
			"\"reaper_comm\":",
			r->pidns, r->level, r->reaper_pid, r->reaper_nspid);
		json_string(out, r->reaper_comm, sizeof(r->reaper_comm));
		fprintf(out,
			",\"sigchld\":\"%s\",\"sigterm\":\"%s\",\"tasks\":%llu,\"zombies\":%llu,"
			"\"oldest_zombie_ms\":%llu,\"subreapers\":%llu",
			r->sigchld, r->sigterm, (unsigned long long)r->tasks,
			(unsigned long long)r->zombies, (unsigned long long)r->oldest_ms,
			(unsigned long long)r->subreapers);
		for (c = 0; c < NR_COUNTERS; c++) {
			if (r->has_counters)
				fprintf(out, ",\"%s\":%llu", counter_keys[c],
					(unsigned long long)r->counters[c]);
			else
				fprintf(out, ",\"%s\":null", counter_keys[c]);
		}
		fprintf(out, ",\"source\":\"%s\"", r->has_counters ? "kmod" : "bpf");
		json_container(out, r->has_container ? &r->container : NULL);
		fputs("}\n", out);
	}
}

static int print_text(const struct ns_table *t, FILE *out)
{
	const char *text_columns[NR_TEXT_COLUMNS];
	char cell[NR_TEXT_COLUMNS][32];
	const char *row[NR_TEXT_COLUMNS];
	struct columns tab;
	size_t i;
	int c, err = 0;

	memcpy(text_columns, columns, sizeof(columns));
	text_columns[NR_COLUMNS] = "CONTAINER";
	columns_init(&tab, NR_TEXT_COLUMNS, text_columns);
	for (c = 0; c < NR_TEXT_COLUMNS; c++)
		row[c] = cell[c];
	for (i = 0; i < t->nr && !err; i++) {
		const struct ns_row *r = &t->rows[i];

		snprintf(cell[0], 32, "%u", r->pidns);
		snprintf(cell[1], 32, "%u", r->level);
		snprintf(cell[2], 32, "%u", r->reaper_pid);
		snprintf(cell[3], 32, "%u", r->reaper_nspid);
		comm_printable(r->reaper_comm, sizeof(r->reaper_comm), cell[4], 32, COMM_NO_SPACES);
		snprintf(cell[5], 32, "%s", r->sigchld);
		snprintf(cell[6], 32, "%s", r->sigterm);
		snprintf(cell[7], 32, "%llu", (unsigned long long)r->tasks);
		snprintf(cell[8], 32, "%llu", (unsigned long long)r->zombies);
		snprintf(cell[9], 32, "%llu", (unsigned long long)r->oldest_ms);
		snprintf(cell[10], 32, "%llu", (unsigned long long)r->subreapers);
		for (c = 0; c < NR_COUNTERS; c++) {
			if (r->has_counters)
				snprintf(cell[11 + c], 32, "%llu",
					 (unsigned long long)r->counters[c]);
			else
				snprintf(cell[11 + c], 32, "-");
		}
		snprintf(cell[16], 32, "%.*s", CONTAINER_SHORT,
			 r->has_container ? r->container.id : "-");
		err = columns_add(&tab, row);
	}
	if (!err)
		columns_print(&tab, out);
	columns_free(&tab);
	return err;
}

int cmd_ns(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "bpf", no_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool json = false, bpf = false, verbose = false;
	struct ns_table t = {};
	const char *dir = proc_dir();
	int c, err;

	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE, see cli_flush() */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'B':
			bpf = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return cli_flush(stdout) ? RT_EXIT_ERROR : RT_EXIT_OK;
		default:
			cli_bad_option("ns", c, optopt, argv[optind - 1]);
			return RT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error("ns", "unexpected argument '%s'", argv[optind]);
		return RT_EXIT_USAGE;
	}

	if (!bpf && !access(dir, F_OK)) {
		err = ns_from_kmod(&t, dir);
	} else {
		err = ns_from_bpf(&t, verbose);
		if (!err && !json)
			fprintf(stderr,
				"reapertrace: the reapertrace module is not loaded%s: the "
				"counters since its load are shown as '-'\n",
				bpf ? " or not used (--bpf)" : "");
	}
	if (!err) {
		struct container **named = calloc(t.nr + 1, sizeof(*named));
		size_t i, nr_named = 0;

		for (i = 0; i < t.nr; i++) {
			struct ns_row *r = &t.rows[i];

			r->has_container = cgroups__container_of_pid(r->reaper_pid, &r->container);
			if (r->has_container && named)
				named[nr_named++] = &r->container;
		}
		/* Docker's names, asked now (lib/docker_names.c) */
		if (nr_named)
			docker_names_fill(named, nr_named);
		free(named);
		qsort(t.rows, t.nr, sizeof(t.rows[0]), by_level_then_pidns);
		if (json)
			print_json(&t, stdout);
		else
			err = print_text(&t, stdout);
		if (!err)
			err = cli_flush(stdout);
	}
	free(t.rows);
	return err ? RT_EXIT_ERROR : RT_EXIT_OK;
}
