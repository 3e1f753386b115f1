// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Running reapertrace, and checking its records: see tracer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tracer.h"

#define START_TIMEOUT_MS (30 * 1000)
#define STOP_TIMEOUT_MS	 (10 * 1000)
#define SETTLE_MS	 300

/* Tracers this process runs: reap_* programs are ours while one runs. */
static int nr_running;

const char *tracer_bin(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("RT_BIN");

	if (env && *env)
		return env;
	snprintf(path, sizeof(path), "%s/build/reapertrace", repo_root());
	return path;
}

char *slurp_fd(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fdopen(fd, "r");

	if (!f) {
		close(fd);
		return strdup("");
	}
	rewind(f);
	if (getdelim(&buf, &len, 0, f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? strdup("") : slurp_fd(fd);
}

unsigned int tracer_metrics_port(const struct tracer *t)
{
	char *err = read_file(t->err_path);
	const char *said = err ? strstr(err, "serving metrics on http://") : NULL, *end;
	unsigned int port = 0;

	end = said ? strstr(said, "/metrics") : NULL;
	while (end && end > said && end[-1] != ':')
		end--;
	if (end && end > said)
		port = strtoul(end, NULL, 10);
	free(err);
	return port;
}

bool tracer_start(struct tracer *t, const char *const *opts)
{
	const char *argv[32];
	int n = 0, ifd = -1, pfd = -1, fd;
	struct timespec t0, now;
	bool ok = false;
	char *err;
	/* the settings the caller makes */
	bool lossy = t->lossy;
	int exit_status = t->exit_status;

	memset(t, 0, sizeof(*t));
	t->lossy = lossy;
	t->exit_status = exit_status;
	argv[n++] = tracer_bin();
	for (; opts && *opts && n < 30; opts++) {
		if (!strcmp(*opts, "--json") || !strcmp(*opts, "-j"))
			t->json = true;
		argv[n++] = *opts;
	}
	argv[n] = NULL;
	if (!ASSERT_EQ(access(argv[0], X_OK), 0, "tracer binary is executable (RT_BIN)")) {
		diag("no executable %s: build it with make", argv[0]);
		return false;
	}
	strcpy(t->out_path, "/tmp/rt-out-XXXXXX");
	strcpy(t->err_path, "/tmp/rt-err-XXXXXX");
	fd = mkstemp(t->out_path);
	if (fd >= 0)
		close(fd);
	fd = mkstemp(t->err_path);
	if (fd >= 0)
		close(fd);
	ifd = inotify_init1(IN_CLOEXEC);
	if (!ASSERT_GE(ifd, 0, "inotify_init1") ||
	    !ASSERT_GE(inotify_add_watch(ifd, t->err_path, IN_MODIFY), 0, "inotify_add_watch"))
		goto out;
	t->t_start = boottime_ns();
	fflush(stdout);
	fflush(stderr);
	t->pid = fork();
	if (t->pid == 0) {
		sigset_t none;
		int o = open(t->out_path, O_WRONLY | O_TRUNC);
		int e = open(t->err_path, O_WRONLY | O_TRUNC);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		close(o);
		close(e);
		/* As from a shell: default dispositions, nothing blocked. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (!ASSERT_GT(t->pid, 0, "fork of the tracer"))
		goto out;
	t->running = true;
	nr_running++;
	pfd = syscall(SYS_pidfd_open, t->pid, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2] = { { .fd = ifd, .events = POLLIN },
				       { .fd = pfd, .events = POLLIN } };
		char buf[4096];
		long left;

		err = read_file(t->err_path);
		if (strstr(err, "reapertrace: tracing")) {
			free(err);
			ok = true;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = START_TIMEOUT_MS -
		       ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || (pfd >= 0 && poll(&p[1], 1, 0) == 1)) {
			/* one more read: the line may have come with the exit */
			free(err);
			err = read_file(t->err_path);
			if (strstr(err, "reapertrace: tracing") && left > 0) {
				free(err);
				diag("tracer exited right after attaching");
				break;
			}
			diag("tracer did not print \"reapertrace: tracing\" %s; stderr:\n%s",
			     left <= 0 ? "within 30 s" : "before exiting", err);
			free(err);
			test_fail();
			break;
		}
		free(err);
		if (poll(p, pfd >= 0 ? 2 : 1, left > 100 ? 100 : left) > 0 &&
		    (p[0].revents & POLLIN))
			if (read(ifd, buf, sizeof(buf)) < 0)
				break;
	}
out:
	if (ifd >= 0)
		close(ifd);
	if (pfd >= 0)
		close(pfd);
	if (!ok)
		tracer_free(t);
	return ok;
}

void tracer_free(struct tracer *t)
{
	if (t->running && t->pid > 0) {
		kill(t->pid, SIGKILL);
		wait_pid_timeout(t->pid, &t->status, -1);
		nr_running--;
	}
	t->running = false;
	if (t->out_path[0])
		unlink(t->out_path);
	if (t->err_path[0])
		unlink(t->err_path);
	t->out_path[0] = t->err_path[0] = 0;
	free(t->err_text);
	t->err_text = NULL;
	free(t->features);
	t->features = NULL;
	jsonl_free(&t->doc);
	t->summary = NULL;
}

bool no_reap_programs(char *names, size_t len)
{
	int tries;

	for (tries = 0; tries < 30; tries++) {
		char line[1024];
		bool found = false;
		FILE *f;

		names[0] = 0;
		/* Plain output: "ID: TYPE  name NAME  tag ..." */
		f = popen("bpftool prog show 2>/dev/null", "re");
		if (!f)
			return true;
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, " name reap_");

			if (p) {
				found = true;
				if (strlen(names) + 40 < len) {
					p += 6;
					strncat(names, p, strcspn(p, " \n"));
					strcat(names, " ");
				}
			}
		}
		pclose(f);
		if (!found)
			return true;
		/* The last reference may go after an RCU grace period. */
		msleep(100);
	}
	return false;
}

static bool keep_all(const struct json_obj *o, void *arg)
{
	(void)o;
	(void)arg;
	return true;
}

struct keep_wrap {
	bool (*keep)(const struct json_obj *o, void *arg);
	void *arg;
	unsigned int nr_seen;
	char *features; /* the first record, if a features record */
};

static bool keep_or_summary(const struct json_obj *o, void *arg)
{
	struct keep_wrap *w = arg;
	const char *ev = json_event(o);

	if (w->nr_seen++ == 0 && !strcmp(ev, "features")) {
		w->features = strdup(o->line);
		return false;
	}
	if (!strcmp(ev, "summary") || !strcmp(ev, "lost"))
		return true;
	return w->keep(o, w->arg);
}

bool tracer_stop_sig(struct tracer *t, int sig, int settle_ms,
		     bool (*keep)(const struct json_obj *o, void *arg), void *arg)
{
	struct keep_wrap w = { keep ? keep : keep_all, arg, 0, NULL };
	char names[512];
	bool ok = true;
	int err;

	if (!t->running)
		return false;
	msleep(settle_ms >= 0 ? settle_ms : SETTLE_MS);
	t->t_stop = boottime_ns();
	kill(t->pid, sig ? sig : SIGINT);
	err = wait_pid_timeout(t->pid, &t->status, STOP_TIMEOUT_MS);
	if (!ASSERT_EQ(err, 0, "tracer exits within 10 s of the signal")) {
		kill(t->pid, SIGKILL);
		wait_pid_timeout(t->pid, &t->status, -1);
		ok = false;
	}
	t->running = false;
	nr_running--;
	t->err_text = read_file(t->err_path);
	if (!ASSERT_TRUE(WIFEXITED(t->status) && WEXITSTATUS(t->status) == t->exit_status,
			 "tracer exit status is as expected")) {
		diag("expected exit status %d", t->exit_status);
		diag("wait status 0x%x; stderr:\n%s", t->status, t->err_text);
		ok = false;
	}
	if (!ASSERT_TRUE(strstr(t->err_text, " lost") != NULL, "stderr has the final count line")) {
		diag("stderr:\n%s", t->err_text);
		ok = false;
	}
	if (!nr_running &&
	    !ASSERT_TRUE(no_reap_programs(names, sizeof(names)),
			 "no reap_* BPF program is loaded after the tracer exited")) {
		diag("still loaded: %s (another reapertrace running on the machine?)", names);
		ok = false;
	}
	if (jsonl_load(t->out_path, &t->doc, keep_or_summary, &w)) {
		free(w.features);
		ASSERT_TRUE(false, "tracer output file readable");
		return false;
	}
	t->features = w.features;
	if (!t->json)
		return ok;
	if (!ASSERT_TRUE(t->features != NULL, "the first line is the features record")) {
		if (t->doc.nr)
			diag("first kept line: %s", t->doc.objs[0].line);
		ok = false;
	}
	if (!ASSERT_EQ(t->doc.nr_bad, 0, "every output line is valid JSON")) {
		diag("first invalid: %s", t->doc.first_bad);
		ok = false;
	}
	if (t->doc.nr)
		t->summary = &t->doc.objs[t->doc.nr - 1];
	if (!ASSERT_TRUE(t->summary && !strcmp(json_event(t->summary), "summary"),
			 "the last line is the summary")) {
		if (t->summary)
			diag("last line: %s", t->summary->line);
		t->summary = NULL;
		ok = false;
	} else {
		long long lost = -1, events = -1, skipped = 0, rescued = 0;

		/* Not asserted (a kernel may preempt a program), but named: events are missing. */
		if (json_int(t->summary, "runs_skipped", &skipped) && skipped) {
			static const char said[] = "reapertrace: the kernel skipped";
			const char *p;

			diag("the kernel skipped %lld runs of the tracer's programs (runs_skipped): "
			     "their events are missing",
			     skipped);
			if (t->err_text && strstr(t->err_text, said))
				t->runs_skipped_said = skipped;
			/* stderr's lines name the programs */
			for (p = t->err_text; p && (p = strstr(p, said)); p += sizeof(said) - 1)
				diag("%.*s", (int)strcspn(p, "\n"), p);
		}
		if (json_int(t->summary, "runs_rescued", &rescued) && rescued)
			diag("%lld exits were walked by the standby: the kernel skipped the walk's run "
			     "(runs_rescued)",
			     rescued);
		if (!ASSERT_TRUE(json_int(t->summary, "lost", &lost) &&
					 json_int(t->summary, "events", &events),
				 "summary has events and lost") ||
		    (!t->lossy && !ASSERT_EQ(lost, 0, "summary: lost events"))) {
			diag("summary: %s", t->summary->line);
			ok = false;
		}
	}
	return ok;
}

bool tracer_stop(struct tracer *t, bool (*keep)(const struct json_obj *o, void *arg), void *arg)
{
	return tracer_stop_sig(t, SIGINT, SETTLE_MS, keep, arg);
}

bool is_event_record(const struct json_obj *o)
{
	const char *ev = json_event(o);

	return !strcmp(ev, "reparent") || !strcmp(ev, "zombie") || !strcmp(ev, "reap") ||
	       !strcmp(ev, "subreaper") || !strcmp(ev, "init_signal_dropped") ||
	       !strcmp(ev, "ns_teardown") || !strcmp(ev, "reaper_handoff");
}

int count_events(const struct jsonl_doc *d, const char *event)
{
	int i, n = 0;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(json_event(&d->objs[i]), event))
			n++;
	return n;
}

static bool involves_actor(const struct json_obj *o, const struct sc_truth *t)
{
	static const char *const keys[] = { "pid",	     "old_parent.pid", "new_parent.pid",
					    "parent.pid",    "reaper.pid",     "sender.pid",
					    "new_reaper.pid" };
	unsigned int k;
	long long v;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (json_int(o, keys[k], &v) && sc_actor_by_pid(t, v) >= 0)
			return true;
	return false;
}

void dump_scenario_records(const struct jsonl_doc *d, const struct sc_truth *t)
{
	int i;

	diag("records involving the scenario's processes:");
	for (i = 0; i < d->nr; i++)
		if (involves_actor(&d->objs[i], t))
			diag("  %s", d->objs[i].line);
}

/*
 * What a JSON reader decodes the tracer's "comm" of raw bytes @raw into: a
 * valid UTF-8 sequence stays as it is; any other byte B >= 0x80 was
 * escaped as \u00BB, which decodes to U+00BB (two bytes of UTF-8).
 */
static const char *decoded_comm(const char *raw, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)raw;
	size_t o = 0;
	int len, i;

	while (*s && o + 5 < size) {
		len = *s < 0x80		       ? 1 :
		      *s >= 0xc2 && *s <= 0xdf ? 2 :
		      *s >= 0xe0 && *s <= 0xef ? 3 :
		      *s >= 0xf0 && *s <= 0xf4 ? 4 :
						 0;
		for (i = 1; i < len; i++)
			if ((s[i] & 0xc0) != 0x80)
				len = 0;
		if (len) {
			memcpy(out + o, s, len);
			o += len;
			s += len;
		} else {
			out[o++] = 0xc0 | (*s >> 6);
			out[o++] = 0x80 | (*s & 0x3f);
			s++;
		}
	}
	out[o] = 0;
	return out;
}

bool check_task(const struct json_obj *o, const char *key, const struct sc_actor *a)
{
	char k[64], what[160], comm[64];
	long long v = -1;
	bool ok = true;

	snprintf(what, sizeof(what), "%s is %s", key, a->role);
	snprintf(k, sizeof(k), "%s.pid", key);
	if (!json_int(o, k, &v))
		v = -1;
	ok &= ASSERT_EQ(v, a->pid, what);
	snprintf(k, sizeof(k), "%s.tid", key);
	if (!json_int(o, k, &v))
		v = -1;
	ok &= ASSERT_EQ(v, a->tid, what);
	snprintf(k, sizeof(k), "%s.comm", key);
	if (a->comm[0])
		ok &= ASSERT_STREQ(json_str(o, k), decoded_comm(a->comm, comm, sizeof(comm)), what);
	return ok;
}

bool check_header(const struct json_obj *o, const struct sc_actor *a)
{
	unsigned long long ts = 0, ns = 0, cg = 0;
	long long v = -1;
	bool ok = true;
	char what[128], comm[64];

	snprintf(what, sizeof(what), "%s event of %s", json_event(o), a->role);
	ok &= ASSERT_TRUE(json_u64(o, "ts_ns", &ts) && ts > 0 && ts <= boottime_ns(),
			  "ts_ns is a CLOCK_BOOTTIME time");
	if (!json_int(o, "pid", &v))
		v = -1;
	ok &= ASSERT_EQ(v, a->pid, what);
	if (!strcmp(json_event(o), "subreaper") || !strcmp(json_event(o), "init_signal_dropped") ||
	    !strcmp(json_event(o), "ns_teardown") || !strcmp(json_event(o), "reaper_handoff")) {
		/* the thread: prctl() caller, signal target, (old) reaper thread */
		if (!json_int(o, "tid", &v))
			v = -1;
		ok &= ASSERT_EQ(v, a->tid, "tid is the thread the event is about");
	} else {
		/* about the process: its leader */
		if (!json_int(o, "tid", &v))
			v = -1;
		ok &= ASSERT_EQ(v, a->pid, "tid of the process (its leader)");
	}
	if (a->comm[0])
		ok &= ASSERT_STREQ(json_str(o, "comm"), decoded_comm(a->comm, comm, sizeof(comm)),
				   "comm");
	ok &= ASSERT_TRUE(json_u64(o, "pidns", &ns), "pidns is an integer");
	ok &= ASSERT_EQ(ns, a->pidns, "pidns == inode of /proc/PID/ns/pid");
	if (!json_int(o, "pidns_level", &v))
		v = -1;
	ok &= ASSERT_EQ(v, a->pidns_level, "pidns_level");
	if (!json_int(o, "ns_pid", &v))
		v = -1;
	ok &= ASSERT_EQ(v, a->ns_pid, "ns_pid == last NSpid of /proc/PID/status");
	ok &= ASSERT_TRUE(json_u64(o, "cgroup_id", &cg), "cgroup_id is an integer");
	if (a->cgroup_id)
		ok &= ASSERT_EQ(cg, a->cgroup_id, "cgroup_id == inode of its cgroup v2 directory");
	if (!ok)
		diag("in: %s", o->line);
	return ok;
}

static bool matches(const struct json_obj *o, const struct sc_truth *t, const struct sc_event *e)
{
	const struct sc_actor *s = &t->actors[e->subject];
	long long v;
	bool b;

	if (strcmp(json_event(o), sc_ev_name(e->type)))
		return false;
	if (!json_int(o, "pid", &v) || v != s->pid)
		return false;
	switch (e->type) {
	case SC_REPARENT:
		/* the one out of the process, whichever of its threads had the orphan last */
		if (e->any_thread)
			return json_int(o, "old_parent.pid", &v) && v == t->actors[e->parent].pid &&
			       json_str(o, "reaper_kind") &&
			       strcmp(json_str(o, "reaper_kind"), "thread");
		/* one reparent per old parent thread */
		return json_int(o, "old_parent.pid", &v) && v == t->actors[e->parent].pid &&
		       json_int(o, "old_parent.tid", &v) && v == t->actors[e->parent].tid;
	case SC_SUBREAPER:
		return json_bool(o, "enabled", &b) && b == e->flag;
	case SC_INIT_SIGNAL_DROPPED:
		/* one per signal and sender */
		return json_int(o, "signal", &v) && v == e->signal &&
		       json_int(o, "sender.pid", &v) && v == t->actors[e->parent].pid;
	case SC_REAPER_HANDOFF:
		return json_int(o, "tid", &v) && v == s->tid;
	}
	return true;
}

/*
 * The actor that is the thread at @key if it is one of @proc's process;
 * one that the truth does not list (threads_unlisted), as @proc with that
 * tid, in @unlisted; else @proc, which the check then fails on.
 */
static const struct sc_actor *thread_of(const struct json_obj *o, const char *key,
					const struct sc_truth *t, int proc,
					struct sc_actor *unlisted)
{
	long long tid;
	int i;

	if (!json_int(o, key, &tid))
		return &t->actors[proc];
	for (i = 0; i < t->nr_actors; i++)
		if (t->actors[i].tid == tid && t->actors[i].pid == t->actors[proc].pid)
			return &t->actors[i];
	if (!t->threads_unlisted)
		return &t->actors[proc];
	*unlisted = t->actors[proc];
	unlisted->tid = tid;
	return unlisted;
}

static bool check_fields(const struct json_obj *o, const struct sc_truth *t,
			 const struct sc_event *e, const struct jsonl_doc *d,
			 const struct tracer *tr)
{
	const struct sc_actor *A = t->actors;
	unsigned long long zns = 0, ts = 0;
	struct sc_actor unlisted;
	long long v = -2;
	bool ok = true, b;
	int i;

	ok &= check_header(o, &A[e->subject]);
	switch (e->type) {
	case SC_REPARENT:
		if (e->any_thread)
			ok &= check_task(o, "old_parent",
					 thread_of(o, "old_parent.tid", t, e->parent, &unlisted));
		else
			ok &= check_task(o, "old_parent", &A[e->parent]);
		ok &= check_task(o, "new_parent", &A[e->new_parent]);
		ok &= ASSERT_STREQ(json_str(o, "reaper_kind"), e->kind, "reaper_kind");
		ok &= ASSERT_TRUE(json_bool(o, "was_zombie", &b), "was_zombie is a bool");
		ok &= ASSERT_EQ(b, e->flag, "was_zombie");
		if (!json_int(o, "pdeath_signal", &v))
			v = -2;
		ok &= ASSERT_EQ(v, e->signal, "pdeath_signal");
		break;
	case SC_ZOMBIE:
		ok &= check_task(o, "parent", &A[e->parent]);
		if (e->exit_code < 0)
			ok &= ASSERT_TRUE(json_is_null(o, "exit_code"),
					  "exit_code is null when killed by a signal");
		else if (ASSERT_TRUE(json_int(o, "exit_code", &v), "exit_code is an integer"))
			ok &= ASSERT_EQ(v, e->exit_code, "exit_code");
		else
			ok = false;
		if (!json_int(o, "signal", &v))
			v = -2;
		ok &= ASSERT_EQ(v, e->signal, "signal");
		ok &= ASSERT_TRUE(json_bool(o, "core_dumped", &b) && !b, "core_dumped is false");
		break;
	case SC_REAP:
		if (e->parent == SC_NONE)
			ok &= ASSERT_TRUE(json_is_null(o, "reaper"), "reaper is null");
		else
			ok &= check_task(o, "reaper", &A[e->parent]);
		if (e->alt_kind[0] && json_str(o, "how") &&
		    !strcmp(json_str(o, "how"), e->alt_kind))
			;
		else
			ok &= ASSERT_STREQ(json_str(o, "how"), e->kind, "how");
		ok &= ASSERT_TRUE(json_u64(o, "zombie_ns", &zns), "zombie_ns is an integer");
		if (!e->optional)
			ok &= ASSERT_GT(zns, 0, "zombie_ns > 0");
		json_u64(o, "ts_ns", &ts);
		if (tr)
			ok &= ASSERT_LE(zns, ts - tr->t_start,
					"zombie_ns no longer than the trace before the reap");
		/* the reap comes after its zombie event */
		for (i = 0; i < d->nr; i++) {
			const struct json_obj *z = &d->objs[i];
			unsigned long long zts = 0;
			long long pid;

			if (strcmp(json_event(z), "zombie") || !json_int(z, "pid", &pid) ||
			    pid != A[e->subject].pid)
				continue;
			json_u64(z, "ts_ns", &zts);
			ok &= ASSERT_GE(ts, zts, "reap ts_ns >= zombie ts_ns");
		}
		break;
	case SC_SUBREAPER:
		ok &= ASSERT_TRUE(json_bool(o, "enabled", &b), "enabled is a bool");
		break;
	case SC_INIT_SIGNAL_DROPPED:
		ok &= check_task(o, "sender", &A[e->parent]);
		if (!json_int(o, "signal", &v))
			v = -2;
		ok &= ASSERT_EQ(v, e->signal, "signal");
		if (!json_int(o, "si_code", &v))
			v = -2;
		ok &= ASSERT_EQ(v, e->code, "si_code");
		break;
	case SC_NS_TEARDOWN:
		if (!json_int(o, "killed", &v))
			v = -2;
		ok &= ASSERT_EQ(v, e->count, "killed: the processes the teardown killed");
		break;
	case SC_REAPER_HANDOFF:
		ok &= check_task(o, "old_reaper", &A[e->subject]);
		ok &= check_task(o, "new_reaper", &A[e->new_parent]);
		break;
	}
	return ok;
}

bool check_events(const struct jsonl_doc *d, const struct sc_truth *t, const struct check_opts *o,
		  const struct tracer *tr)
{
	bool *used = calloc(d->nr ? d->nr : 1, sizeof(bool));
	/*
	 * Where the kernel skipped runs of the programs (a preempted program
	 * on 7.x), counted them and the tracer said so on stderr, as many
	 * expected events may be missing. Never more, and never a wrong one.
	 */
	long long skipped_left = tr ? tr->runs_skipped_said : 0;
	bool ok = true;
	int i, j;

	if (!used)
		return false;
	for (j = 0; j < t->nr_events; j++) {
		const struct sc_event *e = &t->events[j];
		const struct sc_actor *s = &t->actors[e->subject];
		int found = 0, first = -1;
		bool want = true;
		char what[256];

		if ((e->threads_only && !o->threads) || e->phase > o->max_phase)
			want = false;
		if (o->only_event && strcmp(o->only_event, sc_ev_name(e->type)))
			want = false;
		if (o->wanted && !o->wanted(t, e, o->arg))
			want = false;
		for (i = 0; i < d->nr; i++) {
			if (used[i] || !matches(&d->objs[i], t, e))
				continue;
			used[i] = true;
			if (first < 0)
				first = i;
			found++;
		}
		snprintf(what, sizeof(what), "%s %s event of %s (pid %d)%s",
			 want ? "number of" : "absent:", sc_ev_name(e->type), s->role, s->pid,
			 e->type == SC_REPARENT ? (want ? " from its old parent" : "") : "");
		if (!want) {
			if (!ASSERT_EQ(found, 0, what)) {
				diag("  %s", d->objs[first].line);
				ok = false;
			}
			continue;
		}
		if (!found && !e->optional && skipped_left > 0) {
			/* The kernel skipped runs, and the tracer said so: this may be one. */
			skipped_left--;
			diag("missing, and the kernel skipped a run (runs_skipped): %s", what);
			continue;
		}
		if (e->optional) {
			ok &= ASSERT_LE(found, 1, what);
		} else if (!ASSERT_EQ(found, 1, what)) {
			ok = false;
			if (found > 1) {
				for (i = 0; i < d->nr; i++)
					if (matches(&d->objs[i], t, e))
						diag("  %s", d->objs[i].line);
			}
			if (!found)
				continue;
		}
		if (first >= 0 && !check_fields(&d->objs[first], t, e, d, tr)) {
			diag("  in %s", d->objs[first].line);
			ok = false;
		}
	}
	/* Nothing else about the scenario's processes. */
	for (i = 0; i < d->nr; i++) {
		long long pid;

		if (used[i] || !is_event_record(&d->objs[i]) ||
		    !json_int(&d->objs[i], "pid", &pid) || sc_actor_by_pid(t, pid) < 0)
			continue;
		ASSERT_TRUE(false, "no event the scenario did not cause");
		diag("  unexpected: %s", d->objs[i].line);
		ok = false;
	}
	free(used);
	if (!ok) {
		diag_truth(t);
		dump_scenario_records(d, t);
	}
	return ok;
}

void diag_truth(const struct sc_truth *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	sc_print_truth(t, f);
	fclose(f);
	diag("%s", buf);
	free(buf);
}

bool scenario_started(struct sc_run *run, const char *scenario)
{
	if (!sc_start(run, scenario))
		return true;
	if (run->truth && run->truth->skip[0]) {
		test_skip("%s", run->truth->skip);
		return false;
	}
	ASSERT_TRUE(false, "scenario starts");
	diag("%s", run->truth ? run->truth->error : "no such scenario");
	return false;
}

void scenario_abandon(struct sc_run *run)
{
	if (run->started && !run->finished) {
		sc_continue(run);
		sc_finish(run);
	}
}

bool run_traced(const char *scenario, const char *const *opts, struct sc_run *run,
		struct tracer *tr)
{
	if (!scenario_started(run, scenario))
		return false;
	if (!tracer_start(tr, opts)) {
		sc_finish(run);
		return false;
	}
	if (!ASSERT_EQ(sc_go(run), 0, "scenario go") || !ASSERT_EQ(sc_wait_hold(run), 0, "hold") ||
	    !ASSERT_EQ(sc_continue(run), 0, "continue") ||
	    !ASSERT_EQ(sc_finish(run), 0, "scenario ran as designed")) {
		diag("%s", run->truth->error);
		tracer_free(tr);
		return false;
	}
	return tracer_stop(tr, NULL, NULL);
}
