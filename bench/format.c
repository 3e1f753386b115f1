// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-format: the consumer without the kernel. Feeds synthetic ring
 * buffer records through the tracer's own pipeline (user/trace/pipeline.c: the
 * joins, the accounting, the filter, then the text or JSON sink) into
 * /dev/null, buffered as the tracer buffers a pipe
 * or file, and reports the speed, the user CPU time and the peak RSS.
 *
 *   rt-bench-format [-j] [-n EVENTS] [-b BATCH] [-o FILE] [-m EVERY [-z ZOMBIES]]
 *
 * Records come as the tracer gets them: each exit of a parent with BATCH
 * children (default 1) gives BATCH reparent records, one adoption, and then
 * a zombie and a reap record for each child. -j prints JSON, else text.
 * -o writes the events to FILE instead of /dev/null (to compare outputs).
 * -m: with --metrics, the page written (to /dev/null) every EVERY events,
 * as the tracer writes it once a second; -z: ZOMBIES held first, never
 * reaped, by 100 reapers, for the page's gauges to group.
 * Output: one line of key=value figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "trace/pipeline.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill_hdr(struct rt_event_hdr *h, __u32 type, __u64 ts, __u32 pid, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = ts;
	h->cgroup_id = 7821;
	h->type = type;
	h->pidns = 4026531836U;
	/* as real starts: rising with the pid, by uneven steps */
	h->start_ns = 5000000000ULL + pid * 150000ULL + (pid * 2654435761U) % 100000;
	h->task.pid = pid;
	h->task.tid = pid;
	strncpy(h->task.comm, comm, sizeof(h->task.comm) - 1);
}

static void fill_task(struct rt_task *t, __u32 pid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = pid;
	strncpy(t->comm, comm, sizeof(t->comm) - 1);
}

/* One parent's exit with @batch children: the records in the tracer's order. */
static int one_exit(struct rt_pipeline *p, __u64 *ts, __u32 *pid, long batch)
{
	static const char *const comms[] = { "kworker-like", "bash", "sshd", "rt-storm-kid",
					     "containerd-shim" };
	__u32 parent = (*pid)++, reaper = 1000, first = *pid;
	struct rt_reparent_event rp;
	struct rt_adopted_event ad;
	struct rt_zombie_event z;
	struct rt_reap_event rr;
	__u64 exit_ts = (*ts)++;
	long i;

	if (!batch)
		first = parent;
	for (i = 0; i < batch; i++) {
		memset(&rp, 0, sizeof(rp));
		fill_hdr(&rp.hdr, RT_EV_REPARENT, exit_ts, (*pid)++, comms[i % 5]);
		fill_task(&rp.old_parent, parent, "rt-parent");
		if (rt_pipeline_event(p, &rp, sizeof(rp)))
			return -1;
	}
	if (batch) {
		memset(&ad, 0, sizeof(ad));
		fill_hdr(&ad.hdr, RT_EV_ADOPTED, (*ts)++, parent, "rt-parent");
		fill_task(&ad.new_parent, reaper, "rt-harness");
		ad.exit_ts_ns = exit_ts;
		ad.exit_tid = parent;
		ad.kind = RT_KIND_SUBREAPER;
		ad.nr_orphans = batch;
		rt_pipeline_event(p, &ad, sizeof(ad));
	}
	for (i = 0; i < (batch ? batch : 1); i++) {
		memset(&z, 0, sizeof(z));
		fill_hdr(&z.hdr, RT_EV_ZOMBIE, (*ts)++, first + i, comms[i % 5]);
		fill_task(&z.parent, reaper, "rt-harness");
		z.exit_code = i & 3;
		memset(&rr, 0, sizeof(rr));
		fill_hdr(&rr.hdr, RT_EV_REAP, (*ts)++, first + i, comms[i % 5]);
		fill_task(&rr.reaper, reaper, "rt-harness");
		rr.zombie_ns = 123456 + i;
		rr.how = RT_REAP_WAIT4;
		rt_pipeline_event(p, &z, sizeof(z));
		rt_pipeline_event(p, &rr, sizeof(rr));
	}
	return 0;
}

/* -z: @n zombies that stay, held by 100 reapers (100 groups on the page). */
static void hold_zombies(struct rt_pipeline *p, __u64 *ts, __u32 *pid, long n)
{
	struct rt_zombie_event z;
	long i;

	for (i = 0; i < n; i++) {
		memset(&z, 0, sizeof(z));
		fill_hdr(&z.hdr, RT_EV_ZOMBIE, (*ts)++, (*pid)++, "rt-held");
		fill_task(&z.parent, 2000 + i % 100, "rt-holder");
		rt_pipeline_event(p, &z, sizeof(z));
	}
}

/* -m: the page, as trace.c writes it. */
static int write_page(struct rt_pipeline *p, __u64 now, FILE *null)
{
	int err = rt_pipeline_write_metrics(p, now, null);

	fflush(null);
	return err;
}

static long hwm_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	struct rt_options topt = { .events = RT_EVENTS_ALL, .buffer_mb = 16 };
	const struct rt_sink *sink = &rt_text_sink;
	long target = 1000000, batch = 0, every = 0, held = 0, pages = 0;
	__u64 next_page = 0;
	FILE *null = NULL;
	const char *path = "/dev/null";
	__u64 ts = 1000000000000ULL, events;
	struct rt_pipeline *p;
	__u32 pid = 100000;
	struct rusage ru;
	double t0, dt, user, sys;
	int opt, err = 0;
	FILE *out;

	while ((opt = getopt(argc, argv, "jn:b:o:m:z:")) != -1) {
		switch (opt) {
		case 'j':
			sink = &rt_json_sink;
			break;
		case 'n':
			target = atol(optarg);
			break;
		case 'b':
			batch = atol(optarg);
			break;
		case 'o':
			path = optarg;
			break;
		case 'm':
			every = atol(optarg);
			topt.metrics = "0";
			break;
		case 'z':
			held = atol(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: rt-bench-format [-j] [-n EVENTS] [-b BATCH] [-o FILE] "
				"[-m EVERY [-z ZOMBIES]]\n");
			return 2;
		}
	}
	if (target <= 0 || batch < 0 || (topt.metrics && every <= 0) || held < 0 ||
	    (held && !topt.metrics)) {
		fprintf(stderr, "rt-bench-format: EVENTS and EVERY must be positive, BATCH and "
				"ZOMBIES not negative, -z needs -m\n");
		return 2;
	}
	if (topt.metrics && !(null = fopen("/dev/null", "we"))) {
		perror("rt-bench-format: /dev/null");
		return 1;
	}
	out = fopen(path, "we");
	p = out ? rt_pipeline_new(&topt, RT_EVENTS_ALL, sink, out) : NULL;
	if (!p) {
		perror("rt-bench-format");
		return 1;
	}
	/* As the tracer does for output that is not a terminal. */
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	rt_text_set_clock_offset(0);
	sink->header(out);
	if (held)
		hold_zombies(p, &ts, &pid, held);
	t0 = now();
	next_page = rt_pipeline_totals(p)->events + every;
	while (rt_pipeline_totals(p)->events < (__u64)target + held && !err) {
		err = one_exit(p, &ts, &pid, batch);
		if (null && rt_pipeline_totals(p)->events >= next_page) {
			err = err ?: write_page(p, ts, null);
			next_page += every;
			pages++;
		}
	}
	fflush(out);
	dt = now() - t0;
	events = rt_pipeline_totals(p)->events;
	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("format=%s batch=%ld events=%llu seconds=%.3f events_per_s=%.0f "
	       "events_per_cpu_s=%.0f user_s_per_100k=%.4f sys_s=%.3f vmhwm_kib=%ld pages=%ld "
	       "held=%ld\n",
	       sink == &rt_json_sink ? "json" : "text", batch, (unsigned long long)events, dt,
	       events / dt, events / (user + sys), user * 100000 / events, sys, hwm_kib(), pages,
	       held);
	rt_pipeline_free(p);
	if (null)
		fclose(null);
	fclose(out);
	return err ? 1 : 0;
}
