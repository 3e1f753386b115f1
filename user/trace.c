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

#include "adoptions.h"
#include "cli.h"
#include "filter.h"
#include "leaks.h"
#include "loader.h"
#include "origins.h"
#include "preflight.h"
#include "report.h"
#include "trace.h"
#include "reapertrace.skel.h"

#define POLL_MS 100
/* After a stop: how long to wait for the adoption of orphans already seen. */
#define ADOPTION_GRACE_MS 100
/* Orphans whose origin is remembered at once, and zombies --zombie-age follows. */
#define MAX_ORIGINS	    (1 << 20)
#define MAX_TRACKED_ZOMBIES (1 << 20)
#define LEAK_CHECK_NS	    1000000000ULL

struct tracer {
	const struct rt_options *opt;
	const struct rt_printer *print;
	FILE *out;
	struct rt_loader loader;
	struct adoptions *adoptions;
	struct origins *origins;
	struct leaks *leaks; /* NULL without --zombie-age */
	__u64 next_leak_check;
	__u64 leaks_untracked; /* zombies --zombie-age had no room for */
	struct rt_totals totals;
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

/* Asked for, and not turned off because the kernel refused its programs. */
static bool wants(const struct tracer *t, enum rt_event_type type)
{
	return t->loader.events & (1U << type);
}

static bool origin_of(const struct rt_event_hdr *h, struct rt_origin *out, void *ctx)
{
	struct tracer *t = ctx;

	return origins__find(t->origins, h, out);
}

static void report_reparent(const struct rt_reparent_report *r, void *ctx)
{
	struct rt_reparent_report shown = *r;
	struct rt_origin origin;
	struct tracer *t = ctx;

	if (r->resolved && origins__reparent(t->origins, r))
		t->totals.origins_dropped++;
	if (t->leaks)
		leaks__reparent(t->leaks, r);
	if (!wants(t, RT_EV_REPARENT) || !rt_show_reparent(t->opt, r))
		return;
	shown.origin = origin_of(r->orphan, &origin, t) ? &origin : NULL;
	t->print->reparent(t->out, &shown);
	t->totals.events++;
}

static void report_zombie(struct tracer *t, const struct rt_zombie_event *e)
{
	struct rt_origin origin;

	if (t->leaks && leaks__zombie(t->leaks, e))
		t->leaks_untracked++;
	/* Not made now: only followed to its reap (and by --zombie-age). */
	if (e->flags & RT_ZOMBIE_EXISTING) {
		t->totals.zombies_at_start++;
		if (!t->print->existing_zombies)
			return;
	}
	if (!wants(t, RT_EV_ZOMBIE) || !rt_show_zombie(t->opt, e))
		return;
	t->print->zombie(t->out, e, origin_of(&e->hdr, &origin, t) ? &origin : NULL);
	t->totals.events++;
}

static void report_reap(struct tracer *t, const struct rt_reap_event *e)
{
	struct rt_origin origin;

	if (t->leaks)
		leaks__reap(t->leaks, e);
	if (wants(t, RT_EV_REAP) && rt_show_reap(t->opt, e)) {
		t->print->reap(t->out, e, origin_of(&e->hdr, &origin, t) ? &origin : NULL);
		t->totals.events++;
	}
	/* Gone: its pid may name another process next. */
	origins__forget(t->origins, &e->hdr);
}

static void report_leak(const struct rt_leak_report *r, void *ctx)
{
	struct tracer *t = ctx;

	if (!rt_show_leak(t->opt, r))
		return;
	t->print->leak(t->out, r);
	t->totals.leaks++;
	t->totals.events++;
}

/* At most once a second, and once more at the end: reapers holding old zombies. */
static void check_leaks(struct tracer *t, bool now)
{
	__u64 ts = clock_ns(CLOCK_BOOTTIME);

	if (!t->leaks || (!now && ts < t->next_leak_check))
		return;
	t->next_leak_check = ts + LEAK_CHECK_NS;
	leaks__check(t->leaks, ts, origin_of, report_leak, t);
}

/* The size of each record type: a record shorter than its type's is not decoded. */
static const size_t event_size[RT_EV_MAX] = {
	[RT_EV_REPARENT] = sizeof(struct rt_reparent_event),
	[RT_EV_ADOPTED] = sizeof(struct rt_adopted_event),
	[RT_EV_ZOMBIE] = sizeof(struct rt_zombie_event),
	[RT_EV_REAP] = sizeof(struct rt_reap_event),
	[RT_EV_SUBREAPER] = sizeof(struct rt_subreaper_event),
	[RT_EV_INIT_SIGNAL_DROPPED] = sizeof(struct rt_init_signal_event),
	[RT_EV_NS_TEARDOWN] = sizeof(struct rt_ns_teardown_event),
	[RT_EV_REAPER_HANDOFF] = sizeof(struct rt_reaper_handoff_event),
};

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct rt_event_hdr *h = data;
	struct tracer *t = ctx;

	if (size < sizeof(*h) || h->type >= RT_EV_MAX || !event_size[h->type] ||
	    size < event_size[h->type])
		return 0;
	switch (h->type) {
	case RT_EV_REPARENT:
		if (adoptions__add(t->adoptions, data, report_reparent, t)) {
			t->err = -ENOMEM;
			return t->err;
		}
		break;
	case RT_EV_ADOPTED:
		adoptions__resolve(t->adoptions, data, report_reparent, t);
		break;
	case RT_EV_ZOMBIE:
		report_zombie(t, data);
		break;
	case RT_EV_REAP:
		report_reap(t, data);
		break;
	case RT_EV_SUBREAPER:
		if (rt_show_subreaper(t->opt, data)) {
			t->print->subreaper(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_INIT_SIGNAL_DROPPED:
		if (wants(t, RT_EV_INIT_SIGNAL_DROPPED) && rt_show_init_signal(t->opt, data)) {
			t->print->init_signal_dropped(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_NS_TEARDOWN:
		if (wants(t, RT_EV_NS_TEARDOWN) && rt_show_ns_teardown(t->opt, data)) {
			t->print->ns_teardown(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_REAPER_HANDOFF:
		if (wants(t, RT_EV_REAPER_HANDOFF) && rt_show_reaper_handoff(t->opt, data)) {
			t->print->reaper_handoff(t->out, data);
			t->totals.events++;
		}
		break;
	}
	return 0;
}

/* Report what the BPF side could not deliver since the last call. */
static void account_losses(struct tracer *t)
{
	const volatile __u64 *stats = t->loader.skel->bss->rt_stats;
	__u64 lost = 0, more, skipped;
	const char *prog;
	int i;

	for (i = RT_EV_REPARENT; i < RT_EV_MAX; i++)
		lost += stats[i];
	if (stats[RT_STAT_ORPHANS_TRUNCATED] > t->totals.orphans_truncated) {
		t->totals.orphans_truncated = stats[RT_STAT_ORPHANS_TRUNCATED];
		fprintf(stderr,
			"reapertrace: an exiting thread had more than %u children: the rest got "
			"no reparent event (orphans_truncated %llu)\n",
			rt_features_max_orphans(&t->loader.features),
			(unsigned long long)t->totals.orphans_truncated);
	}
	if (stats[RT_STAT_ZOMBIE_TABLE_FULL] > t->totals.zombies_untracked) {
		t->totals.zombies_untracked = stats[RT_STAT_ZOMBIE_TABLE_FULL];
		fprintf(stderr,
			"reapertrace: zombie table full: reaps of %llu zombies will not be "
			"reported (zombies_untracked)\n",
			(unsigned long long)t->totals.zombies_untracked);
	}
	skipped = rt_loader_runs_skipped(&t->loader, &prog);
	if (skipped > t->totals.runs_skipped) {
		fprintf(stderr,
			"reapertrace: the kernel skipped %llu runs of the programs (most of %s: it "
			"was still running on that CPU, preempted or interrupted): their events are "
			"missing (runs_skipped %llu)\n",
			(unsigned long long)(skipped - t->totals.runs_skipped), prog,
			(unsigned long long)skipped);
		t->totals.runs_skipped = skipped;
	}
	t->totals.runs_rescued = stats[RT_STAT_EXIT_STANDBY_RUNS];
	t->totals.unresolved_adoptions = stats[RT_STAT_ADOPTED_UNRESOLVED];
	if (lost <= t->totals.lost)
		return;
	more = lost - t->totals.lost;
	t->totals.lost = lost;
	fprintf(stderr,
		"reapertrace: lost %llu events (ring buffer full, total %llu); raise --buffer-mb\n",
		(unsigned long long)more, (unsigned long long)lost);
	t->print->lost(t->out, clock_ns(CLOCK_BOOTTIME), more, lost);
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
		if (rt_event_name(type) && wants(t, type)) {
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
		origins__expire(t->origins, clock_ns(CLOCK_BOOTTIME));
		check_leaks(t, false);
		if (t->print->tick) {
			err = t->print->tick(t->out, &t->totals);
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
	if (err >= 0 && adoptions__held(t->adoptions)) {
		usleep(ADOPTION_GRACE_MS * 1000);
		rt_loader_settle(&t->loader);
		err = ring_buffer__consume(rb);
	}
	if (err < 0)
		return t->err ?: err;
	adoptions__flush(t->adoptions, report_reparent, t);
	check_leaks(t, true);
	account_losses(t);
	/* The zombies --zombie-age had no room for: their leaks go unseen. */
	t->totals.zombies_untracked += t->leaks_untracked;
	t->print->summary(t->out, &t->totals);
	return flush_output(t->out);
}

int run_trace(const struct rt_options *opt)
{
	return run_trace_with(opt, opt->json ? &rt_json_printer : &rt_text_printer);
}

int run_trace_with(const struct rt_options *opt, const struct rt_printer *print)
{
	struct tracer t = {
		.opt = opt,
		.print = print,
		.out = stdout,
	};
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct ring_buffer *rb = NULL;
	int err;

	libbpf_set_print(opt->verbose ? libbpf_print : NULL);
	err = rt_preflight();
	if (err)
		return err;
	t.adoptions = adoptions__new();
	t.origins = origins__new(MAX_ORIGINS);
	if (opt->zombie_age_ns)
		t.leaks = leaks__new(opt->zombie_age_ns, MAX_TRACKED_ZOMBIES);
	if (!t.adoptions || !t.origins || (opt->zombie_age_ns && !t.leaks)) {
		err = -ENOMEM;
		fprintf(stderr, "reapertrace: out of memory\n");
		goto cleanup;
	}
	err = load_and_attach(&t);
	if (err)
		goto cleanup;
	rb = ring_buffer__new(bpf_map__fd(t.loader.skel->maps.rb), handle_event, &t, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to create ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (isatty(fileno(t.out)))
		setvbuf(t.out, NULL, _IOLBF, 0);
	else
		setvbuf(t.out, NULL, _IOFBF, 1 << 16);
	rt_text_set_clock_offset(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));

	announce(&t);
	if (t.print->features) {
		struct rt_features_report r;

		rt_loader_report(&t.loader, &r);
		t.print->features(t.out, &r);
	}
	t.print->header(t.out);
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
	fprintf(stderr, "reapertrace: %llu events, %llu lost\n",
		(unsigned long long)t.totals.events, (unsigned long long)t.totals.lost);

cleanup:
	ring_buffer__free(rb);
	rt_loader_free(&t.loader);
	adoptions__free(t.adoptions);
	origins__free(t.origins);
	leaks__free(t.leaks);
	if (!err && opt->fail_on_leak && t.totals.leaks)
		return RT_EXIT_LEAK;
	return err;
}
