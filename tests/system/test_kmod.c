// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The optional kernel module (kmod/reapertrace.c) and its table
 * /proc/reapertrace/namespaces, on a kernel that can load modules (a VM):
 *
 *	RT_KMOD=build/kmod/$(uname -r)/reapertrace.ko build/rt-tests kmod_
 *
 * Skipped with the reason when RT_KMOD is unset or the kernel cannot load
 * modules. Each test loads the module (finit_module) and unloads it at the
 * end (delete_module).
 *
 * The scenarios of tests/scenarios/ run inside a fresh PID namespace W
 * whose init is the scenario's runner: W's counters start at zero and
 * nothing else happens in W, so every counter of W's row must equal what
 * the scenario's truth says (its zombie and reparent events, by the
 * namespace of their subject), and the snapshot columns must equal /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "scenarios.h"

#define KT_NAMESPACES "/proc/reapertrace/namespaces"
#define KT_FORMAT     "/proc/reapertrace/format"
#define KT_STATS      "/proc/reapertrace/stats"
#define KT_COLUMNS                                                                       \
	"PIDNS LEVEL REAPER_PID REAPER_NSPID REAPER_COMM SIGCHLD SIGTERM TASKS ZOMBIES " \
	"OLDEST_ZOMBIE_MS SUBREAPERS ADOPTED_THREAD ADOPTED_SUBREAPER ADOPTED_INIT "     \
	"ZOMBIES_CREATED ZOMBIES_REAPED"
#define KT_MAX_ROWS 256
#define KT_BUF	    (64 * 1024)

struct kt_row {
	unsigned long long pidns;
	unsigned int level;
	long reaper_pid, reaper_nspid;
	char comm[80];
	char sigchld[16], sigterm[16];
	long long tasks, zombies, oldest_ms, subreapers;
	long long adopted_thread, adopted_subreaper, adopted_init;
	long long created, reaped;
};

struct kt_table {
	int nr;
	struct kt_row rows[KT_MAX_ROWS];
};

/* ------------------------------------------------------------------ */
/* Loading */

static int kt_read_file(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += n;
	n = n < 0 ? -errno : 0;
	close(fd);
	buf[off] = '\0';
	return n < 0 ? (int)n : (int)off;
}

static int kt_insmod(const char *path)
{
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

static int kt_rmmod(void)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (!syscall(SYS_delete_module, "reapertrace", O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

/* NULL if the module can be loaded here, else why not. */
static const char *kt_cannot(char *why, size_t len)
{
	char buf[16];

	if (!getenv("RT_KMOD") || !getenv("RT_KMOD")[0])
		return "RT_KMOD is unset (path to reapertrace.ko, e.g. in a VM)";
	if (access("/proc/modules", F_OK))
		return "this kernel cannot load modules (CONFIG_MODULES unset)";
	if (kt_read_file("/proc/sys/kernel/modules_disabled", buf, sizeof(buf)) > 0 &&
	    buf[0] == '1')
		return "this kernel cannot load modules (kernel.modules_disabled=1)";
	if (access(getenv("RT_KMOD"), R_OK)) {
		snprintf(why, len, "RT_KMOD=%s: %s", getenv("RT_KMOD"), strerror(errno));
		return why;
	}
	return NULL;
}

/* Loads a fresh copy of the module; false (skipped or failed) otherwise. */
static bool kt_load(void)
{
	char why[PATH_MAX + 64];
	const char *reason = kt_cannot(why, sizeof(why));
	int err;

	if (reason) {
		test_skip("%s", reason);
		return false;
	}
	if (!access("/proc/reapertrace", F_OK))
		kt_rmmod();
	err = kt_insmod(getenv("RT_KMOD"));
	if (err == -EPERM && access("/proc/reapertrace", F_OK)) {
		test_skip("this kernel refuses modules: %s", strerror(-err));
		return false;
	}
	return ASSERT_EQ(err, 0, "finit_module(RT_KMOD)");
}

static void kt_unload(void)
{
	ASSERT_EQ(kt_rmmod(), 0, "delete_module(reapertrace)");
	ASSERT_TRUE(access("/proc/reapertrace", F_OK), "/proc/reapertrace is gone");
}

/* ------------------------------------------------------------------ */
/* The table */

static bool kt_parse(const char *text, struct kt_table *t)
{
	const char *line = text, *nl;
	int nr_line = 0;

	t->nr = 0;
	for (; *line; line = nl + 1, nr_line++) {
		struct kt_row *r = &t->rows[t->nr];
		char l[512], extra[2];
		int n;

		nl = strchr(line, '\n');
		if (!ASSERT_TRUE(nl, "every line ends with a newline"))
			return false;
		if (!ASSERT_LT(nl - line, (long)sizeof(l), "line length"))
			return false;
		memcpy(l, line, nl - line);
		l[nl - line] = '\0';
		if (nr_line == 0) {
			if (!ASSERT_STREQ(l, KT_COLUMNS, "header row"))
				return false;
			continue;
		}
		if (!ASSERT_LT(t->nr, KT_MAX_ROWS, "rows"))
			return false;
		n = sscanf(l,
			   "%llu %u %ld %ld %79s %15s %15s %lld %lld %lld %lld %lld %lld %lld "
			   "%lld %lld %1s",
			   &r->pidns, &r->level, &r->reaper_pid, &r->reaper_nspid, r->comm,
			   r->sigchld, r->sigterm, &r->tasks, &r->zombies, &r->oldest_ms,
			   &r->subreapers, &r->adopted_thread, &r->adopted_subreaper,
			   &r->adopted_init, &r->created, &r->reaped, extra);
		if (n != 16) {
			diag("row: %s", l);
			return ASSERT_EQ(n, 16, "columns in a row");
		}
		t->nr++;
	}
	return ASSERT_GT(nr_line, 0, "a header row");
}

static bool kt_read(struct kt_table *t)
{
	static char buf[KT_BUF];
	int n = kt_read_file(KT_NAMESPACES, buf, sizeof(buf));

	if (!ASSERT_GE(n, 0, "read " KT_NAMESPACES))
		return false;
	return kt_parse(buf, t);
}

static const struct kt_row *kt_find(const struct kt_table *t, unsigned long long pidns)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (t->rows[i].pidns == pidns)
			return &t->rows[i];
	return NULL;
}

static bool kt_sorted(const struct kt_table *t)
{
	int i;

	for (i = 1; i < t->nr; i++) {
		const struct kt_row *a = &t->rows[i - 1], *b = &t->rows[i];

		if (!ASSERT_TRUE(a->level < b->level ||
					 (a->level == b->level && a->pidns < b->pidns),
				 "rows sorted by LEVEL then PIDNS"))
			return false;
	}
	return true;
}

/* How /proc/mounts escapes: space, tab, newline and backslash as \ooo. */
static void kt_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			o += snprintf(out + o, len - o, "\\%03o", (unsigned char)*s);
		else
			out[o++] = *s;
	}
	out[o] = '\0';
}

static int kt_read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = kt_read_file(path, buf, len);
	if (n <= 0)
		return -1;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* SIGCHLD/SIGTERM disposition of pid as /proc/PID/status tells it. */
static const char *kt_proc_disposition(pid_t pid, int sig)
{
	static char buf[4096];
	unsigned long long cgt = 0, ign = 0;
	char path[64], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (kt_read_file(path, buf, sizeof(buf)) <= 0)
		return "?";
	p = strstr(buf, "SigIgn:");
	if (p)
		ign = strtoull(p + 7, NULL, 16);
	p = strstr(buf, "SigCgt:");
	if (p)
		cgt = strtoull(p + 7, NULL, 16);
	if (cgt & (1ULL << (sig - 1)))
		return "handler";
	if (ign & (1ULL << (sig - 1)))
		return "ignore";
	return "default";
}

/* Threads and zombie processes whose PID namespace is pidns, from /proc. */
static void kt_proc_count(unsigned long long pidns, long long *tasks, long long *zombies)
{
	DIR *d = opendir("/proc"), *td;
	struct dirent *de, *te;
	char path[300];

	*tasks = *zombies = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		struct proc_entry e;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		td = opendir(path);
		if (!td)
			continue;
		while ((te = readdir(td))) {
			pid_t tid = atoi(te->d_name);

			if (tid > 0 && proc_pidns_tid(tid) == pidns)
				(*tasks)++;
		}
		closedir(td);
		if (proc_pidns(pid) == pidns && !proc_stat(pid, &e) && e.state == 'Z')
			(*zombies)++;
	}
	closedir(d);
}

/* Our own PID namespace (/proc/self works whatever namespace /proc is of). */
static unsigned long long kt_self_pidns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : (unsigned long long)st.st_ino;
}

/* The global pid of pidns's init (the task whose last NSpid is 1), or -1. */
static pid_t kt_ns_init_pid(unsigned long long pidns)
{
	static char buf[4096];
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], *p, *end;
	pid_t pid = -1;

	while (d && (de = readdir(d))) {
		long last = -1;

		if (atoi(de->d_name) <= 0 || proc_pidns(atoi(de->d_name)) != pidns)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		if (kt_read_file(path, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "NSpid:")))
			continue;
		for (p += 6; (last = strtol(p, &end, 10), end != p) && *end != '\n'; p = end)
			;
		if (last == 1) {
			pid = atoi(de->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	return pid;
}

/* ------------------------------------------------------------------ */
/* A PID namespace W around a scenario */

enum { KT_HOLD = 'h', KT_DONE = 'd', KT_GO = 'g' };

struct kt_shared {
	struct sc_truth truth; /* a copy, at the hold point and at the end */
	char error[512];
	unsigned long long w_pidns;
	char inner_hold[KT_BUF]; /* the table as W's init reads it at the hold */
	char inner[KT_BUF];	 /* and at the end */
};

struct kt_wrap {
	struct kt_shared *sh;
	pid_t init; /* W's init, global pid */
	int to_outer, from_outer;
};

static int kt_byte_wait(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : -1;
}

static void kt_byte_put(int fd, char c)
{
	ssize_t n;

	do
		n = write(fd, &c, 1);
	while (n < 0 && errno == EINTR);
}

static void kt_copy_truth(struct kt_shared *sh, const struct sc_truth *t)
{
	memcpy(&sh->truth, t, sizeof(*t));
	sh->truth.bulk = NULL; /* the pids stay here; their number, nr_bulk, goes */
}

/* Body of W's init: runs the scenario, stops at hold and at the end. */
static void kt_wrap_init(const char *name, struct kt_shared *sh, int to, int from)
{
	struct sc_run run;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "rt-kmod-init");
	sh->w_pidns = kt_self_pidns();
	/* The scenarios read /proc with the pids of their own namespace. */
	if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		snprintf(sh->error, sizeof(sh->error), "a /proc for W: %s", strerror(errno));
		kt_byte_put(to, KT_DONE);
		_exit(1);
	}
	err = sc_start(&run, name);
	if (!err)
		err = sc_go(&run);
	if (!err && run.sc->has_hold) {
		err = sc_wait_hold(&run);
		if (!err) {
			kt_copy_truth(sh, run.truth);
			if (kt_read_file(KT_NAMESPACES, sh->inner_hold, sizeof(sh->inner_hold)) < 0)
				sh->inner_hold[0] = '\0';
			kt_byte_put(to, KT_HOLD);
			if (kt_byte_wait(from) != KT_GO)
				_exit(1);
			err = sc_continue(&run);
		}
	}
	err = sc_finish(&run) || err;
	if (run.truth) {
		kt_copy_truth(sh, run.truth);
		if (err && !run.truth->skip[0])
			snprintf(sh->error, sizeof(sh->error), "%s",
				 run.truth->error[0] ? run.truth->error : "scenario failed");
	}
	sc_release(&run);
	if (kt_read_file(KT_NAMESPACES, sh->inner, sizeof(sh->inner)) < 0)
		sh->inner[0] = '\0';
	kt_byte_put(to, KT_DONE);
	kt_byte_wait(from);
	_exit(0);
}

static int kt_wrap_start(struct kt_wrap *w, const char *name)
{
	int up[2], down[2];

	memset(w, 0, sizeof(*w));
	w->sh = mmap(NULL, sizeof(*w->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (w->sh == MAP_FAILED)
		return -errno;
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	w->init = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (w->init < 0)
		return -errno;
	if (w->init == 0) {
		close(up[0]);
		close(down[1]);
		kt_wrap_init(name, w->sh, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	w->to_outer = up[0];
	w->from_outer = down[1];
	return 0;
}

static void kt_wrap_end(struct kt_wrap *w)
{
	int st;

	if (w->init > 0) {
		close(w->from_outer);
		if (wait_pid_timeout(w->init, &st, 120 * 1000)) {
			kill(w->init, SIGKILL);
			wait_pid_timeout(w->init, &st, -1);
		}
		close(w->to_outer);
	}
	if (w->sh && w->sh != MAP_FAILED)
		munmap(w->sh, sizeof(*w->sh));
}

struct kt_expect {
	long long thread, subreaper, init, zombies;
};

/* What the truth says happened in pidns: adoptions by kind, zombies. */
static void kt_expect(const struct sc_truth *t, unsigned long long pidns, int phase,
		      struct kt_expect *x)
{
	int i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < t->nr_events; i++) {
		const struct sc_event *e = &t->events[i];

		if (e->optional || e->phase > phase || t->actors[e->subject].pidns != pidns)
			continue;
		if (e->type == SC_ZOMBIE)
			x->zombies++;
		if (e->type != SC_REPARENT)
			continue;
		if (!strcmp(e->kind, "thread"))
			x->thread++;
		else if (!strcmp(e->kind, "subreaper"))
			x->subreaper++;
		else if (!strcmp(e->kind, "ns_init"))
			x->init++;
	}
	/* A storm's bulk: each a zombie; in storm_reparent adopted by the subreaper H. */
	if (t->nr_bulk && t->actors[t->bulk_parent].pidns == pidns) {
		x->zombies += t->nr_bulk;
		if (t->bulk_adopter)
			x->subreaper += t->nr_bulk;
	}
}

static bool kt_check_counters(const struct kt_row *r, const struct kt_expect *x, bool done)
{
	bool ok = true;

	ok &= ASSERT_EQ(r->adopted_thread, x->thread, "ADOPTED_THREAD");
	ok &= ASSERT_EQ(r->adopted_subreaper, x->subreaper, "ADOPTED_SUBREAPER");
	ok &= ASSERT_EQ(r->adopted_init, x->init, "ADOPTED_INIT");
	ok &= ASSERT_EQ(r->created, x->zombies, "ZOMBIES_CREATED");
	if (done)
		ok &= ASSERT_EQ(r->reaped, x->zombies, "ZOMBIES_REAPED");
	return ok;
}

/*
 * The row of W once the scenario is over: the release of the last zombie
 * is counted an RCU grace period after its reap, which the kernel signals
 * no other way: poll up to 5 s.
 */
static bool kt_read_settled(struct kt_table *t, unsigned long long pidns, long long reaped)
{
	const struct kt_row *r;
	int i;

	for (i = 0; i < 500; i++) {
		if (!kt_read(t))
			return false;
		r = kt_find(t, pidns);
		if (r && r->reaped >= reaped)
			return true;
		usleep(10000);
	}
	return true;
}

/*
 * At the hold point of a scenario: its namespace's row as we see it (pids
 * global) and as W's init sees it (pids of W, those of the truth).
 */
static void kt_check_hold(const struct kt_shared *sh)
{
	static struct kt_table t, inner;
	const struct sc_truth *tr = &sh->truth;
	const struct sc_actor *init;
	const struct kt_row *r, *ir;
	long long tasks, zombies;
	struct kt_expect x;
	int idx = sc_actor_by_role(tr, "ns_init");

	if (!ASSERT_GE(idx, 0, "the scenario has a namespace init"))
		return;
	init = &tr->actors[idx];
	if (!kt_read(&t))
		return;
	r = kt_find(&t, init->pidns);
	if (!ASSERT_TRUE(r, "a row for the scenario's namespace at its hold point"))
		return;
	kt_proc_count(init->pidns, &tasks, &zombies);
	if (kt_find(&t, sh->w_pidns))
		ASSERT_EQ(r->level, kt_find(&t, sh->w_pidns)->level + init->pidns_level, "LEVEL");
	ASSERT_EQ(r->reaper_pid, kt_ns_init_pid(init->pidns), "REAPER_PID (global)");
	ASSERT_EQ(r->reaper_nspid, 1, "REAPER_NSPID");
	ASSERT_STREQ(r->comm, init->comm, "REAPER_COMM");
	ASSERT_STREQ(r->sigchld, kt_proc_disposition(r->reaper_pid, SIGCHLD), "SIGCHLD");
	ASSERT_STREQ(r->sigterm, kt_proc_disposition(r->reaper_pid, SIGTERM), "SIGTERM");
	ASSERT_EQ(r->tasks, tasks, "TASKS (as /proc counts them)");
	ASSERT_EQ(r->zombies, zombies, "ZOMBIES (as /proc counts them)");
	ASSERT_EQ(r->subreapers, 0, "SUBREAPERS");
	if (zombies)
		ASSERT_GE(r->oldest_ms, 0, "OLDEST_ZOMBIE_MS");
	else
		ASSERT_EQ(r->oldest_ms, 0, "OLDEST_ZOMBIE_MS without zombies");
	kt_expect(tr, init->pidns, 0, &x);
	kt_check_counters(r, &x, false);
	ASSERT_EQ(r->reaped, 0, "ZOMBIES_REAPED before the hold point ends");
	diag("hold: %s: tasks %lld zombies %lld created %lld", tr->name, r->tasks, r->zombies,
	     r->created);

	if (!kt_parse(sh->inner_hold, &inner))
		return;
	ASSERT_EQ(inner.nr, 2, "rows seen from inside W at the hold: W and the scenario's");
	ir = kt_find(&inner, init->pidns);
	if (ASSERT_TRUE(ir, "the scenario's namespace from inside W")) {
		ASSERT_EQ(ir->reaper_pid, init->pid, "REAPER_PID as W sees it");
		ASSERT_EQ(ir->tasks, r->tasks, "TASKS from inside W");
		ASSERT_EQ(ir->created, r->created, "ZOMBIES_CREATED from inside W");
	}
}

static void kt_scenario(const char *name)
{
	static struct kt_table t, inner;
	const struct sc_truth *tr;
	const struct kt_row *r, *ir;
	long long tasks, zombies;
	struct kt_expect x;
	struct kt_wrap w;
	int c;

	if (!kt_load())
		return;
	if (!ASSERT_EQ(kt_wrap_start(&w, name), 0, "clone(CLONE_NEWPID)"))
		goto out;
	tr = &w.sh->truth;
	c = kt_byte_wait(w.to_outer);
	if (c == KT_HOLD) {
		kt_check_hold(w.sh);
		kt_byte_put(w.from_outer, KT_GO);
		c = kt_byte_wait(w.to_outer);
	}
	if (!ASSERT_EQ(c, KT_DONE, "the scenario ran to its end"))
		goto out;
	if (tr->skip[0]) {
		test_skip("%s", tr->skip);
		goto out;
	}
	if (!ASSERT_STREQ(w.sh->error, "", "the scenario ran as designed"))
		goto out;
	if (!ASSERT_EQ(tr->actors[0].pidns, w.sh->w_pidns, "the runner is W's init"))
		goto out;

	kt_expect(tr, w.sh->w_pidns, 1, &x);
	if (!kt_read_settled(&t, w.sh->w_pidns, x.zombies) || !kt_sorted(&t))
		goto out;
	r = kt_find(&t, w.sh->w_pidns);
	if (!ASSERT_TRUE(r, "a row for W"))
		goto out;
	diag("%s: W: thread %lld subreaper %lld init %lld created %lld reaped %lld", name,
	     r->adopted_thread, r->adopted_subreaper, r->adopted_init, r->created, r->reaped);
	kt_check_counters(r, &x, true);
	kt_proc_count(w.sh->w_pidns, &tasks, &zombies);
	ASSERT_EQ(r->tasks, tasks, "TASKS of W (/proc: its init alone)");
	ASSERT_EQ(r->tasks, 1, "TASKS of W");
	ASSERT_EQ(r->zombies, 0, "ZOMBIES of W");
	ASSERT_EQ(r->oldest_ms, 0, "OLDEST_ZOMBIE_MS of W");
	ASSERT_EQ(r->subreapers, 0, "SUBREAPERS of W");
	ASSERT_EQ(r->reaper_pid, w.init, "REAPER_PID of W: its init, as we see it");
	ASSERT_EQ(r->reaper_nspid, 1, "REAPER_NSPID of W");
	ASSERT_STREQ(r->comm, "rt-kmod-init", "REAPER_COMM of W");
	ASSERT_STREQ(r->sigchld, "default", "SIGCHLD of W's init");
	ASSERT_STREQ(r->sigterm, "default", "SIGTERM of W's init");

	/* W's init sees W alone (its scenario namespaces are gone), as pid 1. */
	if (!kt_parse(w.sh->inner, &inner))
		goto out;
	ir = kt_find(&inner, w.sh->w_pidns);
	if (ASSERT_EQ(inner.nr, 1, "rows seen from inside W") &&
	    ASSERT_TRUE(ir, "W's own row from inside")) {
		ASSERT_EQ(ir->reaper_pid, 1, "REAPER_PID inside W");
		ASSERT_EQ(ir->level, r->level, "LEVEL inside W");
	}
out:
	kt_wrap_end(&w);
	kt_unload();
}

#define KT_SCENARIO(name)           \
	TEST(kmod_##name)           \
	{                           \
		kt_scenario(#name); \
	}

KT_SCENARIO(orphan_subreaper)
KT_SCENARIO(orphan_ns_init)
KT_SCENARIO(container)
KT_SCENARIO(zombie_orphan)
KT_SCENARIO(never_reaping)
KT_SCENARIO(ns_init_exit)
KT_SCENARIO(sigchld_ignore)
KT_SCENARIO(zombie_to_ignorer)
KT_SCENARIO(thread_handoff)
KT_SCENARIO(nested_subreapers)
KT_SCENARIO(exit_codes)
KT_SCENARIO(pdeathsig)
KT_SCENARIO(storm_reparent)

/* ------------------------------------------------------------------ */
/* format, header, modes, the root namespace against /proc */

TEST(kmod_format)
{
	static struct kt_table t;
	char buf[1024];
	struct stat st;
	const struct kt_row *r;
	char comm[64], esc[80];
	unsigned long long me = kt_self_pidns();

	if (!kt_load())
		return;
	if (ASSERT_GT(kt_read_file(KT_FORMAT, buf, sizeof(buf)), 0, "read " KT_FORMAT))
		ASSERT_STREQ(buf, "version 1\ncolumns " KT_COLUMNS "\n", KT_FORMAT);
	if (ASSERT_EQ(stat(KT_NAMESPACES, &st), 0, "stat " KT_NAMESPACES))
		ASSERT_EQ(st.st_mode & 07777, 0400, "mode of " KT_NAMESPACES);
	if (ASSERT_EQ(stat(KT_FORMAT, &st), 0, "stat " KT_FORMAT))
		ASSERT_EQ(st.st_mode & 07777, 0400, "mode of " KT_FORMAT);
	if (!kt_read(&t) || !kt_sorted(&t))
		goto out;
	r = kt_find(&t, me);
	if (!ASSERT_TRUE(r, "a row for our own namespace"))
		goto out;
	if (r->level == 0) {
		ASSERT_EQ(r->reaper_pid, 1, "REAPER_PID of the root namespace");
		ASSERT_EQ(r->reaper_nspid, 1, "REAPER_NSPID of the root namespace");
		if (!kt_read_comm(1, comm, sizeof(comm))) {
			kt_escape(comm, esc, sizeof(esc));
			ASSERT_STREQ(r->comm, esc, "REAPER_COMM: /proc/1/comm");
		}
		ASSERT_STREQ(r->sigchld, kt_proc_disposition(1, SIGCHLD), "SIGCHLD of pid 1");
		ASSERT_STREQ(r->sigterm, kt_proc_disposition(1, SIGTERM), "SIGTERM of pid 1");
		ASSERT_EQ(t.rows[0].pidns, me, "the root namespace comes first");
	}
	ASSERT_GT(r->tasks, 0, "TASKS");
out:
	kt_unload();
}

/* ------------------------------------------------------------------ */
/* Every snapshot column of a namespace built for it, from both sides */

enum { KS_ZOMBIES = 4, KS_THREADS = 2, KS_AGE_MS = 300 };

struct ks_shared {
	pid_t nested_init;  /* global pid of the level+2 init */
	pid_t nested_inner; /* its pid as W sees it */
	unsigned long long w_pidns, n_pidns;
	char inner[KT_BUF];
};

static void ks_handler(int sig)
{
}

static void *ks_thread(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* A nested namespace's init: sleeps until its parent dies. */
static void ks_nested(struct ks_shared *sh, int ready)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "rt-nested");
	sh->n_pidns = kt_self_pidns();
	kt_byte_put(ready, 'r');
	for (;;)
		pause();
}

/* A child that lives until W is torn down (no PDEATHSIG: it outlives us). */
static void ks_pause_child(void)
{
	if (fork() == 0) {
		for (;;)
			pause();
	}
}

static void *ks_forking_thread(void *arg)
{
	ks_pause_child();
	return NULL; /* its child goes to the main thread */
}

/*
 * W's init: a subreaper, SIGCHLD handled, SIGTERM ignored, an odd comm, 2
 * threads, 4 zombies it never reaps, and below it: P1 leaves 3 orphans to
 * it (ADOPTED_INIT), S (a subreaper) adopts the 2 orphans of P2
 * (ADOPTED_SUBREAPER), a thread of T leaves its child to T's main thread
 * (ADOPTED_THREAD), and a child makes a nested namespace.
 */
static void ks_init(struct ks_shared *sh, int to, int from)
{
	struct sigaction sa = { .sa_handler = ks_handler };
	pthread_t th;
	int i, p[2];
	pid_t c, p1, s, t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "rt k\\mod\tx");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGTERM, SIG_IGN);
	sh->w_pidns = kt_self_pidns();
	for (i = 0; i < KS_THREADS; i++)
		pthread_create(&th, NULL, ks_thread, NULL);
	for (i = 0; i < KS_ZOMBIES; i++) {
		siginfo_t si;

		c = fork();
		if (c == 0)
			_exit(0);
		waitid(P_PID, c, &si, WEXITED | WNOWAIT);
	}
	p1 = fork();
	if (p1 == 0) {
		for (i = 0; i < 3; i++)
			ks_pause_child();
		_exit(0);
	}
	waitpid(p1, NULL, 0);
	s = fork();
	if (s == 0) {
		pid_t p2;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		p2 = fork();
		if (p2 == 0) {
			ks_pause_child();
			ks_pause_child();
			_exit(0);
		}
		waitpid(p2, NULL, 0);
		for (;;)
			pause();
	}
	t = fork();
	if (t == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!pthread_create(&th, NULL, ks_forking_thread, NULL))
			pthread_join(th, NULL);
		for (;;)
			pause();
	}
	/* A child that makes a namespace of its own, one level down. */
	if (pipe(p))
		_exit(1);
	c = fork();
	if (c == 0) {
		pid_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID))
			_exit(1);
		n = fork();
		if (n == 0)
			ks_nested(sh, p[1]);
		sh->nested_inner = n;
		for (;;)
			pause();
	}
	if (kt_byte_wait(p[0]) != 'r')
		_exit(1);
	usleep(KS_AGE_MS * 1000);
	if (kt_read_file(KT_NAMESPACES, sh->inner, sizeof(sh->inner)) < 0)
		sh->inner[0] = '\0';
	kt_byte_put(to, KT_HOLD);
	kt_byte_wait(from);
	_exit(0); /* the kernel kills and reaps all of W */
}

TEST(kmod_snapshot_columns)
{
	static struct kt_table t, inner;
	const struct kt_row *w, *n, *iw, *in;
	struct ks_shared *sh;
	long long tasks, zombies;
	int up[2], down[2], st, i;
	char esc[80], line[512];
	pid_t init = -1, nested = -1;

	if (!kt_load())
		return;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_TRUE(sh != MAP_FAILED, "mmap") || !ASSERT_EQ(pipe(up), 0, "pipe") ||
	    !ASSERT_EQ(pipe(down), 0, "pipe"))
		goto out;
	fflush(stdout);
	init = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (init == 0) {
		close(up[0]);
		close(down[1]);
		ks_init(sh, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	if (!ASSERT_GT(init, 0, "clone(CLONE_NEWPID)") ||
	    !ASSERT_EQ(kt_byte_wait(up[0]), KT_HOLD, "W's init is ready"))
		goto out_init;
	/*
	 * Adoptions and releases are counted at the dead task's last switch
	 * and an RCU grace period after a reap, which user space cannot see:
	 * poll up to 5 s for the truth, then assert it.
	 */
	for (i = 0; i < 500; i++) {
		if (!kt_read(&t))
			goto out_init;
		w = kt_find(&t, sh->w_pidns);
		if (w && w->reaped == 2 && w->adopted_thread == 1 && w->adopted_init == 3 &&
		    w->adopted_subreaper == 2)
			break;
		usleep(10000);
	}
	if (!kt_sorted(&t))
		goto out_init;
	w = kt_find(&t, sh->w_pidns);
	n = kt_find(&t, sh->n_pidns);
	if (!ASSERT_TRUE(w, "a row for W") || !ASSERT_TRUE(n, "a row for the nested namespace"))
		goto out_init;
	/* The nested init's global pid: the only task of its namespace. */
	nested = kt_ns_init_pid(sh->n_pidns);

	kt_escape("rt k\\mod\tx", esc, sizeof(esc));
	ASSERT_STREQ(w->comm, esc, "REAPER_COMM escaped like /proc/mounts");
	ASSERT_STREQ(w->comm, "rt\\040k\\134mod\\011x", "REAPER_COMM");
	ASSERT_EQ(w->level, n->level - 1, "LEVEL: the nested one is one down");
	ASSERT_EQ(w->reaper_pid, init, "REAPER_PID");
	ASSERT_EQ(w->reaper_nspid, 1, "REAPER_NSPID");
	ASSERT_STREQ(w->sigchld, "handler", "SIGCHLD");
	ASSERT_STREQ(w->sigterm, "ignore", "SIGTERM");
	ASSERT_STREQ(w->sigchld, kt_proc_disposition(init, SIGCHLD), "SIGCHLD as /proc says");
	ASSERT_STREQ(w->sigterm, kt_proc_disposition(init, SIGTERM), "SIGTERM as /proc says");
	kt_proc_count(sh->w_pidns, &tasks, &zombies);
	/*
	 * init + its threads + its zombies + 3 orphans of P1 + S + 2 orphans
	 * of P2 + T + the orphan of its thread + the maker of the nested ns
	 */
	ASSERT_EQ(w->tasks, 1 + KS_THREADS + KS_ZOMBIES + 3 + 1 + 2 + 1 + 1 + 1, "TASKS");
	ASSERT_EQ(w->tasks, tasks, "TASKS as /proc counts them");
	ASSERT_EQ(w->zombies, KS_ZOMBIES, "ZOMBIES");
	ASSERT_EQ(w->zombies, zombies, "ZOMBIES as /proc counts them");
	ASSERT_EQ(w->subreapers, 2, "SUBREAPERS (W's init and S)");
	ASSERT_GE(w->oldest_ms, KS_AGE_MS - 20, "OLDEST_ZOMBIE_MS (to a tick)");
	ASSERT_LT(w->oldest_ms, 60 * 1000, "OLDEST_ZOMBIE_MS is sane");
	ASSERT_EQ(w->adopted_init, 3, "ADOPTED_INIT (P1's orphans)");
	ASSERT_EQ(w->adopted_subreaper, 2, "ADOPTED_SUBREAPER (P2's orphans)");
	ASSERT_EQ(w->adopted_thread, 1, "ADOPTED_THREAD (T's thread's child)");
	ASSERT_EQ(w->created, KS_ZOMBIES + 2, "ZOMBIES_CREATED (4 kept, P1, P2)");
	ASSERT_EQ(w->reaped, 2, "ZOMBIES_REAPED (P1, P2)");
	ASSERT_EQ(n->reaper_pid, nested, "REAPER_PID of the nested namespace, as we see it");
	ASSERT_EQ(n->reaper_nspid, 1, "REAPER_NSPID of the nested namespace");
	ASSERT_STREQ(n->comm, "rt-nested", "REAPER_COMM of the nested namespace");
	ASSERT_EQ(n->tasks, 1, "TASKS of the nested namespace");

	/* From inside W: W and the nested namespace only, pids as W sees them. */
	if (!kt_parse(sh->inner, &inner))
		goto out_init;
	iw = kt_find(&inner, sh->w_pidns);
	in = kt_find(&inner, sh->n_pidns);
	ASSERT_EQ(inner.nr, 2, "rows seen from inside W");
	if (ASSERT_TRUE(iw, "W from inside")) {
		ASSERT_EQ(iw->reaper_pid, 1, "REAPER_PID of W from inside");
		ASSERT_EQ(iw->tasks, w->tasks, "TASKS of W from inside");
		ASSERT_EQ(iw->zombies, w->zombies, "ZOMBIES of W from inside");
	}
	if (ASSERT_TRUE(in, "the nested namespace from inside W")) {
		ASSERT_EQ(in->reaper_pid, sh->nested_inner, "REAPER_PID translated into W");
		ASSERT_EQ(in->reaper_nspid, 1, "REAPER_NSPID from inside W");
	}
	memcpy(line, sh->inner, sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	diag("inside W: %s", line);
out_init:
	if (init > 0) {
		close(down[1]);
		wait_pid_timeout(init, &st, 60 * 1000);
		close(up[0]);
	}
	munmap(sh, sizeof(*sh));
out:
	kt_unload();
}

/* ------------------------------------------------------------------ */
/* Counters of dead namespaces are dropped */

static long kt_stat(const char *key)
{
	char buf[512], *p;

	if (kt_read_file(KT_STATS, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, key);
	return p ? atol(p + strlen(key) + 1) : -1;
}

TEST(kmod_dead_namespaces_dropped)
{
	long before, after = -1;
	int i, st;

	if (!kt_load())
		return;
	/* An exit in our own namespace, which lives on: its entry stays. */
	if (fork() == 0)
		_exit(0);
	wait(&st);
	before = kt_stat("namespaces");
	for (i = 0; i < 200; i++) {
		pid_t p = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);

		if (p == 0) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			waitpid(c, NULL, 0);
			_exit(0);
		}
		if (!ASSERT_GT(p, 0, "clone(CLONE_NEWPID)"))
			break;
		waitpid(p, &st, 0);
	}
	/* Released an RCU grace period after their reap: up to 5 s. */
	for (i = 0; i < 500; i++) {
		after = kt_stat("namespaces");
		if (after <= before)
			break;
		usleep(10000);
	}
	diag("tracked namespaces: %ld before, %ld after 200 dead ones", before, after);
	ASSERT_GE(before, 1, "namespaces tracked before");
	ASSERT_LE(after, before, "entries of the 200 dead namespaces dropped");
	ASSERT_EQ(kt_stat("lost"), 0, "nothing lost");
	kt_unload();
}

/* ------------------------------------------------------------------ */
/* 100 load/unload cycles under a fork/exit storm and concurrent readers */

#define KT_CYCLES 100

static volatile sig_atomic_t kt_stop;

static void kt_on_term(int sig)
{
	kt_stop = 1;
}

static void *kt_storm_thread(void *arg)
{
	pid_t c = fork();

	if (c == 0)
		_exit(0);
	return NULL; /* its child goes to a sibling thread */
}

/* Forks, orphans, threads and namespaces until SIGTERM; reaps it all. */
static void kt_forker(void)
{
	unsigned long i;

	signal(SIGTERM, kt_on_term);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Below the cycles: on a slow (emulated) machine they must get on. */
	if (nice(10) < 0)
		diag("nice: %s", strerror(errno));
	for (i = 0; !kt_stop; i++) {
		pid_t c = fork();

		if (c == 0) {
			pthread_t th;

			switch (i % 4) {
			case 0: /* an orphan for the subreaper */
				if (fork() == 0)
					_exit(0);
				break;
			case 1: /* a thread that forks and exits */
				if (!pthread_create(&th, NULL, kt_storm_thread, NULL))
					pthread_join(th, NULL);
				break;
			case 2: /* a PID namespace that lives and dies */
				if (!unshare(CLONE_NEWPID) && fork() == 0)
					_exit(0);
				break;
			}
			while (wait(NULL) > 0)
				;
			_exit(0);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(1000);
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	_exit(0);
}

static void kt_reader(void)
{
	static char buf[KT_BUF];

	signal(SIGTERM, kt_on_term);
	if (nice(10) < 0)
		diag("nice: %s", strerror(errno));
	while (!kt_stop) {
		kt_read_file(KT_NAMESPACES, buf, sizeof(buf));
		kt_read_file(KT_STATS, buf, sizeof(buf));
		kt_read_file(KT_FORMAT, buf, sizeof(buf));
		usleep(1000);
	}
	_exit(0);
}

/* The kernel log after our marker: lines that say the kernel went wrong. */
static int kt_dmesg_bad(const char *marker)
{
	static const char *const bad[] = { "BUG",
					   "WARNING",
					   "Oops",
					   "leak",
					   "general protection",
					   "RIP:",
					   "Call Trace",
					   "stall",
					   "refcount_t",
					   "list_add corruption",
					   "list_del corruption" };
	static char buf[1 << 20];
	char *p, *line;
	int n, nr = 0;
	size_t i;

	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, marker);
	if (!p) {
		/*
		 * Seen in the full suite under TCG: the syslog view stopped
		 * before the marker (the console had it). scripts/vmtest.sh
		 * fails a kernel whose console shows any of these, so the
		 * check is not lost; here it cannot be made.
		 */
		diag("dmesg: %d bytes read, no '%s' in them (the last: %.120s); left to the "
		     "console check of scripts/vmtest.sh",
		     n, marker, n > 120 ? buf + n - 120 : buf);
		return 0;
	}
	for (line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(line, bad[i])) {
				diag("dmesg: %s", line);
				nr++;
				break;
			}
	return nr;
}

TEST(kmod_load_unload_storm)
{
	pid_t kids[4] = { -1, -1, -1, -1 };
	unsigned long long t0 = boottime_ns();
	char marker[64], line[80];
	int i, k, err = 0, st, fd, n;

	if (!kt_load())
		return;
	snprintf(marker, sizeof(marker), "rt-tests kmod storm %d.%llu", getpid(), boottime_ns());
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open /dev/kmsg"))
		goto out;
	/*
	 * With its newline: a record without one stays open for continuation,
	 * and syslog readers see it only once another message closes it.
	 */
	n = snprintf(line, sizeof(line), "%s\n", marker); /* one write: one record */
	ASSERT_EQ(write(fd, line, n), n, "write the marker to /dev/kmsg");
	close(fd);
	fflush(stdout);
	for (k = 0; k < 4; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (k < 2)
				kt_forker();
			kt_reader();
		}
	}
	for (i = 0; i < KT_CYCLES; i++) {
		if (i % 10 == 0)
			diag("cycle %d at %.1f s: %ld exits tracked", i, (boottime_ns() - t0) / 1e9,
			     kt_stat("exits"));
		usleep(20000);
		err = kt_rmmod();
		if (err)
			break;
		usleep(5000);
		err = kt_insmod(getenv("RT_KMOD"));
		if (err)
			break;
	}
	ASSERT_EQ(err, 0, "load/unload cycles");
	diag("%d load/unload cycles under the storm", i);
	ASSERT_EQ(i, KT_CYCLES, "cycles done");
	for (k = 0; k < 4; k++)
		if (kids[k] > 0)
			kill(kids[k], SIGTERM);
	for (k = 0; k < 4; k++)
		if (kids[k] > 0 && wait_pid_timeout(kids[k], &st, 60 * 1000)) {
			kill(kids[k], SIGKILL);
			wait_pid_timeout(kids[k], &st, -1);
			ASSERT_TRUE(false, "a storm process stopped on SIGTERM");
		}
	kids[0] = -1;
	/* Everything settled: nothing is left of the storm's namespaces. */
	for (i = 0; i < 500 && kt_stat("exits") > 50; i++)
		usleep(10000);
	diag("after the storm: %ld namespaces, %ld exits tracked, %ld lost", kt_stat("namespaces"),
	     kt_stat("exits"), kt_stat("lost"));
	ASSERT_EQ(kt_dmesg_bad(marker), 0, "dmesg: no BUG/WARNING/Oops/leak after the marker");
out:
	kt_unload();
	ASSERT_EQ(kt_dmesg_bad(marker), 0, "dmesg clean after the last unload");
}
