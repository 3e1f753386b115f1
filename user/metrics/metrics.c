// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The metrics of --metrics: counters, the zombie lifetime histogram, the
 * held zombies grouped with bounded cardinality, and the page (metrics.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/container.h"
#include "lib/names.h"
#include "lib/pids.h"
#include "lib/task_table.h"
#include "metrics/metrics.h"

#define NS_PER_S	1000000000ULL
#define MAX_SIGNAL	64
#define MAX_GROUPS	(1 << 20)
#define RT_KIND_MAX	(RT_KIND_INIT + 1)
#define RT_REAP_HOW_MAX (RT_REAP_AUTO + 1)

/* Zombie lifetimes (exit to reap), in seconds: the histogram's upper bounds. */
static const double lifetime_bounds[] = { 0.001, 0.01, 0.1, 0.5, 1,    5,   10,
					  30,	 60,   300, 600, 1800, 3600 };
#define NR_BOUNDS (sizeof(lifetime_bounds) / sizeof(lifetime_bounds[0]))

/* The zombies held by one container, or (in none) by one reaper of one PID namespace. */
struct zgroup {
	bool in_container;
	struct container container;
	__u32 pidns;
	struct rt_task holder;
	__u64 zombies;
	__u64 oldest_since_ns;
};

struct metrics {
	unsigned int top_n;
	__u64 reparents[RT_KIND_MAX];
	__u64 zombies;
	__u64 reaps[RT_REAP_HOW_MAX];
	__u64 subreaper[2]; /* cleared, set */
	__u64 init_signals[MAX_SIGNAL + 1];
	__u64 teardowns, teardown_killed;
	__u64 handoffs;
	struct rt_counts counts;
	/* The histogram: per bucket (not cumulative), then +Inf. */
	__u64 lifetime[NR_BOUNDS + 1];
	__u64 lifetime_count;
	double lifetime_sum_s;
	/* The gauges, as last handed over */
	struct task_table *groups;
	bool held_incomplete;
	struct pids_limit *pids;
	size_t nr_pids, cap_pids, pids_found;
};

struct metrics *metrics__new(unsigned int top_n)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->top_n = top_n;
	m->groups = task_table__new(sizeof(struct zgroup), MAX_GROUPS);
	if (!m->groups) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics__free(struct metrics *m)
{
	if (!m)
		return;
	task_table__free(m->groups);
	free(m->pids);
	free(m);
}

void metrics__reparent(struct metrics *m, const struct rt_reparent_report *r)
{
	m->reparents[r->resolved && r->kind < RT_KIND_MAX ? r->kind : RT_KIND_UNKNOWN]++;
}

void metrics__zombie(struct metrics *m, const struct rt_zombie_event *e)
{
	if (!(e->flags & RT_ZOMBIE_EXISTING))
		m->zombies++;
}

void metrics__reap(struct metrics *m, const struct rt_reap_event *e)
{
	double s = (double)e->zombie_ns / NS_PER_S;
	size_t i;

	m->reaps[e->how >= RT_REAP_WAIT4 && e->how < RT_REAP_HOW_MAX ? e->how : RT_REAP_AUTO]++;
	for (i = 0; i < NR_BOUNDS && s > lifetime_bounds[i]; i++)
		;
	m->lifetime[i]++;
	m->lifetime_count++;
	m->lifetime_sum_s += s;
}

void metrics__subreaper(struct metrics *m, const struct rt_subreaper_event *e)
{
	m->subreaper[!!e->enabled]++;
}

void metrics__init_signal(struct metrics *m, const struct rt_init_signal_event *e)
{
	m->init_signals[e->signal > 0 && e->signal <= MAX_SIGNAL ? e->signal : 0]++;
}

void metrics__ns_teardown(struct metrics *m, const struct rt_ns_teardown_event *e)
{
	m->teardowns++;
	m->teardown_killed += e->killed;
}

void metrics__reaper_handoff(struct metrics *m, const struct rt_reaper_handoff_event *e)
{
	m->handoffs++;
}

void metrics__counts(struct metrics *m, const struct rt_counts *c)
{
	m->counts = *c;
}

void metrics__held_reset(struct metrics *m)
{
	task_table__clear(m->groups);
	m->held_incomplete = false;
	m->nr_pids = 0;
	m->pids_found = 0;
}

/* FNV-1a: a container's group key, from its id. */
static __u64 hash_id(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

int metrics__held(struct metrics *m, const struct metrics_zombie *z)
{
	struct task_key key;
	struct zgroup *g;
	bool created;

	/* A key's pid is never 0 (the table's empty slot); no process has pid ~0. */
	if (z->container)
		key = (struct task_key){ .start_ns = hash_id(z->container->id), .pid = ~0U };
	else
		key = (struct task_key){ .start_ns = z->pidns, .pid = z->holder->pid ?: ~0U - 1 };
	g = task_table__insert(m->groups, &key, &created);
	if (!g) {
		m->held_incomplete = true;
		return -ENOMEM;
	}
	if (created) {
		g->in_container = z->container;
		if (z->container)
			g->container = *z->container;
		g->pidns = z->pidns;
		g->holder = *z->holder;
		g->oldest_since_ns = z->since_ns;
	}
	/* A name Docker gave after the first zombie of the group was counted. */
	if (z->container && !g->container.name[0] && z->container->name[0])
		memcpy(g->container.name, z->container->name, sizeof(g->container.name));
	g->zombies++;
	if (z->since_ns < g->oldest_since_ns)
		g->oldest_since_ns = z->since_ns;
	return 0;
}

static int by_zombies_desc(const void *a, const void *b)
{
	const struct pids_limit *x = a, *y = b;

	if (x->zombies != y->zombies)
		return x->zombies > y->zombies ? -1 : 1;
	return strcmp(x->cgroup, y->cgroup);
}

void metrics__pids(struct metrics *m, struct pids_limit *limits, size_t nr)
{
	size_t keep = nr < m->top_n ? nr : m->top_n;

	m->pids_found = nr;
	m->nr_pids = 0;
	if (!nr)
		return;
	if (array_reserve((void **)&m->pids, &m->cap_pids, sizeof(*m->pids), keep)) {
		m->pids_found = 0;
		return;
	}
	qsort(limits, nr, sizeof(*limits), by_zombies_desc);
	memcpy(m->pids, limits, keep * sizeof(*limits));
	m->nr_pids = keep;
}

/* The page: writers of its parts. */

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * A label value: printable ASCII as it is (comms and cgroup names are any
 * bytes, the page must be UTF-8), '\' and '"' escaped.
 */
static void label_value(FILE *out, const char *s, size_t max)
{
	size_t i;

	putc('"', out);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '"')
			putc('\\', out);
		putc(c >= 0x20 && c < 0x7f ? c : '?', out);
	}
	putc('"', out);
}

static void counter_u64(FILE *out, const char *name, const char *label, const char *value, __u64 n)
{
	if (label) {
		fprintf(out, "%s{%s=", name, label);
		label_value(out, value, strlen(value));
		fprintf(out, "} %llu\n", (unsigned long long)n);
	} else {
		fprintf(out, "%s %llu\n", name, (unsigned long long)n);
	}
}

static void write_counters(const struct metrics *m, FILE *out)
{
	char sig[16];
	int i;

	family(out, "reapertrace_reparents_total", "counter",
	       "Orphans adopted, by the kind of their new parent (unknown: the adoption was not "
	       "seen).");
	for (i = 0; i < RT_KIND_MAX; i++)
		counter_u64(out, "reapertrace_reparents_total", "kind", rt_kind_name(i),
			    m->reparents[i]);
	family(out, "reapertrace_zombies_total", "counter", "Processes that became zombies.");
	counter_u64(out, "reapertrace_zombies_total", NULL, NULL, m->zombies);
	family(out, "reapertrace_reaps_total", "counter",
	       "Zombies reaped, by how: wait4, waitid, or auto (released without a wait).");
	for (i = RT_REAP_WAIT4; i < RT_REAP_HOW_MAX; i++)
		counter_u64(out, "reapertrace_reaps_total", "how", rt_how_name(i), m->reaps[i]);
	family(out, "reapertrace_subreaper_changes_total", "counter",
	       "PR_SET_CHILD_SUBREAPER calls, by the state they set.");
	counter_u64(out, "reapertrace_subreaper_changes_total", "enabled", "1", m->subreaper[1]);
	counter_u64(out, "reapertrace_subreaper_changes_total", "enabled", "0", m->subreaper[0]);
	family(out, "reapertrace_init_signals_dropped_total", "counter",
	       "Signals the kernel dropped because a PID namespace init has no handler for them, "
	       "by signal.");
	/*
	 * The signals that stop or reload a service are always there, from 0,
	 * so that increase() sees their first; the others once sent.
	 */
	for (i = 0; i <= MAX_SIGNAL; i++)
		if (m->init_signals[i] || i == SIGHUP || i == SIGINT || i == SIGQUIT ||
		    i == SIGKILL || i == SIGUSR1 || i == SIGUSR2 || i == SIGTERM)
			counter_u64(out, "reapertrace_init_signals_dropped_total", "signal",
				    i ? rt_signal_name(i, sig, sizeof(sig)) : "other",
				    m->init_signals[i]);
	family(out, "reapertrace_namespace_teardowns_total", "counter",
	       "PID namespaces torn down: their init exited.");
	counter_u64(out, "reapertrace_namespace_teardowns_total", NULL, NULL, m->teardowns);
	family(out, "reapertrace_namespace_teardown_killed_total", "counter",
	       "Processes the kernel killed in PID namespace teardowns.");
	counter_u64(out, "reapertrace_namespace_teardown_killed_total", NULL, NULL,
		    m->teardown_killed);
	family(out, "reapertrace_reaper_handoffs_total", "counter",
	       "A PID namespace's reaper thread exited and another thread of its init took over.");
	counter_u64(out, "reapertrace_reaper_handoffs_total", NULL, NULL, m->handoffs);
	family(out, "reapertrace_events_lost_total", "counter",
	       "Events the ring buffer had no room for, by type.");
	for (i = RT_EV_REPARENT; i < RT_EV_MAX; i++)
		counter_u64(out, "reapertrace_events_lost_total", "type",
			    i == RT_EV_ADOPTED ? "adopted" : rt_event_name(i),
			    m->counts.lost_by_type[i]);
	family(out, "reapertrace_orphans_truncated_total", "counter",
	       "Orphans past the children one exit walks: no reparent event.");
	counter_u64(out, "reapertrace_orphans_truncated_total", NULL, NULL,
		    m->counts.orphans_truncated);
	family(out, "reapertrace_zombies_untracked_total", "counter",
	       "Zombies the BPF zombie table had no room for: their reaps go unseen.");
	counter_u64(out, "reapertrace_zombies_untracked_total", NULL, NULL,
		    m->counts.zombies_untracked);
	family(out, "reapertrace_program_runs_skipped_total", "counter",
	       "Runs of the BPF programs the kernel skipped (recursion): their events are missing.");
	counter_u64(out, "reapertrace_program_runs_skipped_total", NULL, NULL,
		    m->counts.runs_skipped);
}

static void write_histogram(const struct metrics *m, FILE *out)
{
	const char *name = "reapertrace_zombie_lifetime_seconds";
	__u64 cumulative = 0;
	size_t i;

	family(out, name, "histogram", "How long reaped zombies were zombies: exit to reap.");
	for (i = 0; i < NR_BOUNDS; i++) {
		cumulative += m->lifetime[i];
		fprintf(out, "%s_bucket{le=\"%g\"} %llu\n", name, lifetime_bounds[i],
			(unsigned long long)cumulative);
	}
	fprintf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)m->lifetime_count);
	fprintf(out, "%s_sum %.9f\n%s_count %llu\n", name, m->lifetime_sum_s, name,
		(unsigned long long)m->lifetime_count);
}

/* Most zombies first; then the oldest; then by container id or namespace and reaper. */
static int group_order(const void *a, const void *b)
{
	const struct zgroup *x = *(const struct zgroup *const *)a;
	const struct zgroup *y = *(const struct zgroup *const *)b;

	if (x->zombies != y->zombies)
		return x->zombies > y->zombies ? -1 : 1;
	if (x->oldest_since_ns != y->oldest_since_ns)
		return x->oldest_since_ns < y->oldest_since_ns ? -1 : 1;
	if (x->in_container != y->in_container)
		return x->in_container ? -1 : 1;
	if (x->in_container)
		return strcmp(x->container.id, y->container.id);
	if (x->pidns != y->pidns)
		return x->pidns < y->pidns ? -1 : 1;
	return x->holder.pid < y->holder.pid ? -1 : x->holder.pid > y->holder.pid;
}

/* A group's labels: group, container_id, container_name, pod_uid, pidns, reaper_pid, reaper_comm. */
static void group_labels(FILE *out, const struct zgroup *g)
{
	char num[16] = "";
	char pid[16] = "";

	if (!g) {
		fputs("{group=\"other\",container_id=\"\",container_name=\"\",pod_uid=\"\",pidns=\"\","
		      "reaper_pid=\"\",reaper_comm=\"\"}",
		      out);
		return;
	}
	fprintf(out, "{group=\"%s\",container_id=", g->in_container ? "container" : "reaper");
	label_value(out, g->in_container ? g->container.id : "", CONTAINER_ID_LEN);
	fputs(",container_name=", out);
	label_value(out, g->in_container ? g->container.name : "", CONTAINER_NAME_LEN);
	fputs(",pod_uid=", out);
	label_value(out, g->in_container ? g->container.pod_uid : "", CONTAINER_UID_LEN);
	if (!g->in_container) {
		snprintf(num, sizeof(num), "%u", g->pidns);
		snprintf(pid, sizeof(pid), "%u", g->holder.pid);
	}
	fprintf(out, ",pidns=\"%s\",reaper_pid=\"%s\",reaper_comm=", num, pid);
	label_value(out, g->in_container ? "" : g->holder.comm, RT_COMM_LEN);
	putc('}', out);
}

static double age_s(__u64 now_ns, __u64 since_ns)
{
	return now_ns > since_ns ? (double)(now_ns - since_ns) / NS_PER_S : 0;
}

/* The zombies held now and the oldest one's age, per group: the top N, then "other". */
static int write_groups(const struct metrics *m, __u64 now_ns, FILE *out)
{
	size_t nr = task_table__count(m->groups), shown, i, pos = 0;
	struct zgroup **order = NULL, *g, other = { .oldest_since_ns = ~0ULL };
	struct task_key key;

	if (nr) {
		order = malloc(nr * sizeof(*order));
		if (!order)
			return -ENOMEM;
	}
	for (i = 0; (g = task_table__next(m->groups, &pos, &key)); i++)
		order[i] = g;
	qsort(order, nr, sizeof(*order), group_order);
	shown = nr < m->top_n ? nr : m->top_n;
	for (i = shown; i < nr; i++) {
		other.zombies += order[i]->zombies;
		if (order[i]->oldest_since_ns < other.oldest_since_ns)
			other.oldest_since_ns = order[i]->oldest_since_ns;
	}

	family(out, "reapertrace_zombies", "gauge",
	       "Zombies held now, per container (group=\"container\"), else per PID namespace and "
	       "reaper (group=\"reaper\"); past the top N groups, summed in group=\"other\".");
	for (i = 0; i < shown; i++) {
		fputs("reapertrace_zombies", out);
		group_labels(out, order[i]);
		fprintf(out, " %llu\n", (unsigned long long)order[i]->zombies);
	}
	if (other.zombies) {
		fputs("reapertrace_zombies", out);
		group_labels(out, NULL);
		fprintf(out, " %llu\n", (unsigned long long)other.zombies);
	}
	family(out, "reapertrace_oldest_zombie_age_seconds", "gauge",
	       "Age of the oldest zombie held now, per group as in reapertrace_zombies.");
	for (i = 0; i < shown; i++) {
		fputs("reapertrace_oldest_zombie_age_seconds", out);
		group_labels(out, order[i]);
		fprintf(out, " %.3f\n", age_s(now_ns, order[i]->oldest_since_ns));
	}
	if (other.zombies) {
		fputs("reapertrace_oldest_zombie_age_seconds", out);
		group_labels(out, NULL);
		fprintf(out, " %.3f\n", age_s(now_ns, other.oldest_since_ns));
	}
	family(out, "reapertrace_zombie_groups", "gauge",
	       "Groups holding zombies now, those past the top N included.");
	fprintf(out, "reapertrace_zombie_groups %zu\n", nr);
	family(out, "reapertrace_zombies_counted_completely", "gauge",
	       "1 when every zombie held was counted in the gauges, 0 when some had no room.");
	fprintf(out, "reapertrace_zombies_counted_completely %d\n", !m->held_incomplete);
	free(order);
	return 0;
}

static void pids_labels(FILE *out, const struct pids_limit *l)
{
	fputs("{cgroup=", out);
	label_value(out, l->cgroup, sizeof(l->cgroup));
	fputs(",container_id=", out);
	label_value(out, l->in_container ? l->container.id : "", CONTAINER_ID_LEN);
	putc('}', out);
}

/* pids.max pressure: the top N limits by the zombies below them. */
static void write_pids(const struct metrics *m, FILE *out)
{
	static const struct {
		const char *name, *help;
	} gauges[] = {
		{ "reapertrace_pids_current", "pids.current of a cgroup that sets a pids.max." },
		{ "reapertrace_pids_max", "pids.max of that cgroup." },
		{ "reapertrace_pids_zombies",
		  "Zombies below that cgroup: pids they hold until reaped." },
	};
	size_t g, i;

	for (g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		family(out, gauges[g].name, "gauge", gauges[g].help);
		for (i = 0; i < m->nr_pids; i++) {
			const struct pids_limit *l = &m->pids[i];
			long long v = g == 0 ? l->current : g == 1 ? l->max : (long long)l->zombies;

			if (v < 0)
				continue; /* pids.current unreadable */
			fputs(gauges[g].name, out);
			pids_labels(out, l);
			fprintf(out, " %lld\n", v);
		}
	}
	family(out, "reapertrace_pids_limits", "gauge",
	       "Cgroups with a pids.max that hold zombies, those past the top N included.");
	fprintf(out, "reapertrace_pids_limits %zu\n", m->pids_found);
}

int metrics__write(struct metrics *m, __u64 now_ns, FILE *out)
{
	int err;

	family(out, "reapertrace_build_info", "gauge", "The reapertrace version: always 1.");
	counter_u64(out, "reapertrace_build_info", "version", REAPERTRACE_VERSION, 1);
	write_counters(m, out);
	write_histogram(m, out);
	err = write_groups(m, now_ns, out);
	if (err)
		return err;
	write_pids(m, out);
	return ferror(out) ? -EIO : 0;
}
