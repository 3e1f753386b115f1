// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rt-bench-format: the consumer without the kernel. Feeds synthetic ring
 * buffer records through the same code the tracer runs (the reparent /
 * adoption join of user/adoptions.c, then user/print_text.c or
 * user/print_json.c) into /dev/null, buffered as the tracer buffers a pipe
 * or file, and reports the speed, the user CPU time and the peak RSS.
 *
 *   rt-bench-format [-j] [-n EVENTS] [-b BATCH] [-o FILE]
 *
 * Records come as the tracer gets them: each exit of a parent with BATCH
 * children (default 1) gives BATCH reparent records, one adoption, and then
 * a zombie and a reap record for each child. -j prints JSON, else text.
 * -o writes the events to FILE instead of /dev/null (to compare outputs).
 * Output: one line of key=value figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "adoptions.h"
#include "origins.h"
#include "report.h"

struct sink {
	const struct rt_printer *print;
	FILE *out;
	struct origins *origins;
	unsigned long long events;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* As user/trace.c does: remember the origin, print with it. */
static void on_reparent(const struct rt_reparent_report *r, void *ctx)
{
	struct rt_reparent_report shown = *r;
	struct rt_origin origin;
	struct sink *s = ctx;

	origins__reparent(s->origins, r);
	shown.origin = origins__find(s->origins, r->orphan, &origin) ? &origin : NULL;
	s->print->reparent(s->out, &shown);
	s->events++;
}

static void zombie_and_reap(struct sink *s, const struct rt_zombie_event *z,
			    const struct rt_reap_event *rr)
{
	struct rt_origin origin;

	s->print->zombie(s->out, z, origins__find(s->origins, &z->hdr, &origin) ? &origin : NULL);
	s->print->reap(s->out, rr, origins__find(s->origins, &rr->hdr, &origin) ? &origin : NULL);
	origins__forget(s->origins, &rr->hdr);
	s->events += 2;
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
static int one_exit(struct sink *s, struct adoptions *a, __u64 *ts, __u32 *pid, long batch)
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
		if (adoptions__add(a, &rp, on_reparent, s))
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
		adoptions__resolve(a, &ad, on_reparent, s);
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
		zombie_and_reap(s, &z, &rr);
	}
	return 0;
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
	struct sink s = { .print = &rt_text_printer };
	long target = 1000000, batch = 0;
	const char *path = "/dev/null";
	__u64 ts = 1000000000000ULL;
	__u32 pid = 100000;
	struct rusage ru;
	struct adoptions *a;
	double t0, dt, user, sys;
	int opt, err = 0;

	while ((opt = getopt(argc, argv, "jn:b:o:")) != -1) {
		switch (opt) {
		case 'j':
			s.print = &rt_json_printer;
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
		default:
			fprintf(stderr,
				"usage: rt-bench-format [-j] [-n EVENTS] [-b BATCH] [-o FILE]\n");
			return 2;
		}
	}
	if (target <= 0 || batch < 0) {
		fprintf(stderr, "rt-bench-format: EVENTS must be positive, BATCH not negative\n");
		return 2;
	}
	s.out = fopen(path, "we");
	a = adoptions__new();
	s.origins = origins__new(1 << 20); /* as the tracer */
	if (!s.out || !a || !s.origins) {
		perror("rt-bench-format");
		return 1;
	}
	/* As the tracer does for output that is not a terminal. */
	setvbuf(s.out, NULL, _IOFBF, 1 << 16);
	rt_text_set_clock_offset(0);
	s.print->header(s.out);
	t0 = now();
	while (s.events < (unsigned long long)target && !err)
		err = one_exit(&s, a, &ts, &pid, batch);
	fflush(s.out);
	dt = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("format=%s batch=%ld events=%llu seconds=%.3f events_per_s=%.0f "
	       "events_per_cpu_s=%.0f user_s_per_100k=%.4f sys_s=%.3f vmhwm_kib=%ld\n",
	       s.print == &rt_json_printer ? "json" : "text", batch, s.events, dt, s.events / dt,
	       s.events / (user + sys), user * 100000 / s.events, sys, hwm_kib());
	origins__free(s.origins);
	adoptions__free(a);
	fclose(s.out);
	return err ? 1 : 0;
}
