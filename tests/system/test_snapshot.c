// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `reapertrace ns` and `reapertrace zombies` against scenarios held in a
 * known state (ns_snapshot, leaky_parents) and against /proc: rows, counts,
 * dispositions, ages, grouping, leak exit status, the view from inside a
 * PID namespace; the module's /proc file format through a stand-in
 * directory; and the command lines. Every run must leave no reap_* program.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "jsonl.h"
#include "scenarios.h"
#include "tracer.h"

#define NS_COLUMNS                                                                       \
	"PIDNS LEVEL REAPER_PID REAPER_NSPID REAPER_COMM SIGCHLD SIGTERM TASKS ZOMBIES " \
	"OLDEST_ZOMBIE_MS SUBREAPERS ADOPTED_THREAD ADOPTED_SUBREAPER ADOPTED_INIT "     \
	"ZOMBIES_CREATED ZOMBIES_REAPED"
/* ns's text header: the module's columns, then the reaper's container */
#define NS_TEXT_COLUMNS NS_COLUMNS " CONTAINER"

struct run {
	int code; /* exit status, -1 if killed */
	char *out, *err;
	struct jsonl_doc doc; /* stdout parsed when json */
};

/*
 * Runs reapertrace with args. nsfd >= 0: inside that PID namespace (setns,
 * then fork: the command's active namespace is that one). uid >= 0: as that
 * user. proc_dir: REAPERTRACE_PROC_DIR. Asserts that it ended within 30 s
 * and that no reap_* program is left.
 */
static void run_rt(const char *const *args, int nsfd, int uid, const char *proc_dir, struct run *r)
{
	char op[] = "/tmp/rt-snap-out-XXXXXX", ep[] = "/tmp/rt-snap-err-XXXXXX";
	char names[256], path[] = "/tmp/rt-snap-json-XXXXXX";
	const char *argv[16];
	int n = 0, o, e, st = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->code = -1;
	argv[n++] = tracer_bin();
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	o = mkstemp(op);
	e = mkstemp(ep);
	unlink(op);
	unlink(ep);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(o, 1);
		dup2(e, 2);
		if (proc_dir)
			setenv("REAPERTRACE_PROC_DIR", proc_dir, 1);
		if (uid >= 0 && (setgid(uid) || setuid(uid)))
			_exit(126);
		if (nsfd >= 0) {
			pid_t g;

			if (setns(nsfd, CLONE_NEWPID))
				_exit(125);
			g = fork();
			if (g > 0) {
				if (waitpid(g, &st, 0) != g)
					_exit(125);
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 124);
			}
			if (g < 0)
				_exit(125);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || wait_pid_timeout(pid, &st, 30000)) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			wait_pid_timeout(pid, &st, -1);
		}
		ASSERT_TRUE(false, "reapertrace ended within 30 s");
	} else if (WIFEXITED(st)) {
		r->code = WEXITSTATUS(st);
	}
	r->out = slurp_fd(o);
	r->err = slurp_fd(e);
	/* The JSON reader takes a file. */
	o = mkstemp(path);
	if (o >= 0) {
		if (write(o, r->out, strlen(r->out)) < 0)
			diag("cannot write %s", path);
		close(o);
		jsonl_load(path, &r->doc, NULL, NULL);
		unlink(path);
	}
	if (!ASSERT_TRUE(no_reap_programs(names, sizeof(names)), "no reap_* BPF program left"))
		diag("left: %s", names);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	jsonl_free(&r->doc);
}

/* Exit status as expected, and (json) every line valid JSON. */
static bool run_ok(struct run *r, int code, bool json, const char *what)
{
	bool ok = ASSERT_EQ(r->code, code, what);

	if (json)
		ok = ASSERT_EQ(r->doc.nr_bad, 0, "every line is valid JSON") && ok;
	if (!ok)
		diag("%s: exit %d; first bad line: %s; stderr:\n%s", what, r->code,
		     r->doc.first_bad, r->err);
	return ok;
}

/* The n-th record with key == v (an integer), or NULL. */
static const struct json_obj *find_rec(const struct jsonl_doc *d, const char *type, const char *key,
				       long long v, int nth)
{
	int i;

	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];
		long long x;

		if (type && (!json_str(o, "type") || strcmp(json_str(o, "type"), type)))
			continue;
		if (json_int(o, key, &x) && x == v && nth-- == 0)
			return o;
	}
	return NULL;
}

static long long get_int(const struct json_obj *o, const char *key)
{
	long long v = -1;

	if (!json_int(o, key, &v))
		ASSERT_TRUE(false, key);
	return v;
}

/* ---- /proc, the other side of every comparison ---- */

/* "handler", "ignore" or "default" from SigCgt / SigIgn of /proc/PID/status. */
static const char *proc_disposition(pid_t pid, int sig)
{
	unsigned long long cgt = 0, ign = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return "?";
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "SigCgt: %llx", &cgt);
		sscanf(line, "SigIgn: %llx", &ign);
	}
	fclose(f);
	if (cgt & (1ULL << (sig - 1)))
		return "handler";
	return ign & (1ULL << (sig - 1)) ? "ignore" : "default";
}

/* The pid numbers of NSpid: /proc/PID/status (global first); count or -1. */
static int proc_nspids(pid_t pid, long *nr, int max)
{
	char path[64], line[512];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 6, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (n = 0; n < max; n++, p = end) {
			nr[n] = strtol(p, &end, 10);
			if (end == p)
				break;
		}
	}
	fclose(f);
	return n;
}

/* The pid of @pid as the namespace at @level sees it. */
static long nspid_at(pid_t pid, int level)
{
	long nr[8];

	return proc_nspids(pid, nr, 8) > level ? nr[level] : -1;
}

/* Tasks (threads) of /proc whose PID namespace is @ns; zombie processes among them. */
static int proc_ns_tasks(unsigned long long ns, int *zombies)
{
	struct dirent *p, *t;
	int tasks = 0;
	DIR *d = opendir("/proc"), *td;

	*zombies = 0;
	if (!d)
		return -1;
	while ((p = readdir(d))) {
		char path[300];
		pid_t pid = atoi(p->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		td = opendir(path);
		if (!td)
			continue;
		while ((t = readdir(td))) {
			pid_t tid = atoi(t->d_name);
			struct proc_entry e;

			if (tid <= 0 || proc_pidns_tid(tid) != ns)
				continue;
			tasks++;
			if (tid == pid && !proc_stat(pid, &e) && e.state == 'Z')
				(*zombies)++;
		}
		closedir(td);
	}
	closedir(d);
	return tasks;
}

/* ---- reapertrace ns ---- */

/* The row of namespace @ns: exactly one; checked against the truth and /proc. */
static const struct json_obj *ns_row(const struct jsonl_doc *d, unsigned long long ns)
{
	const struct json_obj *o = find_rec(d, NULL, "pidns", ns, 0);

	if (!ASSERT_TRUE(o, "a row for the namespace") ||
	    !ASSERT_TRUE(!find_rec(d, NULL, "pidns", ns, 1), "only one row for it"))
		return NULL;
	return o;
}

static void check_ns_row(const struct json_obj *o, const struct sc_actor *init, long reaper_pid,
			 int level, int tasks, int zombies, int subreapers, long max_age_ms)
{
	int proc_zombies, proc_tasks;

	ASSERT_EQ(get_int(o, "level"), level, "level");
	ASSERT_EQ(get_int(o, "reaper_pid"), reaper_pid,
		  "reaper_pid: the init as the reader sees it");
	ASSERT_EQ(get_int(o, "reaper_nspid"), 1, "reaper_nspid");
	ASSERT_STREQ(json_str(o, "reaper_comm"), init->comm, "reaper_comm");
	ASSERT_STREQ(json_str(o, "sigchld"), proc_disposition(init->pid, SIGCHLD),
		     "sigchld as SigCgt/SigIgn say");
	ASSERT_STREQ(json_str(o, "sigterm"), proc_disposition(init->pid, SIGTERM),
		     "sigterm as SigCgt/SigIgn say");
	ASSERT_EQ(get_int(o, "tasks"), tasks, "tasks");
	ASSERT_EQ(get_int(o, "zombies"), zombies, "zombies");
	ASSERT_EQ(get_int(o, "subreapers"), subreapers, "subreapers");
	ASSERT_LE(get_int(o, "oldest_zombie_ms"), max_age_ms, "oldest zombie not older than it");
	ASSERT_GE(get_int(o, "oldest_zombie_ms"), 0, "oldest_zombie_ms");
	proc_tasks = proc_ns_tasks(init->pidns, &proc_zombies);
	ASSERT_EQ(proc_zombies, zombies, "zombies in /proc");
	if (!access("/proc/reapertrace", F_OK)) {
		ASSERT_STREQ(json_str(o, "source"), "kmod", "source with the module loaded");
		return;
	}
	/* The reader runs inside when it counts one more than /proc did from outside. */
	ASSERT_TRUE(proc_tasks == tasks || proc_tasks + 1 == tasks, "tasks as /proc counts them");
	ASSERT_STREQ(json_str(o, "source"), "bpf", "source");
	ASSERT_TRUE(json_is_null(o, "adopted_thread") && json_is_null(o, "adopted_subreaper") &&
			    json_is_null(o, "adopted_init") && json_is_null(o, "zombies_created") &&
			    json_is_null(o, "zombies_reaped"),
		    "counters are null without the module");
}

/* Rows sorted by level, then pidns. */
static void check_ns_order(const struct jsonl_doc *d)
{
	int i;

	for (i = 1; i < d->nr; i++) {
		long long l0 = get_int(&d->objs[i - 1], "level"),
			  l1 = get_int(&d->objs[i], "level");
		long long n0 = get_int(&d->objs[i - 1], "pidns"),
			  n1 = get_int(&d->objs[i], "pidns");

		if (!ASSERT_TRUE(l0 < l1 || (l0 == l1 && n0 < n1), "sorted by level, then pidns"))
			break;
	}
}

/* Splits a text line on blanks; the number of fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;

	for (char *s = strtok(line, " \t"); s && n < max; s = strtok(NULL, " \t"))
		f[n++] = s;
	return n;
}

/* The text row of namespace @ns matches its JSON row @o. */
static void check_ns_text(const char *out, const struct json_obj *o, unsigned long long ns)
{
	static const char *const keys[11] = { "pidns",	      "level",	     "reaper_pid",
					      "reaper_nspid", "reaper_comm", "sigchld",
					      "sigterm",      "tasks",	     "zombies",
					      NULL,	      "subreapers" };
	char *copy = strdup(out), *line, *save = NULL, *f[20], head[512];
	bool found = false;
	int i, n;

	line = strtok_r(copy, "\n", &save);
	snprintf(head, sizeof(head), "%s", line ? line : "");
	n = fields(head, f, 20);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(i < 17 && !strncmp(strstr(NS_TEXT_COLUMNS, f[i]) ?: "", f[i],
					       strlen(f[i])),
			    "header column");
	ASSERT_EQ(n, 17, "17 header columns");
	while ((line = strtok_r(NULL, "\n", &save))) {
		char num[32];

		if (fields(line, f, 20) != 17 || strtoull(f[0], NULL, 10) != ns)
			continue;
		found = true;
		for (i = 0; i < 11; i++) {
			const char *want = keys[i] ? json_str(o, keys[i]) : NULL;

			if (!keys[i])
				continue;
			if (!want) {
				snprintf(num, sizeof(num), "%lld", get_int(o, keys[i]));
				want = num;
			}
			ASSERT_STREQ(f[i], want, keys[i]);
		}
		for (i = 11; i < 16; i++)
			ASSERT_STREQ(f[i], "-", "counter column without the module");
	}
	ASSERT_TRUE(found, "a text row for the namespace");
	free(copy);
}

TEST(snapshot_ns)
{
	enum { I = 2, S = 3, K0 = 4, J = 6, I2 = 7, Z2 = 8 };
	const char *json[] = { "ns", "--json", NULL }, *text[] = { "ns", NULL };
	const char *zjson[] = { "zombies", "--json", NULL };
	char nspath[64], pidns_arg[64];
	const struct json_obj *o, *o2;
	unsigned long long t_go;
	struct sc_run run;
	struct run r = {}, rt = {}, rin = {}, rz = {}, rp = {};
	struct sc_actor *a;
	long age_max;
	int nsfd = -1;
	bool started = false;

	if (!scenario_started(&run, "ns_snapshot"))
		goto out;
	started = true;
	t_go = boottime_ns();
	if (!ASSERT_EQ(sc_go(&run), 0, "go") || !ASSERT_EQ(sc_wait_hold(&run), 0, "hold point"))
		goto out;
	a = run.truth->actors;

	/* From the root namespace: every namespace, these two among them. */
	run_rt(json, -1, -1, NULL, &r);
	age_max = (boottime_ns() - t_go) / 1000000 + 10;
	if (!run_ok(&r, 0, true, "ns --json exits 0"))
		goto out;
	check_ns_order(&r.doc);
	o = ns_row(&r.doc, proc_pidns(getpid()));
	if (o)
		ASSERT_EQ(get_int(o, "level"), 0, "our namespace is the root");
	o = ns_row(&r.doc, a[I].pidns);
	if (o)
		check_ns_row(o, &a[I], a[I].pid, 1, 5, 2, 1, age_max);
	o2 = ns_row(&r.doc, a[I2].pidns);
	if (o2)
		check_ns_row(o2, &a[I2], a[I2].pid, 2, 2, 1, 0, age_max);
	ASSERT_STREQ(o ? json_str(o, "sigchld") : NULL, "handler", "the init has a handler");
	ASSERT_STREQ(o ? json_str(o, "sigterm") : NULL, "ignore", "the init ignores SIGTERM");
	ASSERT_STREQ(o2 ? json_str(o2, "sigchld") : NULL, "default", "nested init: default");

	run_rt(text, -1, -1, NULL, &rt);
	if (run_ok(&rt, 0, false, "ns exits 0") && o) {
		check_ns_text(rt.out, o, a[I].pidns);
		ASSERT_TRUE(strstr(rt.err, "module is not loaded"), "stderr notes the counters");
	}

	/* From inside I's namespace: only it and the one below, pids as seen there. */
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/pid", a[I].pid);
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_TRUE(nsfd >= 0, "open the namespace"))
		goto out;
	run_rt(json, nsfd, -1, NULL, &rin);
	age_max = (boottime_ns() - t_go) / 1000000 + 10;
	if (run_ok(&rin, 0, true, "ns --json inside exits 0")) {
		ASSERT_EQ(rin.doc.nr, 2, "two namespaces seen from inside");
		check_ns_order(&rin.doc);
		o = ns_row(&rin.doc, a[I].pidns);
		/* the reader itself is one more task of it */
		if (o)
			check_ns_row(o, &a[I], 1, 1, 6, 2, 1, age_max);
		o = ns_row(&rin.doc, a[I2].pidns);
		if (o)
			check_ns_row(o, &a[I2], nspid_at(a[I2].pid, 1), 2, 2, 1, 0, age_max);
		ASSERT_EQ(nspid_at(a[I2].pid, 1), a[J].ns_pid + 1, "I2 is J's child there");
	}

	/* zombies from inside: the three of the subtree, pids translated. */
	run_rt(zjson, nsfd, -1, NULL, &rz);
	if (run_ok(&rz, 0, true, "zombies --json inside exits 0")) {
		int k;

		for (k = 0; k < 2; k++) {
			o = find_rec(&rz.doc, "zombie", "pid", a[K0 + k].ns_pid, 0);
			if (!ASSERT_TRUE(o, "the zombie, by its pid inside"))
				continue;
			ASSERT_EQ(get_int(o, "parent.pid"), 1, "its parent is the init (pid 1)");
			ASSERT_EQ(get_int(o, "pidns"), a[I].pidns, "pidns");
			ASSERT_EQ(get_int(o, "ns_pid"), a[K0 + k].ns_pid, "ns_pid");
		}
		o = find_rec(&rz.doc, "zombie", "pid", nspid_at(a[Z2].pid, 1), 0);
		if (ASSERT_TRUE(o, "the nested zombie, by its pid in I's namespace")) {
			ASSERT_EQ(get_int(o, "parent.pid"), nspid_at(a[I2].pid, 1), "parent pid");
			ASSERT_STREQ(json_str(o, "parent.comm"), "rt-init2", "parent comm");
			ASSERT_EQ(get_int(o, "ns_pid"), 2, "ns_pid in its own namespace");
			ASSERT_EQ(get_int(o, "pidns_level"), 2, "pidns_level");
		}
		for (k = 0; k < rz.doc.nr; k++) {
			const struct json_obj *z = &rz.doc.objs[k];

			if (strcmp(json_str(z, "type") ?: "", "zombie"))
				continue;
			ASSERT_TRUE(get_int(z, "pidns") == (long long)a[I].pidns ||
					    get_int(z, "pidns") == (long long)a[I2].pidns,
				    "nothing outside the subtree is seen");
		}
	}

	/* --pidns from outside: only the nested zombie. */
	snprintf(pidns_arg, sizeof(pidns_arg), "/proc/%d/ns/pid", a[I2].pid);
	{
		const char *args[] = { "zombies", "--json", "--pidns", pidns_arg, NULL };

		run_rt(args, -1, -1, NULL, &rp);
		if (run_ok(&rp, 0, true, "zombies --pidns exits 0")) {
			ASSERT_EQ(rp.doc.nr, 2, "one parent and one zombie record");
			o = find_rec(&rp.doc, "zombie", "pid", a[Z2].pid, 0);
			if (ASSERT_TRUE(o, "the nested zombie")) {
				ASSERT_EQ(get_int(o, "parent.pid"), a[I2].pid, "global parent pid");
				ASSERT_EQ(get_int(o, "cgroup_id"), a[Z2].cgroup_id, "cgroup_id");
			}
		}
	}
	ASSERT_EQ(sc_continue(&run), 0, "continue");
out:
	if (nsfd >= 0)
		close(nsfd);
	if (started && !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed"))
		diag("%s", run.truth->error);
	sc_release(&run);
	run_free(&r);
	run_free(&rt);
	run_free(&rin);
	run_free(&rz);
	run_free(&rp);
}

/* ---- reapertrace zombies ---- */

/* The parent records of the doc, in order: the index of the one of @ppid, or -1. */
static int parent_index(const struct jsonl_doc *d, long ppid)
{
	int i, n = 0;

	for (i = 0; i < d->nr; i++) {
		long long v;

		if (strcmp(json_str(&d->objs[i], "type") ?: "", "parent"))
			continue;
		if (json_int(&d->objs[i], "pid", &v) && v == ppid)
			return n;
		n++;
	}
	return -1;
}

static bool starts_group(const struct jsonl_doc *d, int i)
{
	return !strcmp(json_str(&d->objs[i], "type") ?: "", "parent");
}

/* The zombie records of @ppid's group follow its parent record, oldest first. */
static void check_group(const struct jsonl_doc *d, const struct sc_truth *t, int parent, int first,
			int nr, const char *sigchld, long min_ms, long max_ms)
{
	const struct sc_actor *a = t->actors;
	const struct json_obj *p = find_rec(d, "parent", "pid", a[parent].pid, 0);
	long long prev_age = -1;
	char cg[512];
	int i, k, seen = 0;

	if (!ASSERT_TRUE(p, "a parent record"))
		return;
	ASSERT_EQ(get_int(p, "zombies"), nr, "the group's count");
	ASSERT_STREQ(json_str(p, "comm"), a[parent].comm, "parent comm");
	ASSERT_STREQ(json_str(p, "sigchld"), sigchld, "parent's SIGCHLD disposition");
	ASSERT_STREQ(json_str(p, "sigchld"), proc_disposition(a[parent].pid, SIGCHLD),
		     "as SigCgt/SigIgn say");
	for (i = (int)(p - d->objs) + 1; i < d->nr && !starts_group(d, i); i++) {
		const struct json_obj *o = &d->objs[i];
		long long pid = get_int(o, "pid"), age = get_int(o, "age_ms");
		struct proc_entry e;
		bool nocld = true;

		if (strcmp(json_str(o, "type") ?: "", "zombie"))
			break;
		seen++;
		for (k = first; k < first + nr && a[k].pid != pid; k++)
			;
		if (!ASSERT_TRUE(k < first + nr, "the zombie is one of the parent's"))
			continue;
		ASSERT_STREQ(json_str(o, "comm"), a[k].comm, "comm");
		ASSERT_EQ(get_int(o, "parent.pid"), a[parent].pid, "parent.pid");
		ASSERT_STREQ(json_str(o, "parent.comm"), a[parent].comm, "parent.comm");
		ASSERT_STREQ(json_str(o, "parent.sigchld"), sigchld, "parent.sigchld");
		ASSERT_TRUE(json_bool(o, "parent.nocldwait", &nocld) && !nocld, "no SA_NOCLDWAIT");
		ASSERT_EQ(get_int(o, "pidns"), a[k].pidns, "pidns");
		ASSERT_EQ(get_int(o, "pidns_level"), 0, "pidns_level");
		ASSERT_EQ(get_int(o, "ns_pid"), a[k].pid, "ns_pid in the root namespace");
		ASSERT_EQ(get_int(o, "cgroup_id"), a[k].cgroup_id, "cgroup_id");
		if (*cgroup2_mount() && !proc_cgroup_path(a[parent].pid, cg, sizeof(cg)))
			ASSERT_STREQ(json_str(o, "cgroup"), cg, "cgroup path as /proc shows it");
		ASSERT_TRUE(json_is_null(o, "origin"), "origin is null in a snapshot");
		ASSERT_TRUE(age >= min_ms && age <= max_ms, "age between the hold and now");
		if (age < min_ms || age > max_ms)
			diag("age_ms %lld, expected %ld..%ld", age, min_ms, max_ms);
		ASSERT_TRUE(prev_age < 0 || age <= prev_age, "oldest first");
		prev_age = age;
		ASSERT_TRUE(!proc_stat(pid, &e) && e.state == 'Z' && e.ppid == a[parent].pid,
			    "/proc: state Z, PPid the parent");
	}
	ASSERT_EQ(seen, nr, "the group's zombie records");
}

TEST(snapshot_zombies)
{
	enum { P1 = 2, P2 = 3, Z0 = 4 };
	char p1[16], p2[16], leak[128];
	const struct sc_actor *a;
	unsigned long long t_go, t_hold, t_run, now;
	struct run r = {}, rt = {}, rl = {}, rj = {}, rn = {}, ra = {};
	bool started = false;
	struct sc_run run;
	long min_ms, max_ms;

	if (sc_start(&run, "leaky_parents")) {
		ASSERT_TRUE(false, run.truth ? run.truth->error : "scenario starts");
		goto out;
	}
	started = true;
	t_go = boottime_ns();
	if (!ASSERT_EQ(sc_go(&run), 0, "go") || !ASSERT_EQ(sc_wait_hold(&run), 0, "hold point"))
		goto out;
	t_hold = boottime_ns();
	a = run.truth->actors;
	snprintf(p1, sizeof(p1), "%d", a[P1].pid);
	snprintf(p2, sizeof(p2), "%d", a[P2].pid);
	/* Age the zombies: the snapshot must say about 2 s. */
	usleep(2000 * 1000);

	{
		const char *args[] = { "zombies", "--json", NULL };

		t_run = boottime_ns();
		run_rt(args, -1, -1, NULL, &r);
	}
	now = boottime_ns();
	/* The zombies were made between go and hold; a tick (4 ms) of slack. */
	min_ms = (long)((t_run - t_hold) / 1000000) - 10;
	max_ms = (long)((now - t_go) / 1000000) + 10;
	if (run_ok(&r, 0, true, "zombies --json exits 0")) {
		/* On a slow machine (a TCG guest) the window is wider than 1.5..3 s. */
		if (min_ms < 1500 || max_ms > 3000)
			diag("ages checked against %ld..%ld ms (a slow machine)", min_ms, max_ms);
		check_group(&r.doc, run.truth, P1, Z0, 3, "default", min_ms, max_ms);
		check_group(&r.doc, run.truth, P2, Z0 + 3, 1, "handler", min_ms, max_ms);
		ASSERT_LT(parent_index(&r.doc, a[P1].pid), parent_index(&r.doc, a[P2].pid),
			  "the larger group first");
		ASSERT_TRUE(!find_rec(&r.doc, "leak", "pid", a[P1].pid, 0),
			    "no leak record without --zombie-age");
	}

	/* Text, one parent */
	{
		const char *args[] = { "zombies", "-p", p1, NULL };
		char *copy, *line, *save = NULL, *f[12];
		int rows = 0;

		run_rt(args, -1, -1, NULL, &rt);
		if (run_ok(&rt, 0, false, "zombies -p exits 0")) {
			copy = strdup(rt.out);
			line = strtok_r(copy, "\n", &save);
			ASSERT_EQ(fields(line, f, 12), 11, "11 header columns");
			ASSERT_STREQ(f[0], "PPID", "first column");
			ASSERT_STREQ(f[9], "CGROUP", "the cgroup");
			ASSERT_STREQ(f[10], "CONTAINER", "last column");
			while ((line = strtok_r(NULL, "\n", &save))) {
				ASSERT_EQ(fields(line, f, 12), 11, "11 columns");
				ASSERT_STREQ(f[10], "-", "no container");
				ASSERT_STREQ(f[0], p1, "PPID");
				ASSERT_STREQ(f[1], "rt-leaker", "PCOMM");
				ASSERT_STREQ(f[2], "default", "SIGCHLD");
				ASSERT_STREQ(f[3], "3", "ZOMBIES");
				ASSERT_EQ(sc_actor_by_pid(run.truth, atoi(f[4])) >= Z0, true,
					  "PID is a zombie of the scenario");
				ASSERT_STREQ(f[5], "rt-zombie", "COMM");
				ASSERT_TRUE(atol(f[6]) >= min_ms, "AGE_MS");
				rows++;
			}
			ASSERT_EQ(rows, 3, "three rows");
			free(copy);
		}
	}

	/* The leak: exit 3 with --fail-on-leak, a LEAK line once per parent */
	{
		const char *args[] = { "zombies",	 "-p", p1, "--zombie-age", "1",
				       "--fail-on-leak", NULL };

		run_rt(args, -1, -1, NULL, &rl);
		snprintf(leak, sizeof(leak), "LEAK parent %s (rt-leaker) holds 3 zombies, oldest ",
			 p1);
		if (run_ok(&rl, 3, false, "a leak with --fail-on-leak exits 3")) {
			char *l = strstr(rl.out, leak);

			if (ASSERT_TRUE(l, "the LEAK line")) {
				double s = atof(l + strlen(leak));

				/* later than the first run: only the upper bound moved */
				double max_s = (boottime_ns() - t_go) / 1e9;

				if (!ASSERT_TRUE(s >= min_ms / 1000.0 - 0.1 && s <= max_s + 0.1,
						 "its oldest age in seconds"))
					diag("oldest %.1fs, expected %.1f..%.1f", s,
					     min_ms / 1000.0, max_s);
				ASSERT_TRUE(!strstr(l + 1, "LEAK"), "once per parent");
			}
		}
	}
	{
		const char *args[] = { "zombies",	 "-j", "-p", p2, "--zombie-age", "1.5",
				       "--fail-on-leak", NULL };
		const struct json_obj *o;

		run_rt(args, -1, -1, NULL, &rj);
		if (run_ok(&rj, 3, true, "a leak, JSON, exits 3")) {
			ASSERT_EQ(rj.doc.nr, 3, "parent, zombie and leak records");
			o = find_rec(&rj.doc, "leak", "pid", a[P2].pid, 0);
			if (ASSERT_TRUE(o, "the leak record")) {
				ASSERT_EQ(get_int(o, "zombies"), 1, "zombies");
				ASSERT_GE(get_int(o, "oldest_ms"), min_ms, "oldest_ms");
				ASSERT_EQ(get_int(o, "limit_s"), 1, "limit_s: whole seconds");
				ASSERT_EQ(get_int(o, "limit_ns"), 1500000000, "limit_ns: as given");
				ASSERT_STREQ(json_str(o, "comm"), "rt-leaker2", "comm");
			}
		}
	}
	{
		const char *args[] = { "zombies",	 "-p", p1, "--zombie-age", "100",
				       "--fail-on-leak", NULL };

		run_rt(args, -1, -1, NULL, &rn);
		if (run_ok(&rn, 0, false, "no zombie over the limit: exit 0"))
			ASSERT_TRUE(!strstr(rn.out, "LEAK"), "no LEAK line");
	}
	ASSERT_EQ(sc_continue(&run), 0, "continue");
	ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed");
	started = false;
	/* Reaped: nothing left of them. */
	{
		const char *args[] = { "zombies",	 "-j", "-p", p1, "--zombie-age", "0",
				       "--fail-on-leak", NULL };

		run_rt(args, -1, -1, NULL, &ra);
		if (run_ok(&ra, 0, true, "after the reap: exit 0"))
			ASSERT_EQ(ra.doc.nr, 0, "no record");
	}
out:
	if (started && !ASSERT_EQ(sc_finish(&run), 0, "scenario ran as designed"))
		diag("%s", run.truth->error);
	sc_release(&run);
	run_free(&r);
	run_free(&rt);
	run_free(&rl);
	run_free(&rj);
	run_free(&rn);
	run_free(&ra);
}

/* ---- the module's /proc/reapertrace files, through a stand-in directory ---- */

static bool write_text(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static void remove_dir(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/format", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/namespaces", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * What the module prints (docs/FORMAT.md): rows in any order, a comm with
 * a space and a backslash escaped as \ooo. The tool sorts, decodes and
 * shows the counters, without loading BPF.
 */
TEST(snapshot_ns_kmod_file)
{
	char dir[] = "/tmp/rt-snap-kmod-XXXXXX";
	const char *json[] = { "ns", "-j", NULL }, *text[] = { "ns", NULL };
	struct run r = {}, rt = {}, rv = {};
	const struct json_obj *o;

	if (!ASSERT_TRUE(mkdtemp(dir), "temporary directory"))
		return;
	if (!ASSERT_TRUE(write_text(dir, "format", "version 1\ncolumns " NS_COLUMNS "\n") &&
				 write_text(dir, "namespaces",
					    NS_COLUMNS
					    "\n"
					    "4026532300 1 4242 1 my\\040init\\134x handler "
					    "ignore 7 2 1500 1 3 4 5 6 7\n"
					    "4026531836 0 1 1 systemd default default 300 0 0 "
					    "0 10 20 30 40 50\n"),
			 "stand-in files"))
		goto out;
	run_rt(json, -1, -1, dir, &r);
	if (run_ok(&r, 0, true, "ns -j from the module's file exits 0") &&
	    ASSERT_EQ(r.doc.nr, 2, "two rows")) {
		check_ns_order(&r.doc);
		o = &r.doc.objs[1];
		ASSERT_EQ(get_int(o, "pidns"), 4026532300LL, "pidns");
		ASSERT_EQ(get_int(o, "reaper_pid"), 4242, "reaper_pid");
		ASSERT_STREQ(json_str(o, "reaper_comm"), "my init\\x", "comm decoded");
		ASSERT_STREQ(json_str(o, "sigterm"), "ignore", "sigterm");
		ASSERT_EQ(get_int(o, "oldest_zombie_ms"), 1500, "oldest_zombie_ms");
		ASSERT_EQ(get_int(o, "adopted_thread"), 3, "adopted_thread");
		ASSERT_EQ(get_int(o, "adopted_subreaper"), 4, "adopted_subreaper");
		ASSERT_EQ(get_int(o, "adopted_init"), 5, "adopted_init");
		ASSERT_EQ(get_int(o, "zombies_created"), 6, "zombies_created");
		ASSERT_EQ(get_int(o, "zombies_reaped"), 7, "zombies_reaped");
		ASSERT_STREQ(json_str(o, "source"), "kmod", "source");
	}
	run_rt(text, -1, -1, dir, &rt);
	if (run_ok(&rt, 0, false, "ns from the module's file exits 0")) {
		char *l = strstr(rt.out, "\n4026532300 "), *f[20];
		int n;

		if (ASSERT_TRUE(l, "the namespace's text row")) {
			l = strndup(l + 1, strcspn(l + 1, "\n"));
			n = fields(l, f, 20);
			if (ASSERT_EQ(n, 17, "17 columns")) {
				ASSERT_STREQ(f[4], "my?init\\x", "comm: the space shown as '?'");
				ASSERT_STREQ(f[11], "3", "ADOPTED_THREAD");
				ASSERT_STREQ(f[15], "7", "ZOMBIES_REAPED");
			}
			free(l);
		}
		ASSERT_EQ(strlen(rt.err), 0, "no note on stderr");
		ASSERT_TRUE(!strncmp(rt.out, "PIDNS", 5), "header first");
	}
	/* Another format version: refused, one line, exit 1 */
	if (!ASSERT_TRUE(write_text(dir, "format", "version 2\ncolumns " NS_COLUMNS "\n"),
			 "format"))
		goto out;
	run_rt(json, -1, -1, dir, &rv);
	if (run_ok(&rv, 1, false, "another format version exits 1")) {
		ASSERT_TRUE(strstr(rv.err, "version 2") && strstr(rv.err, "version 1"),
			    "the message names both versions");
		ASSERT_TRUE(strchr(rv.err, '\n') == rv.err + strlen(rv.err) - 1, "one line");
		ASSERT_EQ(strlen(rv.out), 0, "nothing on stdout");
	}
out:
	remove_dir(dir);
	run_free(&r);
	run_free(&rt);
	run_free(&rv);
}

/* ---- command lines ---- */

static int nr_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void cli_expect(const char *const *args, int code, const char *what)
{
	struct run r;

	run_rt(args, -1, -1, NULL, &r);
	if (!ASSERT_EQ(r.code, code, what))
		diag("stderr: %s", r.err);
	if (code == 2) {
		ASSERT_EQ(nr_lines(r.err), 1, "one line on stderr");
		ASSERT_TRUE(!strncmp(r.err, "reapertrace: ", 13), "it starts \"reapertrace: \"");
		ASSERT_EQ(strlen(r.out), 0, "nothing on stdout");
	}
	if (code == 0) {
		ASSERT_TRUE(strstr(r.out, "USAGE:") && strstr(r.out, "EXAMPLES:"),
			    "help with USAGE and EXAMPLES");
	}
	run_free(&r);
}

TEST(snapshot_cli)
{
	struct run r;

	cli_expect((const char *[]){ "ns", "--help", NULL }, 0, "ns --help exits 0");
	cli_expect((const char *[]){ "zombies", "-h", NULL }, 0, "zombies -h exits 0");
	cli_expect((const char *[]){ "ns", "--bogus", NULL }, 2, "ns: unknown option");
	cli_expect((const char *[]){ "ns", "extra", NULL }, 2, "ns: extra argument");
	cli_expect((const char *[]){ "zombies", "-p", "0", NULL }, 2, "zombies: bad pid");
	cli_expect((const char *[]){ "zombies", "-p", NULL }, 2, "zombies: -p without value");
	cli_expect((const char *[]){ "zombies", "--zombie-age", "x", NULL }, 2, "bad age");
	cli_expect((const char *[]){ "zombies", "--zombie-age", "-1", NULL }, 2, "negative age");
	cli_expect((const char *[]){ "zombies", "--fail-on-leak", NULL }, 2,
		   "--fail-on-leak without --zombie-age");
	cli_expect((const char *[]){ "zombies", "--pidns", "nope", NULL }, 2, "bad --pidns");

	/* Unprivileged: a clear error, exit 1 */
	run_rt((const char *[]){ "zombies", NULL }, -1, 65534, NULL, &r);
	if (r.code == 126 || r.code == 127) {
		test_skip("uid 65534 cannot run %s (exit %d)", tracer_bin(), r.code);
	} else {
		ASSERT_EQ(r.code, 1, "unprivileged zombies exits 1");
		ASSERT_TRUE(strstr(r.err, "root"), "the message says root");
		ASSERT_EQ(nr_lines(r.err), 1, "one line on stderr");
	}
	run_free(&r);
}

/*
 * With the real module loaded ($RT_KMOD, in a VM): `ns` reads its table
 * ("source":"kmod", counters filled in), and the rows agree with what the
 * task iterator computes (`ns --bpf`) for every namespace both see.
 */
TEST(snapshot_ns_from_module)
{
	const char *kjson[] = { "ns", "--json", NULL },
		   *bjson[] = { "ns", "--json", "--bpf", NULL };
	const char *text[] = { "ns", NULL };
	const char *ko = getenv("RT_KMOD");
	struct run rk = {}, rb = {}, rt = {};
	bool loaded = false;
	long long v;
	int fd, i, same = 0;

	if (!ko || !*ko) {
		test_skip("RT_KMOD is unset (path to reapertrace.ko, e.g. in a VM)");
		return;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open $RT_KMOD"))
		return;
	if (syscall(SYS_finit_module, fd, "", 0) == 0) {
		loaded = true;
	} else if (errno != EEXIST) {
		close(fd);
		if (errno == ENOSYS || errno == EPERM)
			test_skip("this kernel cannot load modules: %s", strerror(errno));
		else
			ASSERT_TRUE(false, "finit_module($RT_KMOD)");
		return;
	}
	close(fd);
	run_rt(kjson, -1, -1, NULL, &rk);
	run_rt(bjson, -1, -1, NULL, &rb);
	run_rt(text, -1, -1, NULL, &rt);
	if (!run_ok(&rk, 0, true, "ns --json (module) exits 0") ||
	    !run_ok(&rb, 0, true, "ns --json --bpf exits 0") ||
	    !run_ok(&rt, 0, false, "ns exits 0"))
		goto out;
	ASSERT_TRUE(rk.doc.nr > 0, "rows from the module");
	for (i = 0; i < rk.doc.nr; i++) {
		const struct json_obj *o = &rk.doc.objs[i], *b;
		unsigned long long ns;

		ASSERT_STREQ(json_str(o, "source"), "kmod", "source: the module's table");
		ASSERT_TRUE(json_int(o, "zombies_created", &v) && v >= 0,
			    "counters filled in: zombies_created");
		ASSERT_TRUE(json_int(o, "adopted_init", &v) && v >= 0,
			    "counters filled in: adopted_init");
		if (!json_u64(o, "pidns", &ns))
			continue;
		b = find_rec(&rb.doc, NULL, "pidns", ns, 0);
		if (!b)
			continue; /* a namespace born or gone between the two reads */
		same++;
		ASSERT_EQ(get_int(o, "level"), get_int(b, "level"),
			  "LEVEL as the iterator sees it");
		ASSERT_EQ(get_int(o, "reaper_pid"), get_int(b, "reaper_pid"), "REAPER_PID");
		ASSERT_EQ(get_int(o, "reaper_nspid"), get_int(b, "reaper_nspid"), "REAPER_NSPID");
		ASSERT_STREQ(json_str(o, "sigchld"), json_str(b, "sigchld"), "SIGCHLD");
		ASSERT_STREQ(json_str(o, "sigterm"), json_str(b, "sigterm"), "SIGTERM");
		ASSERT_STREQ(json_str(b, "source"), "bpf", "--bpf: the iterator's");
	}
	ASSERT_GT(same, 0, "the module and the iterator see the same namespaces");
	ASSERT_TRUE(!strstr(rt.err, "not loaded"), "text: no note that the module is missing");
out:
	run_free(&rk);
	run_free(&rb);
	run_free(&rt);
	if (loaded)
		syscall(SYS_delete_module, "reapertrace", O_NONBLOCK);
}
