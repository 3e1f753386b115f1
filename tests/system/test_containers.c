// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The incidents users bring to reapertrace, in real Docker containers
 * (docker.h: a private dockerd, a busybox image): an application as PID 1
 * that never reaps, the same under docker-init, a docker stop whose SIGTERM
 * PID 1 never gets, and a docker exec that leaves orphans. Each is checked
 * against what docker inspect and /proc say, record by record, and every
 * record of the container's processes must name the container.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"
#include "harness.h"
#include "tracer.h"

#define IMAGE	   "rt-busybox"
#define CMD_MS	   60000
#define MAX_KIDS   64
#define RUN_OPTS   "--network", "none", "--security-opt", "apparmor=unconfined"
#define ORPHANS_SH "(sleep 2 &); (sleep 2 &); (sleep 2 &); "
#define NR_ORPHANS 3

/* A container while it ran: its id, PID 1 and PID 1's children, from docker and /proc. */
struct box {
	char id[128];	      /* the full id docker run printed */
	char name[128];	      /* .Name, without its leading slash */
	pid_t init;	      /* .State.Pid */
	char init_comm[32];   /* /proc/PID/stat */
	pid_t kids[MAX_KIDS]; /* PID 1's children, read from /proc */
	int nr_kids;
};

/* docker run -d [--init] [@opt] RUN_OPTS IMAGE sh -c SCRIPT, and its PID 1. */
static bool run_box_with(struct docker *d, bool init, const char *opt, const char *script,
			 struct box *b)
{
	const char *argv[16];
	char out[256];
	struct proc_entry e;
	int rc, n = 0;

	argv[n++] = "run";
	argv[n++] = "-d";
	if (init)
		argv[n++] = "--init";
	if (opt)
		argv[n++] = opt;
	argv[n++] = "--network";
	argv[n++] = "none";
	argv[n++] = "--security-opt";
	argv[n++] = "apparmor=unconfined";
	argv[n++] = IMAGE;
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	rc = docker_cmd(d, b->id, sizeof(b->id), CMD_MS, argv);
	if (!ASSERT_EQ(rc, 0, "docker run -d")) {
		diag("docker run: %s", b->id);
		return false;
	}
	if (!ASSERT_EQ(strlen(b->id), 64, "docker run -d printed a 64-hex id"))
		return false;
	rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "inspect", "--format", "{{.State.Pid}}", b->id,
					       NULL });
	if (!ASSERT_EQ(rc, 0, "docker inspect .State.Pid"))
		return false;
	b->init = atoi(out);
	rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "inspect", "--format", "{{.Name}}", b->id, NULL });
	if (!ASSERT_EQ(rc, 0, "docker inspect .Name"))
		return false;
	snprintf(b->name, sizeof(b->name), "%.127s", out[0] == '/' ? out + 1 : out);
	if (!ASSERT_GT(b->init, 0, "the container's PID 1") || proc_stat(b->init, &e))
		return false;
	snprintf(b->init_comm, sizeof(b->init_comm), "%s", e.comm);
	return true;
}

static bool run_box(struct docker *d, bool init, const char *script, struct box *b)
{
	return run_box_with(d, init, NULL, script, b);
}

/* PID 1's children now, from /proc; in state @state only if @state is not 0. */
static int read_kids(struct box *b, char state)
{
	struct proc_entry *procs = NULL;
	int n = proc_all(&procs), i, all = 0;

	b->nr_kids = 0;
	for (i = 0; i < n; i++) {
		if (procs[i].ppid != b->init || (state && procs[i].state != state))
			continue;
		if (b->nr_kids < MAX_KIDS)
			b->kids[b->nr_kids++] = procs[i].pid;
		all++;
	}
	free(procs);
	ASSERT_LE(all, MAX_KIDS, "PID 1's children fit the test's array");
	return all;
}

/* Until PID 1 has @n children in @state, or @ms pass. */
static int wait_kids(struct box *b, char state, int n, int ms)
{
	while (read_kids(b, state) != n && ms > 0) {
		msleep(50);
		ms -= 50;
	}
	return b->nr_kids;
}

/* /proc/PID/cmdline is "@prog @arg". */
static bool runs(pid_t pid, const char *prog, const char *arg)
{
	char path[64], cmd[256] = "";
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "re");
	if (f) {
		len = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	cmd[len] = 0;
	return len == strlen(prog) + strlen(arg) + 2 && !strcmp(cmd, prog) &&
	       !strcmp(cmd + strlen(prog) + 1, arg);
}

/* On a failure: every record naming @pid anywhere. */
static void dump_pid(const struct jsonl_doc *doc, long long pid)
{
	char needle[32];
	int i;

	snprintf(needle, sizeof(needle), "\"pid\":%lld,", pid);
	for (i = 0; i < doc->nr; i++)
		if (strstr(doc->objs[i].line, needle))
			diag("  %s", doc->objs[i].line);
}

static int count_records(const struct jsonl_doc *doc, const char *event, long long pid)
{
	int n = 0;

	while (jsonl_find(doc, event, pid, n))
		n++;
	return n;
}

static long long get(const struct json_obj *o, const char *key)
{
	long long v = -1;

	json_int(o, key, &v);
	return v;
}

/* The record names the container by its full id, as Docker's. */
static bool names_box(const struct json_obj *o, const struct box *b, const char *what)
{
	const char *id = json_str(o, "container.id");

	if (!ASSERT_STREQ(id, b->id, what)) {
		diag("record: %s", o->line);
		return false;
	}
	return ASSERT_STREQ(json_str(o, "container.runtime"), "docker", what);
}

/* Every record whose process is one of the container's names it. */
static bool all_name_box(const struct jsonl_doc *doc, const struct box *b, pid_t *pids, int n)
{
	int i, j, checked = 0;
	bool ok = true;

	for (i = 0; i < doc->nr; i++) {
		long long pid = get(&doc->objs[i], "pid");

		for (j = 0; j < n; j++)
			if (pid == pids[j] && json_get(&doc->objs[i], "container")) {
				ok &= names_box(&doc->objs[i], b, "a record of the container");
				checked++;
			}
	}
	return ASSERT_GT(checked, 0, "records of the container") && ok;
}

/*
 * The orphans of the subshells: each reparented once to PID 1 (ns_init),
 * as /proc saw them, a zombie of PID 1 once it died.
 */
static bool check_adopted(const struct jsonl_doc *doc, const struct box *b, const pid_t *orphans,
			  int n)
{
	bool ok = true;
	int i;

	for (i = 0; i < n; i++) {
		const struct json_obj *rp = jsonl_find(doc, "reparent", orphans[i], 0);
		const struct json_obj *z = jsonl_find(doc, "zombie", orphans[i], 0);

		ok &= ASSERT_EQ(count_records(doc, "reparent", orphans[i]), 1,
				"each orphan adopted once");
		if (!ASSERT_TRUE(rp && z, "a reparent and a zombie record per orphan")) {
			diag("orphan %d: reparent %s, zombie %s", orphans[i], rp ? "yes" : "no",
			     z ? "yes" : "no");
			ok = false;
			continue;
		}
		ok &= ASSERT_EQ(get(rp, "new_parent.pid"), b->init, "adopted by PID 1");
		ok &= ASSERT_STREQ(json_str(rp, "reaper_kind"), "ns_init", "kind ns_init");
		ok &= ASSERT_EQ(get(rp, "ns_pid") > 1, 1, "the orphan is inside the namespace");
		ok &= ASSERT_EQ(get(z, "parent.pid"), b->init, "a zombie of PID 1");
		ok &= names_box(rp, b, "the reparent names the container");
		ok &= names_box(z, b, "the zombie names the container");
	}
	return ok;
}

/* `reapertrace zombies -j --zombie-age 1`: those zombies, under PID 1, flagged. */
static bool check_zombies_snapshot(const struct box *b, const pid_t *zombies, int n)
{
	char cmd[512], path[] = "/tmp/rt-zombies-XXXXXX";
	struct jsonl_doc doc = {};
	int fd = mkstemp(path), i, rc, found = 0, leaks = 0;
	bool ok = true;

	if (!ASSERT_GE(fd, 0, "temporary file"))
		return false;
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s zombies -j --zombie-age 1 > %s", tracer_bin(), path);
	rc = system(cmd);
	ok &= ASSERT_EQ(WEXITSTATUS(rc), 0, "reapertrace zombies");
	if (ASSERT_OK(jsonl_load(path, &doc, NULL, NULL), "its output") &&
	    ASSERT_EQ(doc.nr_bad, 0, doc.first_bad)) {
		for (i = 0; i < doc.nr; i++) {
			const struct json_obj *o = &doc.objs[i];
			const char *type = json_str(o, "type");
			long long pid = get(o, "pid");
			int j;

			if (type && !strcmp(type, "leak") && pid == b->init)
				leaks++;
			if (type && !strcmp(type, "parent") && pid == b->init)
				ok &= ASSERT_STREQ(
					json_str(o, "container.id"), b->id,
					"zombies: the parent's group names the container");
			if (!type || strcmp(type, "zombie"))
				continue;
			for (j = 0; j < n; j++) {
				if (pid != zombies[j])
					continue;
				found++;
				ok &= ASSERT_EQ(get(o, "parent.pid"), b->init,
						"zombies: held by PID 1");
				ok &= ASSERT_STREQ(json_str(o, "container.id"), b->id,
						   "zombies: the container");
				ok &= ASSERT_STREQ(json_str(o, "container.name"), b->name,
						   "zombies: its name, asked of the daemon");
			}
		}
	}
	ok &= ASSERT_EQ(found, n, "zombies lists each zombie of PID 1");
	ok &= ASSERT_EQ(leaks, 1, "zombies --zombie-age 1 flags PID 1");
	jsonl_free(&doc);
	unlink(path);
	return ok;
}

/* `reapertrace CMD ARGS... -j` (no shell), its records; false when it failed. */
static bool run_json(const char *const *args, struct jsonl_doc *doc)
{
	char path[] = "/tmp/rt-json-XXXXXX", cmd[1024];
	int fd = mkstemp(path), i, rc;
	size_t n;

	if (!ASSERT_GE(fd, 0, "temporary file"))
		return false;
	close(fd);
	n = snprintf(cmd, sizeof(cmd), "%s", tracer_bin());
	for (i = 0; args[i] && n < sizeof(cmd); i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, " %s", args[i]);
	snprintf(cmd + n, n < sizeof(cmd) ? sizeof(cmd) - n : 0, " > %s 2>/dev/null", path);
	rc = system(cmd);
	if (!ASSERT_EQ(WEXITSTATUS(rc), 0, cmd) ||
	    !ASSERT_OK(jsonl_load(path, doc, NULL, NULL), "its output")) {
		unlink(path);
		return false;
	}
	unlink(path);
	return ASSERT_EQ(doc->nr_bad, 0, doc->first_bad);
}

/* ns's row of the container's namespace, and top's row of PID 1, name the container. */
static bool check_ns_and_top(const struct box *b, int zombies)
{
	static const char *const ns_args[] = { "ns", "-j", NULL };
	char prefix[16];
	const char *top_args[] = {
		"top", "-j", "-n", "1", "-i", "0.5", "--container", prefix, NULL
	};
	struct jsonl_doc ns = {}, top = {};
	bool ok = true, ns_row = false, top_row = false;
	int i;

	snprintf(prefix, sizeof(prefix), "%.12s", b->id);
	if (run_json(ns_args, &ns)) {
		for (i = 0; i < ns.nr; i++) {
			if (get(&ns.objs[i], "reaper_pid") != b->init)
				continue;
			ns_row = true;
			ok &= ASSERT_STREQ(json_str(&ns.objs[i], "container.id"), b->id,
					   "ns: the namespace's reaper names the container");
			ok &= ASSERT_STREQ(json_str(&ns.objs[i], "container.name"), b->name,
					   "ns: and its name");
			ok &= ASSERT_EQ(get(&ns.objs[i], "zombies"), zombies, "ns: its zombies");
		}
	}
	ok &= ASSERT_TRUE(ns_row, "ns: a row for the container's namespace");
	if (run_json(top_args, &top)) {
		for (i = 0; i < top.nr; i++) {
			if (strcmp(json_event(&top.objs[i]), "reaper") ||
			    get(&top.objs[i], "pid") != b->init)
				continue;
			top_row = true;
			ok &= ASSERT_STREQ(json_str(&top.objs[i], "container.id"), b->id,
					   "top: PID 1's row names the container");
			ok &= ASSERT_EQ(get(&top.objs[i], "zombies"), zombies, "top: its zombies");
		}
	}
	ok &= ASSERT_TRUE(top_row, "top --container: a row for PID 1");
	jsonl_free(&ns);
	jsonl_free(&top);
	return ok;
}

static bool remove_box(struct docker *d, const struct box *b)
{
	char out[256];
	int rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			    (const char *const[]){ "rm", "-f", b->id, NULL });

	if (!ASSERT_EQ(rc, 0, "docker rm -f"))
		diag("docker rm -f: %s", out);
	return !rc;
}

/* The daemons, then the tracer, which asks the private dockerd for names ($DOCKER_HOST). */
static bool start_all(struct tracer *tr, struct docker *d, const char *const *opts)
{
	if (!docker_start(d))
		return false;
	setenv("DOCKER_HOST", d->host, 1);
	return tracer_start(tr, opts) && docker_import_busybox(d, IMAGE);
}

/*
 * Docker's name for the container: on no record before the daemon
 * answered, then on every one (the lookup is in the background). The
 * leak, seconds later, must have it.
 */
static bool check_names(const struct jsonl_doc *doc, const struct box *b,
			const struct json_obj *late)
{
	bool ok = true, named = false;
	int i;

	for (i = 0; i < doc->nr; i++) {
		const char *id = json_str(&doc->objs[i], "container.id");
		const char *name = json_str(&doc->objs[i], "container.name");

		if (!id || strcmp(id, b->id))
			continue;
		if (name) {
			ok &= ASSERT_STREQ(name, b->name, "the name docker inspect gives");
			named = true;
		} else {
			ok &= ASSERT_FALSE(named, "once named, named on every record");
		}
	}
	if (late)
		ok &= ASSERT_STREQ(json_str(late, "container.name"), b->name,
				   "a record seconds after the start is named");
	return ok;
}

/*
 * The container removed, the daemons taken down, nothing of them left
 * below the test, then the tracer stopped and its records read.
 */
static bool finish_all(struct tracer *tr, struct docker *d, const struct box *b)
{
	remove_box(d, b);
	if (!docker_stop(d))
		return false;
	docker_nothing_left(tr->pid);
	return tracer_stop(tr, NULL, NULL);
}

/*
 * An application (sleep, by exec) as PID 1 that never reaps, and three
 * orphans of subshells: adopted by PID 1, zombies it never reaps, listed
 * and flagged by `zombies`, reported as a leak by the stream's
 * --zombie-age; reaped only when the container goes.
 */
TEST(docker_app_as_pid1_never_reaps)
{
	static const char *const opts[] = { "--json", "--zombie-age", "1", NULL };
	struct tracer tr = {};
	struct docker d = {};
	struct box b = {};
	pid_t orphans[MAX_KIDS];
	int i, n;

	if (!start_all(&tr, &d, opts))
		goto out;
	if (!run_box(&d, false, ORPHANS_SH "exec sleep 300", &b))
		goto out;
	n = wait_kids(&b, 'S', NR_ORPHANS, 1500);
	ASSERT_EQ(n, NR_ORPHANS, "PID 1 holds the three orphans (/proc)");
	memcpy(orphans, b.kids, n * sizeof(pid_t));
	ASSERT_EQ(wait_kids(&b, 'Z', n, 5000), n, "they become zombies of PID 1 (/proc)");
	ASSERT_STREQ(b.init_comm, "sleep", "PID 1 is the application");
	/* older than --zombie-age 1 for more than a second: a leak check saw them */
	msleep(2500);
	ASSERT_EQ(read_kids(&b, 'Z'), n, "PID 1 never reaps them");
	check_zombies_snapshot(&b, orphans, n);
	check_ns_and_top(&b, n);
	if (!finish_all(&tr, &d, &b))
		goto out;
	check_adopted(&tr.doc, &b, orphans, n);
	for (i = 0; i < n; i++) {
		const struct json_obj *z = jsonl_find(&tr.doc, "zombie", orphans[i], 0);
		const struct json_obj *r = jsonl_find(&tr.doc, "reap", orphans[i], 0);

		if (ASSERT_TRUE(z && r, "each zombie reaped when its container went"))
			ASSERT_GT(get(r, "zombie_ns"), 1000000000LL,
				  "after more than a second as a zombie");
	}
	{
		const struct json_obj *leak = NULL;

		for (i = 0; i < tr.doc.nr; i++)
			if (!strcmp(json_event(&tr.doc.objs[i]), "leak") &&
			    get(&tr.doc.objs[i], "reaper.pid") == b.init)
				leak = &tr.doc.objs[i];
		if (!ASSERT_TRUE(leak, "--zombie-age: a leak of PID 1"))
			dump_pid(&tr.doc, b.init);
		else {
			ASSERT_EQ(get(leak, "zombies"), n, "the leak counts its zombies");
			names_box(leak, &b, "the leak names the container");
			check_names(&tr.doc, &b, leak);
		}
	}
	all_name_box(&tr.doc, &b, orphans, n);
out:
	docker_stop(&d);
	tracer_free(&tr);
}

/* The same under docker run --init: docker-init adopts and reaps them, no leak. */
TEST(docker_init_reaps_orphans)
{
	static const char *const opts[] = { "--json", "--zombie-age", "1", NULL };
	struct tracer tr = {};
	struct docker d = {};
	struct box b = {};
	pid_t orphans[MAX_KIDS];
	int i, n = 0, leaks = 0;

	if (!start_all(&tr, &d, opts))
		goto out;
	if (!run_box(&d, true, ORPHANS_SH "exec sleep 300", &b))
		goto out;
	ASSERT_STREQ(b.init_comm, "docker-init", "PID 1 is docker-init (tini)");
	/* PID 1's children: the application (sleep 300) and the three orphans (sleep 2). */
	wait_kids(&b, 'S', NR_ORPHANS + 1, 1500);
	for (i = 0; i < b.nr_kids; i++)
		if (runs(b.kids[i], "sleep", "2"))
			orphans[n++] = b.kids[i];
	ASSERT_EQ(n, NR_ORPHANS, "docker-init holds the three orphans (/proc)");
	msleep(3000); /* they exit after 2 s */
	ASSERT_EQ(read_kids(&b, 'Z'), 0, "docker-init leaves no zombie (/proc)");
	if (!finish_all(&tr, &d, &b))
		goto out;
	check_adopted(&tr.doc, &b, orphans, n);
	for (i = 0; i < n; i++) {
		const struct json_obj *r = jsonl_find(&tr.doc, "reap", orphans[i], 0);

		if (!ASSERT_TRUE(r, "each orphan reaped"))
			continue;
		ASSERT_EQ(get(r, "reaper.pid"), b.init, "reaped by docker-init");
		ASSERT_STREQ(json_str(r, "how"), "wait4", "by wait4");
		ASSERT_LT(get(r, "zombie_ns"), 1000000000LL, "at once");
		names_box(r, &b, "the reap names the container");
	}
	for (i = 0; i < tr.doc.nr; i++)
		leaks += !strcmp(json_event(&tr.doc.objs[i]), "leak") &&
			 get(&tr.doc.objs[i], "reaper.pid") == b.init;
	ASSERT_EQ(leaks, 0, "no leak of docker-init");
out:
	docker_stop(&d);
	tracer_free(&tr);
}

/*
 * docker stop -t 2 of a PID 1 with no SIGTERM handler: the SIGTERM is
 * dropped (one init_signal_dropped, from the runtime), the SIGKILL after 2 s
 * takes PID 1 and the namespace with it: ns_teardown with the one other
 * process killed, PID 1 reaped by its shim, nothing of the container left.
 */
TEST(docker_stop_sigterm_dropped)
{
	static const char *const opts[] = { "--json", NULL };
	struct tracer tr = {};
	struct docker d = {};
	struct box b = {};
	char out[256];
	const struct json_obj *o;
	pid_t kid = 0;
	int i, dropped = 0, rc;
	unsigned long long t0, took = 0;

	if (!start_all(&tr, &d, opts))
		goto out;
	if (!run_box(&d, false, "sleep 300 & exec sleep 301", &b))
		goto out;
	if (ASSERT_EQ(wait_kids(&b, 'S', 1, 1500), 1, "PID 1 has one child (/proc)"))
		kid = b.kids[0];
	t0 = boottime_ns();
	rc = docker_cmd(&d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "stop", "-t", "2", b.id, NULL });
	took = boottime_ns() - t0;
	ASSERT_EQ(rc, 0, "docker stop -t 2");
	ASSERT_GE(took, 2000000000ULL, "docker stop waited out its 2 s");
	if (!finish_all(&tr, &d, &b))
		goto out;
	for (i = 0; (o = jsonl_find(&tr.doc, "init_signal_dropped", b.init, i)); i++) {
		if (get(o, "signal") != SIGTERM)
			continue;
		dropped++;
		diag("SIGTERM from %lld (%s)", get(o, "sender.pid"), json_str(o, "sender.comm"));
		/* docker stop -> containerd -> the shim -> runc kill */
		ASSERT_STREQ(json_str(o, "sender.comm"), "runc", "sent by runc");
		names_box(o, &b, "the dropped signal names the container");
	}
	ASSERT_EQ(dropped, 1, "one SIGTERM dropped");
	o = jsonl_find(&tr.doc, "ns_teardown", b.init, 0);
	if (ASSERT_TRUE(o, "the namespace torn down")) {
		ASSERT_EQ(get(o, "killed"), 1, "with its one other process");
		names_box(o, &b, "the teardown names the container");
	}
	o = jsonl_find(&tr.doc, "zombie", b.init, 0);
	if (ASSERT_TRUE(o, "PID 1 died")) {
		ASSERT_EQ(get(o, "signal"), SIGKILL, "of the SIGKILL");
		o = jsonl_find(&tr.doc, "reap", b.init, 0);
		if (ASSERT_TRUE(o, "PID 1 reaped"))
			ASSERT_STREQ(json_str(o, "reaper.comm"), "containerd-shim", "by its shim");
	}
	/*
	 * The teardown's victim was never a zombie: the exiting init ignores
	 * SIGCHLD first (zap_pid_ns_processes()), so the kernel freed it at
	 * once. It is counted by killed, and gone.
	 */
	if (kid) {
		ASSERT_EQ(count_records(&tr.doc, "zombie", kid), 0,
			  "the killed process: no zombie");
		ASSERT_TRUE(proc_stat(kid, &(struct proc_entry){}) != 0, "and gone (/proc)");
	}
out:
	docker_stop(&d);
	tracer_free(&tr);
}

/* docker exec into a PID 1 that never reaps: the exec'd process's orphans end up with PID 1. */
TEST(docker_exec_orphans_go_to_pid1)
{
	static const char *const opts[] = { "--json", NULL };
	struct tracer tr = {};
	struct docker d = {};
	struct box b = {};
	char out[256];
	pid_t orphans[MAX_KIDS];
	int n = 0, rc;

	if (!start_all(&tr, &d, opts))
		goto out;
	if (!run_box(&d, false, "exec sleep 300", &b))
		goto out;
	ASSERT_EQ(read_kids(&b, 0), 0, "PID 1 starts with no child");
	rc = docker_cmd(&d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "exec", b.id, "sh", "-c",
					       "(sleep 2 </dev/null >/dev/null 2>&1 &); "
					       "(sleep 2 </dev/null >/dev/null 2>&1 &); exit 0",
					       NULL });
	ASSERT_EQ(rc, 0, "docker exec");
	n = wait_kids(&b, 'S', 2, 1500);
	ASSERT_EQ(n, 2, "PID 1 holds the exec'd process's two orphans (/proc)");
	memcpy(orphans, b.kids, n * sizeof(pid_t));
	ASSERT_EQ(wait_kids(&b, 'Z', n, 5000), n, "zombies of PID 1 (/proc)");
	if (!finish_all(&tr, &d, &b))
		goto out;
	check_adopted(&tr.doc, &b, orphans, n);
	all_name_box(&tr.doc, &b, orphans, n);
out:
	docker_stop(&d);
	tracer_free(&tr);
}

/*
 * The container's pids controller file @name (pids.current, pids.max) as
 * a number, -1 if unreadable: in cgroup2 where it has the controller, else
 * in the pids v1 hierarchy (/proc/PID/cgroup's "pids" line).
 */
static long long box_pids_value(const struct box *b, const char *name)
{
	char line[1024], rel[512] = "", path[2048], buf[32] = "", *ctrl, *p;
	const char *mnt = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", b->init);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		ctrl = strchr(line, ':');
		p = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!p)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(ctrl + 1, "pids:", 5)) {
			snprintf(rel, sizeof(rel), "%s", p + 1);
			mnt = "/sys/fs/cgroup/pids";
			break;
		}
		if (!strncmp(line, "0::", 3))
			snprintf(rel, sizeof(rel), "%s", p + 1);
	}
	if (f)
		fclose(f);
	if (!mnt)
		mnt = cgroup2_mount();
	snprintf(path, sizeof(path), "%s%s/%s", mnt, rel, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] >= '0' && buf[0] <= '9' ? atoll(buf) : -1;
}

/*
 * docker run --pids-limit 20 with a PID 1 that never reaps, and a docker
 * exec that leaks one zombie per iteration until fork fails with EAGAIN
 * inside. reapertrace zombies must report the container's pids.current,
 * pids.max and zombies as the cgroup and /proc say, and warn.
 */
TEST(docker_pids_limit_filled_with_zombies)
{
	static const char *const opts[] = { "--json", "--zombie-age", "1", NULL };
	char out[4096], cmd[512], errpath[] = "/tmp/rt-pids-err-XXXXXX",
				  outpath[] = "/tmp/rt-pids-out-XXXXXX";
	const struct json_obj *pids = NULL;
	struct jsonl_doc doc = {};
	struct tracer tr = {};
	struct docker d = {};
	struct box b = {};
	long long current, max;
	char *err_text = NULL;
	int fd1 = -1, fd2 = -1, i, zombies;

	if (!start_all(&tr, &d, opts))
		goto out;
	if (!run_box_with(&d, false, "--pids-limit=20", "exec sleep 300", &b))
		goto out;
	max = box_pids_value(&b, "pids.max");
	if (max != 20) {
		test_skip("no pids controller for the containers (pids.max %lld)", max);
		goto out;
	}
	/* one zombie per round: (true &)'s true, orphaned to PID 1, which never reaps */
	docker_cmd(&d, out, sizeof(out), CMD_MS,
		   (const char *const[]){ "exec", b.id, "sh", "-c",
					  "n=0; while [ $n -lt 100 ] && (true &); do n=$((n+1)); "
					  "done; echo rounds=$n",
					  NULL });
	ASSERT_TRUE(strstr(out, "Resource temporarily unavailable"),
		    "fork failed with EAGAIN inside the container");
	diag("docker exec: %s", out);
	/* the exec'd shell gone, the last orphan dead: what is left is PID 1 and zombies */
	for (i = 0; i < 40; i++) {
		msleep(100);
		zombies = read_kids(&b, 'Z');
		current = box_pids_value(&b, "pids.current");
		if (current == zombies + 1 && read_kids(&b, 0) == zombies)
			break;
	}
	diag("pids.current %lld, pids.max %lld, zombies of PID 1 %d (/proc)", current, max,
	     zombies);
	if (current != zombies + 1) {
		struct proc_entry *procs = NULL;
		int k, np = proc_all(&procs);

		for (k = 0; k < np; k++)
			if (procs[k].state == 'Z')
				diag("zombie %d ppid %d %s", procs[k].pid, procs[k].ppid,
				     procs[k].comm);
		free(procs);
	}
	ASSERT_GE(zombies, 10, "zombies fill the limit (/proc)");
	ASSERT_EQ(current, zombies + 1, "pids.current is PID 1 and its zombies");

	fd1 = mkstemp(outpath);
	fd2 = mkstemp(errpath);
	if (!ASSERT_TRUE(fd1 >= 0 && fd2 >= 0, "temporary files"))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s zombies -j > %s 2> %s", tracer_bin(), outpath, errpath);
	ASSERT_EQ(WEXITSTATUS(system(cmd)), 0, "reapertrace zombies -j");
	if (!ASSERT_OK(jsonl_load(outpath, &doc, NULL, NULL), "its output"))
		goto out;
	for (i = 0; i < doc.nr; i++) {
		const char *type = json_str(&doc.objs[i], "type");

		if (type && !strcmp(type, "pids") && json_str(&doc.objs[i], "container.id") &&
		    !strcmp(json_str(&doc.objs[i], "container.id"), b.id))
			pids = &doc.objs[i];
	}
	if (ASSERT_TRUE(pids, "a pids record for the container")) {
		ASSERT_EQ(get(pids, "pids_max"), max, "pids_max");
		ASSERT_EQ(get(pids, "pids_current"), current, "pids_current as the cgroup says");
		ASSERT_EQ(get(pids, "zombies"), zombies, "zombies as /proc says");
	}
	err_text = slurp_fd(fd2);
	fd2 = -1;
	snprintf(cmd, sizeof(cmd), "reapertrace: zombies hold %d of %lld pids of container %.12s",
		 zombies, max, b.id);
	if (!ASSERT_TRUE(strstr(err_text, cmd), "the warning"))
		diag("stderr: %s", err_text);
	/* the stream: PID 1's leak, with the same limit (a check after they were 1 s old) */
	msleep(2200);
	if (finish_all(&tr, &d, &b)) {
		const struct json_obj *leak = NULL;

		for (i = 0; i < tr.doc.nr; i++)
			if (!strcmp(json_event(&tr.doc.objs[i]), "leak") &&
			    get(&tr.doc.objs[i], "reaper.pid") == b.init)
				leak = &tr.doc.objs[i];
		if (ASSERT_TRUE(leak, "the stream's leak of PID 1")) {
			ASSERT_EQ(get(leak, "pids.pids_max"), max, "the leak's pids_max");
			ASSERT_EQ(get(leak, "pids.pids_current"), current,
				  "the leak's pids_current as the cgroup says");
			ASSERT_EQ(get(leak, "pids.zombies"), zombies,
				  "the leak's zombies as /proc says");
		}
		if (!ASSERT_TRUE(strstr(tr.err_text, cmd), "the tracer warns the same on stderr"))
			diag("tracer stderr: %s", tr.err_text);
	}
out:
	free(err_text);
	jsonl_free(&doc);
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
	unlink(outpath);
	unlink(errpath);
	docker_stop(&d);
	tracer_free(&tr);
}
