// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --metrics against the real thing: a private Prometheus (prometheus.h)
 * scrapes the tracer every second while real containers (docker.h) make
 * zombies, reap them, drop a SIGTERM and are torn down; what Prometheus
 * stored, asked through its query API in PromQL, must be what /proc and
 * docker said and what the tracer's own stream reported, record for
 * record. promtool checks the page. And clients that misbehave (a
 * thousand connections, slowloris, a huge head, a body) must neither stop
 * events nor grow the tracer's memory without bound.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"
#include "harness.h"
#include "http.h"
#include "prometheus.h"
#include "tracer.h"

#define IMAGE	   "rt-busybox"
#define CMD_MS	   60000
#define ORPHANS_SH "(sleep 2 &); (sleep 2 &); (sleep 2 &); "
#define NR_ORPHANS 3
#define PIDS_LIMIT 50
#define NS	   1000000000ULL

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The tracer's page now, checked by promtool (where installed). */
static char *checked_page(unsigned int port)
{
	char *page = NULL, path[] = "/tmp/rt-metrics-page-XXXXXX", cmd[256];
	int status = http_get(port, "/metrics", &page, 5000), fd;

	if (!ASSERT_EQ(status, 200, "GET /metrics") || !page)
		return page;
	if (access(PROMTOOL_BIN, X_OK))
		return page;
	fd = mkstemp(path);
	if (fd >= 0 && write(fd, page, strlen(page)) == (ssize_t)strlen(page)) {
		snprintf(cmd, sizeof(cmd), "%s check metrics < %s 2>&1", PROMTOOL_BIN, path);
		ASSERT_EQ(system(cmd), 0, "promtool check metrics: the page is clean");
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return page;
}

/* A container: its id, name and PID 1, from docker. */
struct box {
	char id[128];
	char name[128];
	pid_t init;
};

static bool run_box(struct docker *d, const char *const *args, struct box *b)
{
	char out[256];
	int rc = docker_cmd(d, b->id, sizeof(b->id), CMD_MS, args);

	if (!ASSERT_EQ(rc, 0, "docker run -d") || !ASSERT_EQ(strlen(b->id), 64, "a 64-hex id")) {
		diag("docker run: %s", b->id);
		return false;
	}
	rc = docker_cmd(d, out, sizeof(out), CMD_MS,
			(const char *const[]){ "inspect", "--format", "{{.State.Pid}} {{.Name}}",
					       b->id, NULL });
	if (!ASSERT_EQ(rc, 0, "docker inspect") ||
	    !ASSERT_EQ(sscanf(out, "%d /%127s", &b->init, b->name), 2, out))
		return false;
	return true;
}

/* PID 1's children in state @state, from /proc, until there are @n or @ms pass. */
static int wait_kids(pid_t init, char state, int n, int ms)
{
	struct proc_entry *procs = NULL;
	int i, nr, count;

	for (;;) {
		nr = proc_all(&procs);
		for (i = count = 0; i < nr; i++)
			count += procs[i].ppid == init && procs[i].state == state;
		free(procs);
		procs = NULL;
		if (count == n || ms <= 0)
			return count;
		msleep(50);
		ms -= 50;
	}
}

/* Until instant query @q gives @want (within 1e-9), or @ms pass: what it gave last. */
static double wait_value(const struct prometheus *p, const char *q, double want, int ms)
{
	double v = NAN;

	for (; ms > 0; ms -= 250) {
		if (!prometheus_query(p, q, 0, &v) && fabs(v - want) < 1e-9)
			return v;
		msleep(250);
	}
	return v;
}

static double query_at(const struct prometheus *p, const char *q, double at)
{
	double v = NAN;
	int err = prometheus_query(p, q, at, &v);

	if (err)
		diag("%s at %.3f: %s", q, at, err == -ENOENT ? "no sample" : strerror(-err));
	return v;
}

/* What the tracer's own stream reported, counted as the metrics count it. */
struct stream_counts {
	long long reparents[5]; /* by reaper_kind: unknown thread subreaper ns_init init */
	long long zombies, reaps_wait4, reaps_waitid, reaps_auto;
	long long sigterm_dropped, teardowns, killed, handoffs;
	long long min_zombie_ns, max_zombie_ns;
};

static void count_stream(const struct jsonl_doc *d, struct stream_counts *c)
{
	static const char *const kinds[] = { "unknown", "thread", "subreaper", "ns_init", "init" };
	long long v;
	int i, k;

	memset(c, 0, sizeof(*c));
	c->min_zombie_ns = -1;
	for (i = 0; i < d->nr; i++) {
		const struct json_obj *o = &d->objs[i];
		const char *ev = json_event(o), *s;

		if (!strcmp(ev, "reparent")) {
			s = json_str(o, "reaper_kind");
			for (k = 0; k < 5; k++)
				if (s && !strcmp(s, kinds[k]))
					c->reparents[k]++;
		} else if (!strcmp(ev, "zombie")) {
			c->zombies++;
		} else if (!strcmp(ev, "reap")) {
			s = json_str(o, "how");
			c->reaps_wait4 += s && !strcmp(s, "wait4");
			c->reaps_waitid += s && !strcmp(s, "waitid");
			c->reaps_auto += s && !strcmp(s, "auto");
			if (json_int(o, "zombie_ns", &v)) {
				if (c->min_zombie_ns < 0 || v < c->min_zombie_ns)
					c->min_zombie_ns = v;
				if (v > c->max_zombie_ns)
					c->max_zombie_ns = v;
			}
		} else if (!strcmp(ev, "init_signal_dropped")) {
			c->sigterm_dropped += json_int(o, "signal", &v) && v == SIGTERM;
		} else if (!strcmp(ev, "ns_teardown")) {
			c->teardowns++;
			if (json_int(o, "killed", &v))
				c->killed += v;
		} else if (!strcmp(ev, "reaper_handoff")) {
			c->handoffs++;
		}
	}
}

/* The histogram's bucket bounds that hold @ns: (*lo, *hi]. */
static void bucket_of(long long ns, double *lo, double *hi)
{
	static const double bounds[] = { 0.001, 0.01, 0.1, 0.5, 1,    5,   10,
					 30,	60,   300, 600, 1800, 3600 };
	double s = ns / 1e9;
	size_t i;

	*lo = 0;
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (s <= bounds[i]) {
			*hi = bounds[i];
			return;
		}
		*lo = bounds[i];
	}
	*hi = INFINITY;
}

/* Counter @series at @at: its value and its increase() over the run, both @want. */
static void counter_is(const struct prometheus *p, const char *series, double at, long long want,
		       const char *what)
{
	char q[512];

	ASSERT_EQ(query_at(p, series, at), want, what);
	snprintf(q, sizeof(q), "increase(%s[1h])", series);
	ASSERT_EQ(query_at(p, q, at), want, what);
}

/* histogram_quantile(@q) of the lifetimes at @at: in the bucket that holds @ns. */
static void quantile_in_bucket(const struct prometheus *p, double q, long long ns, double at)
{
	char promql[256];
	double lo, hi, v;

	bucket_of(ns, &lo, &hi);
	snprintf(promql, sizeof(promql),
		 "histogram_quantile(%g, increase(reapertrace_zombie_lifetime_seconds_bucket[1h]))",
		 q);
	v = query_at(p, promql, at);
	diag("zombie of %.6f s: quantile %g is %.6f, in (%g, %g]?", ns / 1e9, q, v, lo, hi);
	ASSERT_TRUE(v >= lo && v <= hi, "the quantile falls in that zombie's bucket");
}

/*
 * Box A: an application as PID 1 that never reaps, with pids.max 50, and
 * three orphans: zombies of PID 1 on the gauges, by container and name,
 * and against its pids.max. Box B: the same under docker-init, which reaps
 * them. Then docker stop -t 2 of A: the SIGTERM dropped, the teardown.
 * Prometheus's stored values against /proc, docker and the stream.
 */
TEST(metrics_prometheus_stores_the_truth)
{
	char cg[PATH_MAX], q[512];
	const char *opts[] = { "--json", "-c", cg, "--metrics", "127.0.0.1:0", NULL };
	struct prometheus prom = {};
	struct stream_counts sc;
	struct tracer tr = {};
	struct docker d = {};
	struct box a = {}, b = {};
	double t_end, lo, v;
	char *page = NULL, out[256];
	unsigned int port;

	if (!docker_start(&d))
		goto out;
	setenv("DOCKER_HOST", d.host, 1);
	if (!docker_import_busybox(&d, IMAGE))
		goto out;
	/* Only the containers' processes: the cgroup Docker makes them in, made first. */
	snprintf(cg, sizeof(cg), "%s/docker", d.cgroup);
	if (!ASSERT_TRUE(!mkdir(cg, 0755) || errno == EEXIST, "the containers' cgroup parent") ||
	    !tracer_start(&tr, opts))
		goto out;
	port = tracer_metrics_port(&tr);
	if (!ASSERT_GT(port, 0, "the tracer says its port") || !prometheus_start(&prom, port))
		goto out;
	if (!ASSERT_GT(prometheus_scraped_after(&prom, 0, 20000), 0, "a first scrape"))
		goto out;

	if (!run_box(&d,
		     (const char *const[]){ "run", "-d", "--pids-limit", "50", "--network", "none",
					    "--security-opt", "apparmor=unconfined", IMAGE, "sh",
					    "-c", ORPHANS_SH "exec sleep 300", NULL },
		     &a))
		goto out;
	if (!run_box(&d,
		     (const char *const[]){ "run", "-d", "--init", "--network", "none",
					    "--security-opt", "apparmor=unconfined", IMAGE, "sh",
					    "-c", ORPHANS_SH "sleep 3", NULL },
		     &b))
		goto out;
	ASSERT_EQ(wait_kids(a.init, 'Z', NR_ORPHANS, 8000), NR_ORPHANS,
		  "A's PID 1 holds three zombies (/proc)");
	docker_cmd(&d, out, sizeof(out), CMD_MS, (const char *const[]){ "wait", b.id, NULL });

	/* The gauges while A holds them: by id, with Docker's name, against pids.max. */
	snprintf(q, sizeof(q), "reapertrace_zombies{group=\"container\",container_id=\"%s\"}",
		 a.id);
	ASSERT_EQ(wait_value(&prom, q, NR_ORPHANS, 15000), NR_ORPHANS,
		  "Prometheus: A's container holds 3 zombies");
	snprintf(q, sizeof(q), "reapertrace_zombies{container_id=\"%s\",container_name=\"%s\"}",
		 a.id, a.name);
	ASSERT_EQ(wait_value(&prom, q, NR_ORPHANS, 15000), NR_ORPHANS,
		  "Prometheus: labelled with the name docker inspect gives");
	snprintf(q, sizeof(q), "reapertrace_pids_max{container_id=\"%s\"}", a.id);
	ASSERT_EQ(wait_value(&prom, q, PIDS_LIMIT, 10000), PIDS_LIMIT, "A's pids.max");
	snprintf(q, sizeof(q), "reapertrace_pids_zombies{container_id=\"%s\"}", a.id);
	ASSERT_EQ(wait_value(&prom, q, NR_ORPHANS, 10000), NR_ORPHANS,
		  "A's zombies against its pids.max");
	snprintf(q, sizeof(q), "reapertrace_oldest_zombie_age_seconds{container_id=\"%s\"}", a.id);
	msleep(1500);
	ASSERT_TRUE(!prometheus_query(&prom, q, 0, &v) && v > 1 && v < 120,
		    "the oldest zombie's age: over a second, under the test's length");
	snprintf(q, sizeof(q), "reapertrace_zombies{container_id=\"%s\"}", b.id);
	ASSERT_ERR(prometheus_query(&prom, q, 0, &v), -ENOENT, "B (docker-init) holds none");
	free(page);
	page = checked_page(port);

	/* docker stop -t 2: PID 1 drops SIGTERM, is killed, its namespace torn down. */
	ASSERT_EQ(docker_cmd(&d, out, sizeof(out), CMD_MS,
			     (const char *const[]){ "stop", "-t", "2", a.id, NULL }),
		  0, "docker stop -t 2");
	snprintf(q, sizeof(q), "reapertrace_zombies{container_id=\"%s\"}", a.id);
	for (v = 0; v < 40 && !prometheus_query(&prom, q, 0, &lo); v++)
		msleep(250);
	ASSERT_ERR(prometheus_query(&prom, q, 0, &lo), -ENOENT, "A's zombies are gone");
	/* No event since (the containers are gone): a scrape a page later has them all. */
	t_end = prometheus_scraped_after(&prom, now_s() + 1.2, 15000);
	if (!ASSERT_GT(t_end, 0, "a scrape after the last event"))
		goto out;

	/* (docker_stop() asserts that nothing of it is left; Prometheus still runs) */
	if (!docker_stop(&d))
		goto out;
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	count_stream(&tr.doc, &sc);
	ASSERT_EQ(sc.sigterm_dropped, 1, "the stream: one SIGTERM dropped (docker stop)");
	ASSERT_GE(sc.zombies, 2 * NR_ORPHANS, "the stream: the orphans' zombies of both");
	ASSERT_GE(sc.teardowns, 2, "the stream: both namespaces torn down");

	/* What Prometheus stored at the end is what the stream said. */
	counter_is(&prom, "reapertrace_zombies_total", t_end, sc.zombies, "zombies");
	counter_is(&prom, "reapertrace_reaps_total{how=\"wait4\"}", t_end, sc.reaps_wait4,
		   "wait4 reaps");
	counter_is(&prom, "reapertrace_reaps_total{how=\"waitid\"}", t_end, sc.reaps_waitid,
		   "waitid reaps");
	counter_is(&prom, "reapertrace_reaps_total{how=\"auto\"}", t_end, sc.reaps_auto,
		   "auto reaps");
	counter_is(&prom, "reapertrace_reparents_total{kind=\"ns_init\"}", t_end, sc.reparents[3],
		   "adopted by a namespace init");
	counter_is(&prom, "reapertrace_reparents_total{kind=\"subreaper\"}", t_end, sc.reparents[2],
		   "adopted by a subreaper");
	counter_is(&prom, "reapertrace_reparents_total{kind=\"unknown\"}", t_end, sc.reparents[0],
		   "adoptions not seen");
	counter_is(&prom, "reapertrace_init_signals_dropped_total{signal=\"SIGTERM\"}", t_end, 1,
		   "one SIGTERM dropped");
	counter_is(&prom, "reapertrace_namespace_teardowns_total", t_end, sc.teardowns,
		   "teardowns");
	counter_is(&prom, "reapertrace_namespace_teardown_killed_total", t_end, sc.killed,
		   "processes killed by teardowns");
	counter_is(&prom, "reapertrace_reaper_handoffs_total", t_end, sc.handoffs, "handoffs");
	ASSERT_EQ(query_at(&prom, "sum(reapertrace_events_lost_total)", t_end), 0, "nothing lost");
	counter_is(&prom, "reapertrace_zombie_lifetime_seconds_count", t_end,
		   sc.reaps_wait4 + sc.reaps_waitid + sc.reaps_auto, "lifetimes observed");
	/* The extreme quantiles fall in the buckets of the longest and the shortest lifetime. */
	quantile_in_bucket(&prom, 0.999, sc.max_zombie_ns, t_end);
	quantile_in_bucket(&prom, 0.001, sc.min_zombie_ns, t_end);
	ASSERT_GT(sc.max_zombie_ns, 2 * NS, "A's zombies lived until its teardown");
out:
	free(page);
	prometheus_stop(&prom);
	docker_stop(&d);
	tracer_free(&tr);
}

/* The tracer's resident memory now, in KiB (/proc/PID/status VmRSS); -1 if unreadable. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* A connection that has not finished connecting yet, or -errno. */
static int connect_nonblocking(unsigned int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Writes what it can of @len bytes (non-blocking): how many went. */
static size_t send_some(int fd, const char *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	return n > 0 ? n : 0;
}

#define HOSTILE_CONNECTIONS 1000
#define HUGE_HEAD	    (1 << 20)
#define RSS_GROWTH_KIB	    (16 * 1024)

/*
 * While a scenario runs: a thousand connections that never finish a
 * request, slowloris heads a byte at a time, a 1 MiB head, a GET with a
 * 1 MiB body. Every event of the scenario must still be reported, nothing
 * lost, the tracer's memory must not grow past RSS_GROWTH_KIB, and once the
 * clients go a scrape must be answered again.
 */
TEST(metrics_hostile_clients_stop_no_event)
{
	static const char *const opts[] = { "--json", "--metrics", "127.0.0.1:0", NULL };
	struct check_opts co = { .max_phase = 1 };
	struct rlimit nofile = { HOSTILE_CONNECTIONS + 256, HOSTILE_CONNECTIONS + 256 };
	static int fds[HOSTILE_CONNECTIONS];
	static char huge[HUGE_HEAD];
	struct sc_run run = {};
	struct tracer tr = {};
	long rss0, rss, peak = 0;
	unsigned int port;
	size_t sent_huge = 0;
	int i, nr = 0, round, status = 0;
	char *body = NULL;

	for (i = 0; i < HOSTILE_CONNECTIONS; i++)
		fds[i] = -1;
	if (!ASSERT_OK(setrlimit(RLIMIT_NOFILE, &nofile), "room for a thousand connections"))
		return;
	if (!scenario_started(&run, "orphan_subreaper"))
		goto out;
	if (!tracer_start(&tr, opts))
		goto out;
	port = tracer_metrics_port(&tr);
	if (!ASSERT_GT(port, 0, "the tracer says its port"))
		goto out;
	rss0 = rss_kib(tr.pid);

	/* A 1 MiB head, a GET with a 1 MiB body, then as many connections as will open. */
	memset(huge, 'a', sizeof(huge));
	memcpy(huge, "GET /metrics HTTP/1.1\r\nX-Huge: ", 31);
	fds[nr++] = connect_nonblocking(port);
	fds[nr++] = connect_nonblocking(port);
	while (nr < HOSTILE_CONNECTIONS) {
		fds[nr] = connect_nonblocking(port);
		if (fds[nr] < 0)
			break;
		nr++;
	}
	diag("%d connections opened (rss %ld KiB)", nr, rss0);
	msleep(200);
	/* While the scenario runs: the big ones push, the rest trickle a head byte by byte. */
	if (!ASSERT_EQ(sc_go(&run), 0, "go"))
		goto out;
	for (round = 0; round < 20; round++) {
		if (fds[0] >= 0 && sent_huge < sizeof(huge))
			sent_huge += send_some(fds[0], huge + sent_huge, sizeof(huge) - sent_huge);
		if (round == 0 && fds[1] >= 0) {
			static const char head[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n"
						   "Content-Length: 1048576\r\n\r\n";

			send_some(fds[1], head, sizeof(head) - 1);
		}
		if (fds[1] >= 0)
			send_some(fds[1], huge, sizeof(huge));
		for (i = 2; i < nr; i++)
			if (fds[i] >= 0)
				send_some(fds[i], &"GET /metrics HTTP/1.1\r\nX: "[round % 27], 1);
		rss = rss_kib(tr.pid);
		if (rss > peak)
			peak = rss;
		msleep(100);
	}
	if (!ASSERT_EQ(sc_wait_hold(&run), 0, "hold") ||
	    !ASSERT_EQ(sc_continue(&run), 0, "go on") ||
	    !ASSERT_EQ(sc_finish(&run), 0, "the scenario ran as designed")) {
		diag("%s", run.truth->error);
		goto out;
	}
	diag("sent %zu bytes of the huge head; rss %ld KiB at the start, %ld at the peak",
	     sent_huge, rss0, peak);
	ASSERT_LT(peak - rss0, RSS_GROWTH_KIB, "the tracer's memory stays bounded");
	for (i = 0; i < nr; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	/* The clients gone, a scrape is answered at once. */
	for (i = 0; i < 50 && (status = http_get(port, "/metrics", &body, 1000)) != 200; i++) {
		free(body);
		body = NULL;
		msleep(100);
	}
	ASSERT_EQ(status, 200, "after them, GET /metrics is answered");
	ASSERT_TRUE(body && strstr(body, "reapertrace_reparents_total{kind=\"subreaper\"}"),
		    "with the page");
	if (!tracer_stop(&tr, NULL, NULL))
		goto out;
	check_events(&tr.doc, run.truth, &co, &tr);
out:
	free(body);
	for (i = 0; i < HOSTILE_CONNECTIONS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	tracer_free(&tr);
	sc_release(&run);
}
