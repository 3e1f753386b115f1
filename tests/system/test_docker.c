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
/*
 * Where the kernel has AppArmor on (Debian's 6.1 in the VM guest), dockerd
 * loads its docker-default profile with apparmor_parser, which docker.io
 * only recommends: unconfined needs none.
 */
#define RUN_OPTS "--network", "none", "--security-opt", "apparmor=unconfined"

static const char *const json_opts[] = { "--json", NULL };
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
				(const char *const[]){ "run", "--rm", RUN_OPTS, IMAGE, "true",
						       NULL });
		if (!ASSERT_EQ(rc, 0, "docker run --rm --network none IMG true")) {
			diag("docker run: %s", out);
			return false;
		}
	}
	/* A PID 1 that stops on SIGTERM, so that docker stop need not kill it. */
	rc = docker_cmd(d, id, sizeof(id), CMD_MS,
			(const char *const[]){ "run", "-d", RUN_OPTS, IMAGE, "sh", "-c",
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
		docker_nothing_left(0);
	}
}

/*
 * Take-down with work left running: a PID 1 that ignores SIGTERM (sleep),
 * a container with children, a process started by docker exec. docker rm
 * -f and the daemons' stops must end them all, nothing killed by the
 * keeper, no mount or cgroup left.
 */
TEST(docker_cleanup)
{
	static const char *const runs[][12] = {
		{ "run", "-d", RUN_OPTS, IMAGE, "sleep", "300", NULL },
		{ "run", "-d", RUN_OPTS, IMAGE, "sh", "-c", "sleep 300 & sleep 301 & wait", NULL },
	};
	struct docker d = {};
	char id[2][128], out[1024];
	unsigned long long t0;
	unsigned int i;
	int rc;

	if (!docker_start(&d))
		goto out;
	if (!docker_import_busybox(&d, IMAGE))
		goto out;
	for (i = 0; i < 2; i++) {
		rc = docker_cmd(&d, id[i], sizeof(id[i]), CMD_MS, runs[i]);
		if (!ASSERT_EQ(rc, 0, "docker run -d")) {
			diag("%s", id[i]);
			goto out;
		}
	}
	rc = docker_cmd(&d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "exec", "-d", id[1], "sleep", "302", NULL });
	if (!ASSERT_EQ(rc, 0, "docker exec -d")) {
		diag("%s", out);
		goto out;
	}
	rc = docker_cmd(&d, out, sizeof(out), CMD_MS, (const char *const[]){ "ps", "-q", NULL });
	ASSERT_EQ(rc, 0, "docker ps -q");
	ASSERT_EQ(strlen(out), 12 * 2 + 1, "two containers run");
out:
	t0 = boottime_ns();
	if (docker_stop(&d) && d.t_ready_ns) {
		diag("docker: take-down with 2 containers running %.1f s",
		     secs(t0, d.t_stopped_ns));
		docker_nothing_left(0);
	}
}

/* ---- the tracer's records about the docker world ---- */

/*
 * One record about the docker world. An orphan is named by (pid, the
 * process that forked it): old_parent.pid in its reparent records, origin[0]
 * in its zombie and reap records. That is its (pid, start): a pid is not
 * given twice to children of one parent within a run of seconds.
 */
struct rec {
	const struct json_obj *o;
	int ev; /* 'P' reparent, 'Z' zombie, 'R' reap, 'S' subreaper on */
	long long ts, pid, op, opt, np, npt, parent, reaper, origin;
	const char *kind, *opcomm;
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
 * parent, old or new parent or reaper is in it), to a fixpoint. Other
 * activity on the machine stays out of it.
 */
static int docker_records(const struct jsonl_doc *doc, pid_t keeper, struct rec **out)
{
	static struct world w;
	struct rec *r = calloc(doc->nr + 1, sizeof(*r));
	bool grew = true, on;
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
		else if (!strcmp(ev, "subreaper") && json_bool(o, "enabled", &on) && on)
			x->ev = 'S';
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
		x->origin = get(o, "origin.0.pid");
		x->kind = json_str(o, "reaper_kind");
		x->opcomm = json_str(o, "old_parent.comm");
		n++;
	}
	if (!r)
		return -1;
	qsort(r, n, sizeof(*r), cmp_rec);
	*out = r;
	return n;
}

static bool is_thread(const struct rec *x)
{
	return x->kind && !strcmp(x->kind, "thread");
}

/* The first record of type ev about pid (forked by origin, if >= 0). */
static const struct rec *find(const struct rec *r, int n, int ev, long long pid, long long origin)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].pid == pid && r[i].ev == ev && (origin < 0 || r[i].origin == origin))
			return &r[i];
	return NULL;
}

/* The first adoption record of pid (reparent not of kind thread). */
static const struct rec *find_adoption(const struct rec *r, int n, long long pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].pid == pid && r[i].ev == 'P' && !is_thread(&r[i]))
			return &r[i];
	return NULL;
}

/*
 * Who the kernel must give an orphan of process op to: the nearest
 * subreaper above op (find_new_reaper(); no namespace init is on the way
 * here). Worked out from records other than reparent: each process's
 * parent from its zombie record, subreapers from their prctl. -1 if the
 * records do not tell.
 */
static long long nearest_subreaper(const struct rec *r, int n, long long op)
{
	long long p = op;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		const struct rec *z = find(r, n, 'Z', p, -1);

		if (!z || z->parent <= 0)
			return -1;
		p = z->parent;
		if (find(r, n, 'S', p, -1))
			return p;
	}
	return -1;
}

struct tally {
	int orphans;	/* (pid, old parent) adopted outside their process */
	int adoptions;	/* their non-thread reparent records */
	int duplicates; /* adoptions - orphans */
	int worst;	/* most adoption records of one orphan */
	int by_shim, by_runc, by_other;
	int thread_recs;
	int keeper_adopted, shim_adopted;
	int zombie_dups, reap_dups;
	bool threads; /* the tracer ran with -T */
};

static void dump_orphan(const struct rec *r, int n, long long pid, long long op)
{
	int i;

	diag("  records of pid %lld (forked by %lld):", pid, op);
	for (i = 0; i < n; i++)
		if (r[i].pid == pid && (r[i].op == op || r[i].origin == op || r[i].ev != 'P'))
			diag("    %s", r[i].o->line);
}

/*
 * -T: the hand-offs inside the old parent's process form one chain, thread
 * to thread, that ends at the thread whose exit gave the orphan away
 * (order-free: the edges must link up).
 */
static bool check_chain(const struct rec **edges, int nr, const struct rec *adopt)
{
	bool used[64] = {}, ok = true;
	int k, j, start = -1, walked = 0;
	long long tid = -1;

	for (k = 0; k < nr; k++) {
		ok &= ASSERT_EQ(edges[k]->np, edges[k]->op, "thread hand-off stays in its process");
		ok &= ASSERT_NEQ(edges[k]->npt, edges[k]->opt,
				 "thread hand-off: to another thread");
	}
	for (k = 0; k < nr && start < 0; k++) {
		bool target = false;

		for (j = 0; j < nr; j++)
			target |= edges[j]->npt == edges[k]->opt;
		if (!target)
			start = k;
	}
	if (!ASSERT_GE(start, 0, "the hand-off chain has a first thread"))
		return false;
	for (tid = edges[start]->opt; walked < nr;) {
		int next = -1;

		for (k = 0; k < nr; k++)
			if (!used[k] && edges[k]->opt == tid)
				next = k;
		if (next < 0)
			break;
		used[next] = true;
		tid = edges[next]->npt;
		walked++;
	}
	ok &= ASSERT_EQ(walked, nr, "the thread hand-offs chain into one path");
	if (adopt)
		ok &= ASSERT_EQ(adopt->opt, tid, "the adoption comes from the chain's last thread");
	return ok;
}

/* One orphan: (pid, old parent process op). */
static bool check_orphan(const struct docker *d, const struct rec *r, int n, long long pid,
			 long long op, struct tally *t)
{
	const struct rec *adopt = NULL, *z, *reap, *edges[64];
	int i, nr_adopt = 0, nr_edges = 0;
	const char *c;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (r[i].pid != pid || r[i].ev != 'P' || r[i].op != op)
			continue;
		if (is_thread(&r[i])) {
			t->thread_recs++;
			if (nr_edges < 64)
				edges[nr_edges++] = &r[i];
			continue;
		}
		nr_adopt++;
		if (!adopt) {
			adopt = &r[i];
			continue;
		}
		/* Every record (a duplicate too) names the same new parent. */
		ok &= ASSERT_EQ(r[i].np, adopt->np, "every adoption record: one new parent");
	}
	if (adopt) {
		c = adopt->opcomm ? adopt->opcomm : "";
		t->orphans++;
		t->adoptions += nr_adopt;
		t->duplicates += nr_adopt - 1;
		if (nr_adopt > t->worst)
			t->worst = nr_adopt;
		if (!strcmp(c, "containerd-shim"))
			t->by_shim++;
		else if (!strncmp(c, "runc", 4))
			t->by_runc++;
		else
			t->by_other++;
		if (adopt->np == d->keeper)
			t->keeper_adopted++;
		else
			t->shim_adopted++;
		ok &= ASSERT_EQ(nr_adopt, 1,
				"one adoption per orphan (reparent not of kind thread)");
		ok &= ASSERT_NEQ(adopt->op, adopt->np, "old and new parent differ");
		/* The old parent forked it, and its process exited. */
		ok &= ASSERT_TRUE(find(r, n, 'Z', op, -1) != NULL,
				  "the old parent's process exited (its zombie record)");
		/* The new parent is the one the kernel's rule gives... */
		ok &= ASSERT_EQ(adopt->np, nearest_subreaper(r, n, op),
				"the new parent is the nearest subreaper above the old parent "
				"(by the zombie and subreaper records)");
		/* ...and the real reaper: told of the exit, and it reaps. */
		z = find(r, n, 'Z', pid, op);
		reap = find(r, n, 'R', pid, op);
		if (z)
			ok &= ASSERT_EQ(z->parent, adopt->np,
					"the zombie's parent is the new parent");
		if (reap && reap->reaper > 0)
			ok &= ASSERT_EQ(reap->reaper, adopt->np, "the reaper is the new parent");
	}
	if (!t->threads)
		ok &= ASSERT_EQ(nr_edges, 0, "no thread hand-off record without -T");
	else if (nr_edges)
		ok &= check_chain(edges, nr_edges, adopt);
	if (!ok)
		dump_orphan(r, n, pid, op);
	return ok;
}

/* A process's zombie and reap records alternate: none twice in a row. */
static bool check_zombies(const struct rec *r, int from, int to, struct tally *t)
{
	int i, prev = 0;
	bool ok = true;

	for (i = from; i < to; i++) {
		if (r[i].ev != 'Z' && r[i].ev != 'R')
			continue;
		if (r[i].ev == prev) {
			if (prev == 'Z')
				t->zombie_dups++;
			else
				t->reap_dups++;
			ok &= ASSERT_NEQ(r[i].ev, prev,
					 "no zombie or reap record twice for one exit");
			diag("    %s", r[i].o->line);
		}
		prev = r[i].ev;
	}
	return ok;
}

static bool check_records(const struct docker *d, const struct seen *s, const struct jsonl_doc *doc,
			  struct tally *t)
{
	struct rec *r = NULL;
	int n = docker_records(doc, d->keeper, &r), i, j, from;
	bool ok = true;
	const struct rec *x;

	if (!ASSERT_GE(n, 0, "records of the docker world"))
		return false;
	for (from = 0; from < n; from = i) {
		for (i = from; i < n && r[i].pid == r[from].pid; i++)
			;
		ok &= check_zombies(r, from, i, t);
		/* Each old parent process of this pid: one orphan. */
		for (j = from; j < i; j++) {
			const struct rec *e;

			if (r[j].ev != 'P')
				continue;
			for (e = &r[from]; e < &r[j]; e++)
				if (e->ev == 'P' && e->op == r[j].op)
					break;
			if (e == &r[j])
				ok &= check_orphan(d, r, n, r[j].pid, r[j].op, t);
		}
	}
	/* The detached container, against what /proc said while it lived. */
	x = find_adoption(r, n, s->shim);
	if (ASSERT_TRUE(x != NULL, "the detached container's shim adoption is reported")) {
		const struct rec *z = find(r, n, 'Z', x->op, -1);

		ok &= ASSERT_EQ(x->np, s->shim_ppid, "shim: new_parent == its PPid in /proc");
		ok &= ASSERT_STREQ(x->kind, "subreaper", "shim: adopted by a subreaper");
		ok &= ASSERT_STREQ(x->opcomm, "containerd-shim", "shim: old parent's comm");
		ok &= ASSERT_TRUE(z && z->parent == d->containerd,
				  "shim: its old parent was containerd's child");
	} else {
		ok = false;
	}
	x = find_adoption(r, n, s->init);
	if (ASSERT_TRUE(x != NULL, "the detached container's adoption is reported")) {
		const struct rec *z = find(r, n, 'Z', x->op, -1);

		ok &= ASSERT_EQ(x->np, s->init_ppid, "container: new_parent == its PPid in /proc");
		ok &= ASSERT_STREQ(x->kind, "subreaper", "container: adopted by its shim");
		ok &= ASSERT_TRUE(z && z->parent == s->shim,
				  "container: its old parent was the shim's child");
	} else {
		ok = false;
	}
	ok &= ASSERT_GE(t->keeper_adopted, NR_RUNS + 1,
			"a shim adopted by the keeper per container");
	ok &= ASSERT_GE(t->shim_adopted, NR_RUNS + 1,
			"a container adopted by its shim per container");
	free(r);
	return ok;
}

/* RT_DOCKER_RECORDS=FILE keeps the tracer's records (to measure, to look at). */
static void save_records(const struct jsonl_doc *doc)
{
	const char *path = getenv("RT_DOCKER_RECORDS");
	FILE *f;
	int i;

	if (!path || !*path)
		return;
	f = fopen(path, "we");
	if (!f) {
		diag("RT_DOCKER_RECORDS: %s: %s", path, strerror(errno));
		return;
	}
	for (i = 0; i < doc->nr; i++)
		fprintf(f, "%s\n", doc->objs[i].line);
	fclose(f);
	diag("docker: %d records in %s", doc->nr, path);
}

static void traced_containers(bool threads)
{
	struct docker d = {};
	struct tracer tr = {};
	struct seen s = {};
	struct tally t = { .threads = threads };
	unsigned long long t0;

	if (!tracer_start(&tr, threads ? json_threads_opts : json_opts))
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
	docker_nothing_left(tr.pid);
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	save_records(&tr.doc);
	diag("docker: keeper %d, containerd %d, dockerd %d; shim %d (PPid %d), container %d "
	     "(PPid %d)",
	     d.keeper, d.containerd, d.dockerd, s.shim, s.shim_ppid, s.init, s.init_ppid);
	check_records(&d, &s, &tr.doc, &t);
	diag("docker: %d orphans adopted outside their process, %d adoption records: "
	     "%d duplicates (at most %d records for one orphan); old parent containerd-shim %d, "
	     "runc %d, other %d; by the keeper %d, by others %d; %d thread hand-offs; "
	     "duplicate zombie records %d, reap records %d",
	     t.orphans, t.adoptions, t.duplicates, t.worst, t.by_shim, t.by_runc, t.by_other,
	     t.keeper_adopted, t.shim_adopted, t.thread_recs, t.zombie_dups, t.reap_dups);
out:
	docker_stop(&d);
	tracer_free(&tr);
}

/* With -T: the hand-offs between the dying threads too, as one chain. */
TEST(docker_adoptions)
{
	traced_containers(true);
}

/* Without -T (as the issue was seen): the adoptions alone, once each. */
TEST(docker_adoptions_plain)
{
	traced_containers(false);
}
