// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `reapertrace [trace]`: load the BPF programs, stream their events to stdout
 * until stopped, account for every lost event.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/cli.h"
#include "lib/names.h"
#include "loader/loader.h"
#include "loader/preflight.h"
#include "metrics/server.h"
#include "trace/recording.h"
#include "trace/pipeline.h"
#include "trace/trace.h"
#include "reapertrace.skel.h"

#define POLL_MS 100
/* After a stop: how long to wait for the adoption of orphans already seen. */
#define ADOPTION_GRACE_MS 100
/* --metrics: how often the page is written anew. */
#define METRICS_EVERY_NS 1000000000ULL

struct tracer {
	const struct rt_options *opt;
	const struct rt_sink *sink;
	FILE *out;
	struct rt_loader loader;
	struct rt_pipeline *pipeline;
	struct rt_recording rec;	/* REAPERTRACE_RECORD */
	struct metrics_server *metrics; /* --metrics */
	__u64 next_metrics_ns;
	int err; /* first error inside the ring buffer callback */
};

static volatile sig_atomic_t stop_signal;
static void (*abort_hook)(void);

void rt_trace_on_abort(void (*fn)(void))
{
	abort_hook = fn;
}

static void on_stop_signal(int sig)
{
	/* A second Ctrl-C does not wait for the drain. */
	if (stop_signal) {
		if (abort_hook)
			abort_hook();
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop_signal = sig;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

static __u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	int err = rt_pipeline_event(t->pipeline, data, size);

	if (err)
		t->err = err;
	return err;
}

/* The BPF side's counters now. */
static void read_counts(const struct tracer *t, struct rt_counts *c)
{
	const volatile __u64 *stats = t->loader.skel->bss->rt_stats;
	const char *prog;
	int i;

	memset(c, 0, sizeof(*c));
	c->ts_ns = clock_ns(CLOCK_BOOTTIME);
	for (i = RT_EV_REPARENT; i < RT_EV_MAX; i++) {
		c->lost_by_type[i] = stats[i];
		c->lost += stats[i];
	}
	c->orphans_truncated = stats[RT_STAT_ORPHANS_TRUNCATED];
	c->zombies_untracked = stats[RT_STAT_ZOMBIE_TABLE_FULL];
	c->runs_skipped = rt_loader_runs_skipped(&t->loader, &prog);
	c->runs_rescued = stats[RT_STAT_EXIT_STANDBY_RUNS];
	c->unresolved_adoptions = stats[RT_STAT_ADOPTED_UNRESOLVED];
	c->max_orphans = rt_features_max_orphans(&t->loader.features);
	snprintf(c->skipped_prog, sizeof(c->skipped_prog), "%s", prog ?: "");
}

/* Report what the BPF side could not deliver since the last call. */
static void account_losses(struct tracer *t)
{
	struct rt_counts c;

	read_counts(t, &c);
	rt_pipeline_counts(t->pipeline, &c);
}

/* The moments the pipeline looks at the clock. */
static void look(struct tracer *t, bool final)
{
	__u64 now = clock_ns(CLOCK_BOOTTIME);

	if (!final)
		rt_pipeline_expire(t->pipeline, now);
	rt_pipeline_check_leaks(t->pipeline, now, final);
}

/*
 * --metrics: at most once a METRICS_EVERY_NS, the page written anew and
 * handed to the server's thread, which serves it until the next one.
 */
static int publish_metrics(struct tracer *t)
{
	__u64 now = clock_ns(CLOCK_BOOTTIME);
	char *page = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (!t->metrics || now < t->next_metrics_ns)
		return 0;
	f = open_memstream(&page, &len);
	if (!f)
		return -errno;
	err = rt_pipeline_write_metrics(t->pipeline, now, f);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(page);
		return err;
	}
	/* Not taken (the server was copying the last one out): again at the next poll. */
	if (metrics_server_publish(t->metrics, page, len))
		t->next_metrics_ns = now + METRICS_EVERY_NS;
	return 0;
}

static int load_and_attach(struct tracer *t)
{
	int err = rt_loader_load(&t->loader, t->opt);

	if (err)
		return err;
	t->loader.skel->bss->armed = 1;
	rt_loader_seed(&t->loader);
	return 0;
}

static void announce(const struct tracer *t)
{
	const char *sep = "";
	int type;

	fprintf(stderr, "reapertrace: tracing ");
	for (type = 0; type < RT_EV_MAX; type++) {
		if (rt_event_name(type) && (t->loader.events & (1U << type))) {
			fprintf(stderr, "%s%s", sep, rt_event_name(type));
			sep = ", ";
		}
	}
	fprintf(stderr, " events (Ctrl-C to stop)\n");
}

/*
 * Push out what was formatted. -EPIPE: the reader went away (`reapertrace |
 * head`), a quiet end; any other error (a full disk) is a failure.
 */
static int flush_output(FILE *out)
{
	return fflush(out) == EOF ? -errno : 0;
}

static int stream(struct tracer *t, struct ring_buffer *rb)
{
	struct pollfd fds[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = fileno(t->out), .events = 0 }, /* POLLERR once the reader is gone */
	};
	__u64 deadline = 0;
	int err;

	if (t->opt->duration)
		deadline = clock_ns(CLOCK_MONOTONIC) + t->opt->duration * 1000000000ULL;
	while (!stop_signal) {
		if (poll(fds, 2, POLL_MS) < 0 && errno != EINTR)
			return -errno;
		if (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL))
			return -EPIPE;
		rt_loader_settle(&t->loader);
		err = ring_buffer__consume(rb);
		if (err < 0)
			return t->err ?: err;
		account_losses(t);
		look(t, false);
		err = publish_metrics(t);
		if (err)
			return err;
		if (t->sink->tick) {
			err = t->sink->tick(t->out, rt_pipeline_totals(t->pipeline));
			if (err < 0)
				return err;
			if (err > 0)
				break;
		}
		err = flush_output(t->out);
		if (err)
			return err;
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	return 0;
}

/* After a stop: everything already in the ring buffer, and pending adoptions. */
static int drain(struct tracer *t, struct ring_buffer *rb)
{
	int err;

	rt_loader_settle(&t->loader);
	err = ring_buffer__consume(rb);
	if (err >= 0 && rt_pipeline_held(t->pipeline)) {
		usleep(ADOPTION_GRACE_MS * 1000);
		rt_loader_settle(&t->loader);
		err = ring_buffer__consume(rb);
	}
	if (err < 0)
		return t->err ?: err;
	rt_pipeline_flush(t->pipeline);
	look(t, true);
	account_losses(t);
	rt_pipeline_summary(t->pipeline);
	return flush_output(t->out);
}

int run_trace(const struct rt_options *opt)
{
	return run_trace_with(opt, opt->quiet ? &rt_quiet_sink :
				   opt->json  ? &rt_json_sink :
						&rt_text_sink);
}

/* Block stdout when it is not a terminal: one write per 64 KiB, not per line. */
static void buffer_output(FILE *out)
{
	if (isatty(fileno(out)))
		setvbuf(out, NULL, _IOLBF, 0);
	else
		setvbuf(out, NULL, _IOFBF, 1 << 16);
}

/* REAPERTRACE_REPLAY=FILE: a recording through the pipeline instead of the kernel. */
static int replay(const struct rt_options *opt, const struct rt_sink *sink, const char *path)
{
	struct rt_recording_header h;
	struct rt_pipeline *p = NULL;
	FILE *f;
	int err;

	if (sink->tick) {
		fprintf(stderr, "reapertrace: REAPERTRACE_REPLAY replays a trace, not top\n");
		return -EINVAL;
	}
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		fprintf(stderr, "reapertrace: cannot open the recording '%s': %s\n", path,
			strerror(errno));
		return err;
	}
	err = rt_recording_read_header(f, &h);
	if (err) {
		fprintf(stderr, "reapertrace: '%s' is not a recording of this version (%d)\n", path,
			RT_RECORDING_VERSION);
		goto cleanup;
	}
	p = rt_pipeline_new(opt, h.events, sink, stdout);
	if (!p) {
		err = -ENOMEM;
		fprintf(stderr, "reapertrace: out of memory\n");
		goto cleanup;
	}
	buffer_output(stdout);
	rt_text_set_clock_offset(h.clock_offset_ns);
	sink->header(stdout);
	err = rt_pipeline_replay(p, f);
	if (!err)
		err = cli_flush(stdout);
	if (!err && opt->fail_on_leak && rt_pipeline_totals(p)->leaks)
		err = RT_EXIT_LEAK;
cleanup:
	rt_pipeline_free(p);
	fclose(f);
	return err;
}

int run_trace_with(const struct rt_options *opt, const struct rt_sink *sink)
{
	struct tracer t = {
		.opt = opt,
		.sink = sink,
		.out = stdout,
	};
	struct sigaction sa = { .sa_handler = on_stop_signal };
	const char *record_path = getenv("REAPERTRACE_RECORD");
	const struct rt_totals *totals;
	struct ring_buffer *rb = NULL;
	__s64 offset_ns;
	int err;

	if (getenv("REAPERTRACE_REPLAY"))
		return replay(opt, sink, getenv("REAPERTRACE_REPLAY"));
	libbpf_set_print(opt->verbose ? libbpf_print : NULL);
	err = rt_preflight();
	if (err)
		return err;
	/* Before loading anything: a port in use stops it at once. */
	if (opt->metrics) {
		err = metrics_server_start(opt->metrics, &t.metrics);
		if (err)
			return err;
	}
	err = load_and_attach(&t);
	if (err)
		goto cleanup;
	t.pipeline = rt_pipeline_new(opt, t.loader.events, sink, t.out);
	if (!t.pipeline) {
		err = -ENOMEM;
		fprintf(stderr, "reapertrace: out of memory\n");
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(t.loader.skel->maps.rb), handle_event, &t, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to create ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	buffer_output(t.out);
	offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	rt_text_set_clock_offset(offset_ns);
	if (record_path) {
		struct rt_recording_header h = {
			.magic = RT_RECORDING_MAGIC,
			.version = RT_RECORDING_VERSION,
			.events = t.loader.events,
			.clock_offset_ns = offset_ns,
		};

		err = rt_recording_create(&t.rec, record_path, &h);
		if (err)
			goto cleanup;
		rt_pipeline_record_to(t.pipeline, &t.rec);
	}
	rt_pipeline_resolve_cgroups(t.pipeline);
	err = publish_metrics(&t);
	if (err)
		goto cleanup;

	announce(&t);
	if (t.sink->features) {
		struct rt_features_report r;

		rt_loader_report(&t.loader, &r);
		t.sink->features(t.out, &r);
	}
	t.sink->header(t.out);
	err = stream(&t, rb);
	if (!err)
		err = drain(&t, rb);
	if (err == -EPIPE) {
		err = 0; /* the reader is gone: nothing left to say */
		goto cleanup;
	}
	if (err) {
		fprintf(stderr, "reapertrace: failed to read or write events: %s\n",
			strerror(-err));
		goto cleanup;
	}
	totals = rt_pipeline_totals(t.pipeline);
	fprintf(stderr, "reapertrace: %llu events, %llu lost\n", (unsigned long long)totals->events,
		(unsigned long long)totals->lost);
	if (opt->fail_on_leak && totals->leaks)
		err = RT_EXIT_LEAK;

cleanup:
	if (rt_recording_close(&t.rec) && !err)
		err = -EIO;
	metrics_server_stop(t.metrics);
	ring_buffer__free(rb);
	rt_loader_free(&t.loader);
	rt_pipeline_free(t.pipeline);
	return err;
}
