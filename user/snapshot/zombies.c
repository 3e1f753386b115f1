// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `reapertrace zombies`: every zombie process now, grouped by the parent
 * that has not reaped it, largest group first; with --zombie-age, the
 * parents that hold a zombie longer than that (leaks); and the cgroups
 * whose pids.max the zombies press against (lib/pids.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cgroups.h"
#include "lib/cli.h"
#include "commands.h"
#include "snapshot/snap.h"
#include "lib/comm.h"
#include "lib/docker_names.h"
#include "lib/json.h"
#include "snapshot/columns.h"
#include "lib/pids.h"

static const char usage_text[] =
	"Show every zombie process now, grouped by the parent that has not reaped it\n"
	"(largest group first), and flag parents that hold zombies too long.\n"
	"\n"
	"USAGE: reapertrace zombies [-j] [-p PID] [--pidns INODE] [--zombie-age SECONDS\n"
	"                           [--fail-on-leak]] [-v]\n"
	"\n"
	"EXAMPLES:\n"
	"    reapertrace zombies           # every zombie, grouped by parent\n"
	"    reapertrace zombies -j        # JSON Lines: parent, zombie and leak records\n"
	"    reapertrace zombies -p 1234   # only the zombies 1234 has not reaped\n"
	"    reapertrace zombies --pidns /proc/1234/ns/pid\n"
	"                                  # only zombies of 1234's PID namespace\n"
	"    reapertrace zombies --zombie-age 60 --fail-on-leak\n"
	"                                  # exit 3 if a parent holds a zombie over a minute\n"
	"\n"
	"OPTIONS:\n"
	"  -j, --json               JSON Lines output (one object per line)\n"
	"  -p, --pid=PID            only zombies whose parent is PID\n"
	"      --pidns=INODE        only zombies in this PID namespace (its inode number, or\n"
	"                           a path such as /proc/PID/ns/pid)\n"
	"      --zombie-age=SECONDS report a leak for each parent holding a zombie older\n"
	"                           than SECONDS (decimals allowed, 0 or more)\n"
	"      --fail-on-leak       exit with status 3 when a leak was reported\n"
	"  -v, --verbose            libbpf debug output on stderr\n"
	"  -h, --help               print this help and exit\n"
	"\n"
	"Exit status: 0 done, 1 error, 2 usage error, 3 leak found with --fail-on-leak.\n"
	"PIDs are as the caller's PID namespace sees them. Needs root.\n"
	"See reapertrace-zombies(8).\n";

struct zopts {
	bool json, verbose, fail_on_leak, has_limit;
	__u32 ppid, pidns;
	__u64 limit_ns; /* --zombie-age */
};

/* The zombies of one parent: zs[first .. first + nr). */
struct group {
	size_t first, nr;
	__u64 oldest_ns;
	const struct container *ct; /* its first zombie's container, NULL: none */
	size_t ct_zombies;	    /* the zombies of all groups of that container */
};

/* ---- cgroup paths and containers (lib/cgroups.c) ---- */

static struct cgroups *cgroups;

static const struct cgroup_info *cgroup_of(__u64 id)
{
	return cgroups ? cgroups__get(cgroups, id) : NULL;
}

/* ---- grouping ---- */

static const struct rt_snap_task **zs;

/* By parent, then oldest first, then pid. */
static int by_parent_then_age(const void *a, const void *b)
{
	const struct rt_snap_task *x = *(const struct rt_snap_task *const *)a;
	const struct rt_snap_task *y = *(const struct rt_snap_task *const *)b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	if (x->age_ns != y->age_ns)
		return x->age_ns > y->age_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static bool same_container(const struct container *a, const struct container *b)
{
	return a == b || (a && b && !strcmp(a->id, b->id));
}

/*
 * By container, the one with the most zombies first (no container counts
 * as one); in one, the largest group first, then the one with the oldest
 * zombie, then by parent pid.
 */
static int by_container_then_size(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (!same_container(x->ct, y->ct)) {
		if (x->ct_zombies != y->ct_zombies)
			return x->ct_zombies > y->ct_zombies ? -1 : 1;
		if (!x->ct || !y->ct)
			return x->ct ? -1 : 1;
		return strcmp(x->ct->id, y->ct->id);
	}
	if (x->nr != y->nr)
		return x->nr > y->nr ? -1 : 1;
	if (x->oldest_ns != y->oldest_ns)
		return x->oldest_ns > y->oldest_ns ? -1 : 1;
	return zs[x->first]->ppid < zs[y->first]->ppid ? -1 : 1;
}

/*
 * Docker's names for the containers of the zombies listed and of the pids
 * limits, asked now, once per container (lib/docker_names.c).
 */
static void name_containers(size_t nr, struct pids_pressure *pp)
{
	struct container *distinct = calloc(nr + 1, sizeof(*distinct));
	struct container **ptrs = calloc(nr + 1, sizeof(*ptrs));
	size_t n = 0, i, j;

	if (!distinct || !ptrs)
		goto out;
	for (i = 0; i < nr; i++) {
		const struct cgroup_info *cg = cgroup_of(zs[i]->cgroup_id);

		if (!cg || !cg->in_container)
			continue;
		for (j = 0; j < n && strcmp(distinct[j].id, cg->container.id); j++)
			;
		if (j == n) {
			distinct[n] = cg->container;
			ptrs[n] = &distinct[n];
			n++;
		}
	}
	if (!n || docker_names_fill(ptrs, n))
		goto out;
	for (i = 0; i < nr; i++) {
		const struct cgroup_info *cg = cgroup_of(zs[i]->cgroup_id);

		for (j = 0; cg && cg->in_container && j < n; j++)
			if (!strcmp(distinct[j].id, cg->container.id) && distinct[j].name[0])
				cgroups__set_name(cgroups, zs[i]->cgroup_id, distinct[j].name);
	}
	for (i = 0; i < pp->nr; i++)
		for (j = 0; pp->limits[i].in_container && j < n; j++)
			if (!strcmp(distinct[j].id, pp->limits[i].container.id))
				memcpy(pp->limits[i].container.name, distinct[j].name,
				       sizeof(distinct[j].name));
out:
	free(distinct);
	free(ptrs);
}

/* Each group's container and its container's zombies. */
static void group_by_container(struct group *gs, size_t nr)
{
	size_t i, j;

	for (i = 0; i < nr; i++) {
		const struct cgroup_info *cg = cgroup_of(zs[gs[i].first]->cgroup_id);

		gs[i].ct = cg && cg->in_container ? &cg->container : NULL;
	}
	for (i = 0; i < nr; i++) {
		gs[i].ct_zombies = 0;
		for (j = 0; j < nr; j++)
			if (same_container(gs[i].ct, gs[j].ct))
				gs[i].ct_zombies += gs[j].nr;
	}
}

static bool wanted(const struct rt_snap_task *k, const struct zopts *o)
{
	if (!(k->flags & RT_SNAP_ZOMBIE))
		return false;
	if (o->ppid && k->ppid != o->ppid)
		return false;
	return !o->pidns || k->pidns == o->pidns;
}

static bool is_leak(const struct group *g, const struct zopts *o)
{
	return o->has_limit && g->oldest_ns > o->limit_ns;
}

static const char *sigchld_cell(const struct rt_snap_task *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", rt_disposition_name(k->parent_sigchld),
		 k->flags & RT_SNAP_NOCLDWAIT ? ",nocldwait" : "");
	return buf;
}

/* ---- output ---- */

static void json_parent_fields(FILE *out, const struct rt_snap_task *k)
{
	fprintf(out, "\"pid\":%u,\"comm\":", k->ppid);
	json_string(out, k->parent_comm, sizeof(k->parent_comm));
	fprintf(out, ",\"sigchld\":\"%s\",\"nocldwait\":%s", rt_disposition_name(k->parent_sigchld),
		k->flags & RT_SNAP_NOCLDWAIT ? "true" : "false");
}

/* On stderr, for each limit the zombies fill half of or more. */
static void warn_pressure(const struct pids_pressure *pp)
{
	size_t i;

	for (i = 0; i < pp->nr; i++)
		pids_limit_warn(&pp->limits[i]);
}

static void print_json_pids(const struct pids_pressure *pp, FILE *out)
{
	size_t i;

	for (i = 0; i < pp->nr; i++) {
		const struct pids_limit *l = &pp->limits[i];

		fputs("{\"type\":\"pids\",\"cgroup\":", out);
		json_string(out, l->cgroup, PATH_MAX);
		if (l->current >= 0)
			fprintf(out, ",\"pids_current\":%lld", l->current);
		else
			fputs(",\"pids_current\":null", out);
		fprintf(out, ",\"pids_max\":%lld,\"zombies\":%zu,\"full\":%s", l->max, l->zombies,
			pids_limit_full(l) ? "true" : "false");
		json_container(out, l->in_container ? &l->container : NULL);
		fputs("}\n", out);
	}
}

static void print_text_pids(const struct pids_pressure *pp, FILE *out)
{
	char name[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < pp->nr; i++) {
		const struct pids_limit *l = &pp->limits[i];

		fprintf(out, "PIDS %s: %zu zombie%s of pids.current %lld, pids.max %lld%s\n",
			pids_limit_name(l, name, sizeof(name)), l->zombies,
			l->zombies == 1 ? "" : "s", l->current, l->max,
			pids_limit_full(l) ? " (full)" : "");
	}
}

static void print_json(const struct group *gs, size_t nr_groups, const struct zopts *o, FILE *out)
{
	size_t g, i;

	for (g = 0; g < nr_groups; g++) {
		const struct rt_snap_task *p = zs[gs[g].first];

		fprintf(out, "{\"type\":\"parent\",");
		json_parent_fields(out, p);
		fprintf(out, ",\"zombies\":%zu,\"oldest_ms\":%llu", gs[g].nr,
			(unsigned long long)(gs[g].oldest_ns / 1000000));
		json_container(out, gs[g].ct);
		fputs("}\n", out);
		for (i = gs[g].first; i < gs[g].first + gs[g].nr; i++) {
			const struct rt_snap_task *k = zs[i];
			const struct cgroup_info *cg = cgroup_of(k->cgroup_id);

			fprintf(out, "{\"type\":\"zombie\",\"pid\":%u,\"comm\":", k->pid);
			json_string(out, k->comm, sizeof(k->comm));
			fprintf(out,
				",\"age_ms\":%llu,\"pidns\":%u,\"pidns_level\":%u,\"ns_pid\":%u,"
				"\"cgroup_id\":%llu,\"cgroup\":",
				(unsigned long long)(k->age_ns / 1000000), k->pidns, k->pidns_level,
				k->ns_pid, (unsigned long long)k->cgroup_id);
			if (cg && cg->path)
				json_string(out, cg->path, PATH_MAX);
			else
				fputs("null", out);
			fputs(",\"origin\":null,\"parent\":{", out);
			json_parent_fields(out, k);
			fputc('}', out);
			json_container(out, cg && cg->in_container ? &cg->container : NULL);
			fputs("}\n", out);
		}
	}
	for (g = 0; g < nr_groups; g++) {
		const struct rt_snap_task *p = zs[gs[g].first];

		if (!is_leak(&gs[g], o))
			continue;
		fprintf(out, "{\"type\":\"leak\",\"pid\":%u,\"comm\":", p->ppid);
		json_string(out, p->parent_comm, sizeof(p->parent_comm));
		fprintf(out,
			",\"zombies\":%zu,\"oldest_ms\":%llu,\"limit_s\":%llu,\"limit_ns\":%llu}\n",
			gs[g].nr, (unsigned long long)(gs[g].oldest_ns / 1000000),
			(unsigned long long)(o->limit_ns / 1000000000),
			(unsigned long long)o->limit_ns);
	}
}

static int print_text(const struct group *gs, size_t nr_groups, const struct zopts *o, FILE *out)
{
	static const char *const head[] = { "PPID",  "PCOMM",  "SIGCHLD",  "ZOMBIES",
					    "PID",   "COMM",   "AGE_MS",   "PIDNS",
					    "NSPID", "CGROUP", "CONTAINER" };
	char cell[11][64];
	const char *row[11];
	struct columns tab;
	size_t g, i;
	int c, err = 0;

	columns_init(&tab, 11, head);
	for (c = 0; c < 11; c++)
		row[c] = cell[c];
	for (g = 0; g < nr_groups && !err; g++) {
		for (i = gs[g].first; i < gs[g].first + gs[g].nr && !err; i++) {
			const struct rt_snap_task *k = zs[i];
			const struct cgroup_info *cg = cgroup_of(k->cgroup_id);

			snprintf(cell[0], 64, "%u", k->ppid);
			comm_printable(k->parent_comm, sizeof(k->parent_comm), cell[1], 64,
				       COMM_NO_SPACES);
			sigchld_cell(k, cell[2], 64);
			snprintf(cell[3], 64, "%zu", gs[g].nr);
			snprintf(cell[4], 64, "%u", k->pid);
			comm_printable(k->comm, sizeof(k->comm), cell[5], 64, COMM_NO_SPACES);
			snprintf(cell[6], 64, "%llu", (unsigned long long)(k->age_ns / 1000000));
			snprintf(cell[7], 64, "%u", k->pidns);
			snprintf(cell[8], 64, "%u", k->ns_pid);
			row[9] = cg && cg->path ? cg->path : cell[9];
			snprintf(cell[9], 64, "%llu", (unsigned long long)k->cgroup_id);
			snprintf(cell[10], 64, "%.*s", CONTAINER_SHORT,
				 cg && cg->in_container ? cg->container.id : "-");
			err = columns_add(&tab, row);
		}
	}
	if (!err)
		columns_print(&tab, out);
	columns_free(&tab);
	for (g = 0; g < nr_groups && !err; g++) {
		const struct rt_snap_task *p = zs[gs[g].first];
		char comm[RT_SNAP_COMM_LEN];

		if (is_leak(&gs[g], o))
			fprintf(out, "LEAK parent %u (%s) holds %zu zombie%s, oldest %.1fs\n",
				p->ppid,
				comm_printable(p->parent_comm, sizeof(p->parent_comm), comm,
					       sizeof(comm), COMM_NO_SPACES),
				gs[g].nr, gs[g].nr == 1 ? "" : "s", gs[g].oldest_ns / 1e9);
	}
	return err;
}

/* Collects, groups and prints. The number of leaks, or -errno. */
static int zombies(const struct zopts *o)
{
	struct pids_pressure pressure = {};
	struct group *gs = NULL;
	size_t nr = 0, nr_groups = 0, i;
	struct rt_snap snap;
	int err, leaks = 0;

	err = rt_snap_collect(&snap, o->verbose);
	if (err)
		return err;
	zs = calloc(snap.nr + 1, sizeof(*zs));
	gs = calloc(snap.nr + 1, sizeof(*gs));
	cgroups = cgroups__new();
	if (!zs || !gs || !cgroups) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < snap.nr; i++)
		if (wanted(&snap.tasks[i], o))
			zs[nr++] = &snap.tasks[i];
	qsort(zs, nr, sizeof(*zs), by_parent_then_age);
	for (i = 0; i < nr; i++) {
		if (!i || zs[i]->ppid != zs[i - 1]->ppid)
			gs[nr_groups++] = (struct group){ .first = i, .oldest_ns = zs[i]->age_ns };
		gs[nr_groups - 1].nr++;
	}
	cgroups__use_system(cgroups);
	group_by_container(gs, nr_groups);
	qsort(gs, nr_groups, sizeof(*gs), by_container_then_size);
	for (i = 0; i < nr_groups; i++)
		leaks += is_leak(&gs[i], o);
	for (i = 0; i < nr && !err; i++) {
		const struct cgroup_info *cg = cgroup_of(zs[i]->cgroup_id);

		err = pids_pressure_add(&pressure, cg ? cg->path : NULL, zs[i]->ppid, 1);
	}
	if (err)
		goto cleanup;
	name_containers(nr, &pressure);
	if (o->json) {
		print_json(gs, nr_groups, o, stdout);
		print_json_pids(&pressure, stdout);
	} else {
		err = print_text(gs, nr_groups, o, stdout);
		if (!err)
			print_text_pids(&pressure, stdout);
	}
	if (!err)
		err = cli_flush(stdout);
	if (!err && !o->json)
		fprintf(stderr, "reapertrace: %zu zombie%s, %zu parent%s%s\n", nr,
			nr == 1 ? "" : "s", nr_groups, nr_groups == 1 ? "" : "s",
			o->has_limit ? (leaks ? ", leaks found" : ", no leak") : "");
	if (!err)
		warn_pressure(&pressure);
cleanup:
	pids_pressure_free(&pressure);
	cgroups__free(cgroups);
	cgroups = NULL;
	free(gs);
	free(zs);
	zs = NULL;
	rt_snap_free(&snap);
	return err ? err : leaks;
}

enum { OPT_PIDNS = 0x100, OPT_ZOMBIE_AGE, OPT_FAIL_ON_LEAK };

static int parse(int argc, char **argv, struct zopts *o)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "pidns", required_argument, NULL, OPT_PIDNS },
		{ "zombie-age", required_argument, NULL, OPT_ZOMBIE_AGE },
		{ "fail-on-leak", no_argument, NULL, OPT_FAIL_ON_LEAK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jp:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			if (cli_parse_pid("zombies", optarg, &o->ppid))
				return -EINVAL;
			break;
		case OPT_PIDNS:
			if (cli_parse_pidns("zombies", optarg, &o->pidns))
				return -EINVAL;
			break;
		case OPT_ZOMBIE_AGE:
			if (cli_parse_seconds(optarg, 0, CLI_ZOMBIE_AGE_MAX_S, &o->limit_ns))
				return cli_usage_error(
					"zombies",
					"invalid --zombie-age '%s': expected seconds, 0 "
					"or more (such as 30 or 0.5)",
					optarg);
			o->has_limit = true;
			break;
		case OPT_FAIL_ON_LEAK:
			o->fail_on_leak = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(cli_flush(stdout) ? RT_EXIT_ERROR : RT_EXIT_OK);
		default:
			return cli_bad_option("zombies", c, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("zombies", "unexpected argument '%s'", argv[optind]);
	if (o->fail_on_leak && !o->has_limit)
		return cli_usage_error("zombies", "%s needs --zombie-age", "--fail-on-leak");
	return 0;
}

int cmd_zombies(int argc, char **argv)
{
	struct zopts o = {};
	int ret;

	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE, see cli_flush() */
	if (parse(argc, argv, &o))
		return RT_EXIT_USAGE;
	ret = zombies(&o);
	if (ret < 0)
		return RT_EXIT_ERROR;
	return ret && o.fail_on_leak ? RT_EXIT_LEAK : RT_EXIT_OK;
}
