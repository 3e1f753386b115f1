// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Real containers: a private dockerd (docker.h) runs short busybox
 * containers. containerd-shim and runc are multi-threaded Go programs that
 * double-fork and leave with exit_group() while their children live on:
 * each orphan must be reported adopted once, by the process that really
 * took it, whatever the number of threads that died around it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"
#include "harness.h"
#include "tracer.h"

#define IMAGE	 "rt-busybox"
#define NR_RUNS	 5
#define CMD_MS	 60000
#define MAX_RECS 4096

static const char *const json_threads_opts[] = { "--json", "-T", NULL };

static double secs(unsigned long long a, unsigned long long b)
{
	return (double)(b - a) / 1e9;
}

static int proc_ppid(pid_t pid)
{
	struct proc_entry e;

	return proc_stat(pid, &e) ? -1 : e.ppid;
}

/* What a detached container looked like while it ran. */
struct seen {
	pid_t init;	 /* the container's process (docker inspect .State.Pid) */
	pid_t init_ppid; /* its PPid */
	pid_t shim;	 /* = init_ppid */
	pid_t shim_ppid; /* the shim daemon's PPid: the keeper */
	char shim_comm[32];
	unsigned long long shim_cgroup;
};

/*
 * NR_RUNS x `docker run --rm --network none IMG true`, then one `docker run
 * -d` whose processes are read from /proc while they live, and `docker stop`.
 */
static bool run_containers(struct docker *d, struct seen *s)
{
	char out[4096], id[128];
	struct proc_entry e;
	int i, rc;

	for (i = 0; i < NR_RUNS; i++) {
		rc = docker_cmd(d, out, sizeof(out), CMD_MS,
				(const char *const[]){ "run", "--rm", "--network", "none", IMAGE,
						       "true", NULL });
		if (!ASSERT_EQ(rc, 0, "docker run --rm --network none IMG true")) {
			diag("docker run: %s", out);
			return false;
		}
	}
	/* A PID 1 that stops on SIGTERM, so that docker stop need not kill it. */
	rc = docker_cmd(d, id, sizeof(id), CMD_MS,
			(const char *const[]){ "run", "-d", "--network", "none", IMAGE, "sh", "-c",
					       "trap 'exit 0' TERM; sleep 300 & wait", NULL });
	if (!ASSERT_EQ(rc, 0, "docker run -d")) {
		diag("docker run -d: %s", id);
		return false;
	}
	rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "inspect", "--format", "{{.State.Pid}}", id, NULL });
	if (!ASSERT_EQ(rc, 0, "docker inspect .State.Pid"))
		return false;
	s->init = atoi(out);
	s->init_ppid = proc_ppid(s->init);
	s->shim = s->init_ppid;
	s->shim_ppid = proc_ppid(s->shim);
	if (!proc_stat(s->shim, &e))
		snprintf(s->shim_comm, sizeof(s->shim_comm), "%s", e.comm);
	s->shim_cgroup = proc_cgroup_id(s->shim);
	rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "stop", "--time", "20", id, NULL });
	if (!ASSERT_EQ(rc, 0, "docker stop")) {
		diag("docker stop: %s", out);
		return false;
	}
	rc = docker_cmd(d, out, sizeof(out), CMD_MS, (const char *const[]){ "rm", id, NULL });
	return ASSERT_EQ(rc, 0, "docker rm of the stopped container");
}

/* The kernel's view while it ran: the shim is the keeper's, the container the shim's. */
static bool check_seen(const struct docker *d, const struct seen *s)
{
	bool ok = true;

	ok &= ASSERT_GT(s->init, 0, "the detached container's pid");
	ok &= ASSERT_STREQ(s->shim_comm, "containerd-shim", "the container's parent is its shim");
	ok &= ASSERT_EQ(s->shim_ppid, d->keeper,
			"the shim daemon's PPid is the keeper (subreaper)");
	if (d->cgroup_id)
		ok &= ASSERT_EQ(s->shim_cgroup, d->cgroup_id, "the shim is in the daemons' cgroup");
	return ok;
}

/* Nothing of docker left: no process below the test but the tracer, no mount. */
static bool check_nothing_left(pid_t except)
{
	struct proc_entry *procs = NULL;
	int n = proc_descendants(getpid(), &procs), i, left = 0;

	for (i = 0; i < n; i++) {
		if (procs[i].pid == except)
			continue;
		diag("left: pid %d ppid %d %c %s", procs[i].pid, procs[i].ppid, procs[i].state,
		     procs[i].comm);
		left++;
	}
	free(procs);
	return ASSERT_EQ(left, 0, "no process of docker is left below the test");
}

TEST(docker_lifecycle)
{
	struct docker d = {};
	struct seen s = {};
	unsigned long long t0, t1;

	if (!docker_start(&d))
		goto out;
	t0 = boottime_ns();
	if (!docker_import_busybox(&d, IMAGE))
		goto out;
	t1 = boottime_ns();
	diag("docker: import %.1f s", secs(t0, t1));
	if (!run_containers(&d, &s))
		goto out;
	diag("docker: %d runs --rm, one run -d + stop: %.1f s", NR_RUNS, secs(t1, boottime_ns()));
	check_seen(&d, &s);
out:
	t0 = boottime_ns();
	if (docker_stop(&d) && d.t_ready_ns) {
		diag("docker: take-down %.1f s", secs(t0, d.t_stopped_ns));
		check_nothing_left(0);
	}
}

/* ---- the tracer's records about the docker world ---- */

struct rec {
	const struct json_obj *o;
	int ev; /* 'P' reparent, 'Z' zombie, 'R' reap */
	long long ts, pid, op, opt, np, npt, parent, reaper;
	const char *kind, *opcomm;
	int life; /* reaps of pid before it */
};

static long long get(const struct json_obj *o, const char *key)
{
	long long v;

	return json_int(o, key, &v) ? v : -1;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->o->lineno - y->o->lineno;
}

struct world {
	long long pids[MAX_RECS];
	int nr;
};

static bool in_world(const struct world *w, long long pid)
{
	int i;

	for (i = 0; pid > 0 && i < w->nr; i++)
		if (w->pids[i] == pid)
			return true;
	return false;
}

/*
 * The docker world: the keeper, and every process a record ties to it (its
 * parent, old or new parent or reaper is in it), to a fixpoint. Pids are
 * not reused within a run of seconds here (pid_max 32768 and more).
 */
static int docker_records(const struct jsonl_doc *doc, pid_t keeper, struct rec **out)
{
	static struct world w;
	struct rec *r = calloc(doc->nr + 1, sizeof(*r));
	bool grew = true;
	int i, n = 0;

	w.nr = 0;
	w.pids[w.nr++] = keeper;
	while (grew && r) {
		grew = false;
		for (i = 0; i < doc->nr; i++) {
			const struct json_obj *o = &doc->objs[i];
			long long pid = get(o, "pid");

			if (in_world(&w, pid) || !is_event_record(o))
				continue;
			if ((in_world(&w, get(o, "old_parent.pid")) ||
			     in_world(&w, get(o, "new_parent.pid")) ||
			     in_world(&w, get(o, "parent.pid")) ||
			     in_world(&w, get(o, "reaper.pid"))) &&
			    w.nr < MAX_RECS) {
				w.pids[w.nr++] = pid;
				grew = true;
			}
		}
	}
	for (i = 0; r && i < doc->nr; i++) {
		const struct json_obj *o = &doc->objs[i];
		const char *ev = json_event(o);
		struct rec *x = &r[n];

		if (!in_world(&w, get(o, "pid")))
			continue;
		if (!strcmp(ev, "reparent"))
			x->ev = 'P';
		else if (!strcmp(ev, "zombie"))
			x->ev = 'Z';
		else if (!strcmp(ev, "reap"))
			x->ev = 'R';
		else
			continue;
		x->o = o;
		x->ts = get(o, "ts_ns");
		x->pid = get(o, "pid");
		x->op = get(o, "old_parent.pid");
		x->opt = get(o, "old_parent.tid");
		x->np = get(o, "new_parent.pid");
		x->npt = get(o, "new_parent.tid");
		x->parent = get(o, "parent.pid");
		x->reaper = get(o, "reaper.pid");
		x->kind = json_str(o, "reaper_kind");
		x->opcomm = json_str(o, "old_parent.comm");
		n++;
	}
	if (!r)
		return -1;
	qsort(r, n, sizeof(*r), cmp_rec);
	for (i = 0; i < n; i++) {
		if (i && r[i].pid == r[i - 1].pid)
			r[i].life = r[i - 1].life + (r[i - 1].ev == 'R');
		else
			r[i].life = 0;
	}
	*out = r;
	return n;
}

static bool is_thread(const struct rec *x)
{
	return x->kind && !strcmp(x->kind, "thread");
}

/* The zombie record of process pid, the first one (NULL if none). */
static const struct rec *zombie_of(const struct rec *r, int n, long long pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].pid == pid && r[i].ev == 'Z')
			return &r[i];
	return NULL;
}

struct tally {
	int orphans;	/* (pid, life) adopted outside their process */
	int adoptions;	/* their non-thread reparent records */
	int duplicates; /* adoptions - orphans */
	int by_shim_start, by_runc, by_other;
	int thread_recs;
	int keeper_adopted, shim_adopted;
};

static void dump_life(const struct rec *r, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		diag("    %s", r[i].o->line);
}

/*
 * One life of one process, r[from..to): every check of the test.
 */
static bool check_life(const struct docker *d, const struct rec *r, int n, int from, int to,
		       struct tally *t)
{
	const struct rec *adopt = NULL, *z = NULL, *reap = NULL;
	const struct rec *edges[64];
	int i, nr_adopt = 0, nr_z = 0, nr_r = 0, nr_edges = 0;
	bool ok = true;
	long long tid;

	for (i = from; i < to; i++) {
		const struct rec *x = &r[i];

		if (x->ev == 'P' && is_thread(x)) {
			t->thread_recs++;
			if (nr_edges < 64)
				edges[nr_edges++] = x;
		} else if (x->ev == 'P') {
			nr_adopt++;
			if (!adopt)
				adopt = x;
		} else if (x->ev == 'Z') {
			nr_z++;
			z = z ? z : x;
		} else {
			nr_r++;
			reap = reap ? reap : x;
		}
	}
	/* Zombie and reap: once each per life (the life ends at the reap). */
	ok &= ASSERT_LE(nr_z, 1, "one zombie record per process life");
	ok &= ASSERT_LE(nr_r, 1, "one reap record per process life");
	if (adopt) {
		const char *c = adopt->opcomm ? adopt->opcomm : "";

		t->orphans++;
		t->adoptions += nr_adopt;
		t->duplicates += nr_adopt - 1;
		if (!strcmp(c, "containerd-shim"))
			t->by_shim_start++;
		else if (!strncmp(c, "runc", 4))
			t->by_runc++;
		else
			t->by_other++;
		if (adopt->np == d->keeper)
			t->keeper_adopted++;
		ok &= ASSERT_EQ(nr_adopt, 1,
				"one adoption per orphan (reparent not of kind thread)");
		/* Each record must name the same old and new parent process. */
		for (i = from; i < to; i++)
			if (r[i].ev == 'P' && !is_thread(&r[i])) {
				ok &= ASSERT_EQ(r[i].op, adopt->op,
						"every adoption: one old parent");
				ok &= ASSERT_EQ(r[i].np, adopt->np,
						"every adoption: one new parent");
			}
		/* The old parent forked it: it is a process that exited after. */
		ok &= ASSERT_NEQ(adopt->op, adopt->np, "old and new parent differ");
		ok &= ASSERT_TRUE(zombie_of(r, n, adopt->op) != NULL,
				  "the old parent's process exited (its zombie record)");
		/* The new parent is the real reaper: it is told of the exit and reaps. */
		if (z)
			ok &= ASSERT_EQ(z->parent, adopt->np,
					"the zombie's parent is the new parent");
		if (reap && reap->reaper > 0)
			ok &= ASSERT_EQ(reap->reaper, adopt->np, "the reaper is the new parent");
	}
	/*
	 * -T: the hand-offs inside the old parent's process form one chain,
	 * thread to thread, ending at the thread whose exit gave the orphan
	 * away (order-free: the edges link up).
	 */
	if (nr_edges) {
		bool used[64] = {};
		int k, start = -1, walked = 0;

		for (k = 0; k < nr_edges; k++) {
			ok &= ASSERT_EQ(edges[k]->np, edges[k]->op,
					"thread hand-off stays in its process");
			ok &= ASSERT_NEQ(edges[k]->npt, edges[k]->opt,
					 "thread hand-off: another thread");
			if (adopt)
				ok &= ASSERT_EQ(edges[k]->op, adopt->op,
						"hand-offs are inside the old parent's process");
		}
		for (k = 0; k < nr_edges && start < 0; k++) {
			int j;
			bool target = false;

			for (j = 0; j < nr_edges; j++)
				target |= edges[j]->npt == edges[k]->opt;
			if (!target)
				start = k;
		}
		ok &= ASSERT_GE(start, 0, "the hand-off chain has a first thread");
		for (tid = start >= 0 ? edges[start]->opt : -1; start >= 0 && walked < nr_edges;) {
			int next = -1;

			for (k = 0; k < nr_edges; k++)
				if (!used[k] && edges[k]->opt == tid)
					next = k;
			if (next < 0)
				break;
			used[next] = true;
			tid = edges[next]->npt;
			walked++;
		}
		ok &= ASSERT_EQ(walked, nr_edges, "the thread hand-offs chain into one path");
		if (adopt && start >= 0)
			ok &= ASSERT_EQ(adopt->opt, tid,
					"the adoption comes from the last thread of the chain");
	}
	if (!ok) {
		diag("  records of pid %lld (life %d):", r[from].pid, r[from].life);
		dump_life(r, from, to);
	}
	return ok;
}

static bool check_records(const struct docker *d, const struct seen *s, const struct jsonl_doc *doc,
			  struct tally *t)
{
	struct rec *r = NULL;
	int n = docker_records(doc, d->keeper, &r), i, from;
	bool ok = true, seen_shim = false, seen_init = false;

	if (!ASSERT_GE(n, 0, "records of the docker world"))
		return false;
	for (from = 0; from < n; from = i) {
		for (i = from; i < n && r[i].pid == r[from].pid && r[i].life == r[from].life; i++)
			;
		ok &= check_life(d, r, n, from, i, t);
	}
	for (i = 0; i < n; i++) {
		const struct rec *x = &r[i];

		if (x->ev != 'P' || is_thread(x))
			continue;
		/* The detached container, seen in /proc while it lived. */
		if (x->pid == s->shim && !seen_shim) {
			seen_shim = true;
			ok &= ASSERT_EQ(x->np, s->shim_ppid,
					"shim: new_parent == its PPid in /proc");
			ok &= ASSERT_STREQ(x->kind, "subreaper", "shim: adopted by a subreaper");
			ok &= ASSERT_STREQ(x->opcomm, "containerd-shim", "shim: old parent's comm");
			{
				const struct rec *z = zombie_of(r, n, x->op);

				ok &= ASSERT_TRUE(z && z->parent == d->containerd,
						  "shim: its old parent was containerd's child");
			}
		}
		if (x->pid == s->init && !seen_init) {
			seen_init = true;
			ok &= ASSERT_EQ(x->np, s->init_ppid, "container: new_parent == its PPid");
			ok &= ASSERT_STREQ(x->kind, "subreaper", "container: adopted by the shim");
			{
				const struct rec *z = zombie_of(r, n, x->op);

				ok &= ASSERT_TRUE(z && z->parent == s->shim,
						  "container: its old parent was the shim's child");
			}
		}
		if (x->np != d->keeper)
			t->shim_adopted++;
	}
	ok &= ASSERT_TRUE(seen_shim, "the detached container's shim adoption is reported");
	ok &= ASSERT_TRUE(seen_init, "the detached container's adoption by its shim is reported");
	ok &= ASSERT_GE(t->keeper_adopted, NR_RUNS + 1,
			"a shim adopted by the keeper per container");
	free(r);
	return ok;
}

TEST(docker_adoptions)
{
	struct docker d = {};
	struct tracer tr = {};
	struct seen s = {};
	struct tally t = {};
	unsigned long long t0;

	if (!tracer_start(&tr, json_threads_opts))
		goto out;
	if (!docker_start(&d))
		goto out;
	t0 = boottime_ns();
	if (!docker_import_busybox(&d, IMAGE) || !run_containers(&d, &s))
		goto out;
	diag("docker: import and runs %.1f s", secs(t0, boottime_ns()));
	check_seen(&d, &s);
	/* Its exits are traced too: dockerd's and containerd's own orphans. */
	if (!docker_stop(&d))
		goto out;
	check_nothing_left(tr.pid);
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	check_records(&d, &s, &tr.doc, &t);
	diag("docker: %d orphans adopted outside their process, %d adoption records, "
	     "%d duplicates; old parent containerd-shim %d, runc %d, other %d; by the keeper %d, "
	     "by others %d; %d thread hand-offs",
	     t.orphans, t.adoptions, t.duplicates, t.by_shim_start, t.by_runc, t.by_other,
	     t.keeper_adopted, t.shim_adopted, t.thread_recs);
out:
	docker_stop(&d);
	tracer_free(&tr);
}
