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
#include "bpf_features.h"
#include "filter.h"
#include "leaks.h"
#include "origins.h"
#include "preflight.h"
#include "report.h"
#include "trace.h"
#include "reapertrace.skel.h"
#include "reapertrace_legacy.skel.h"

#define POLL_MS 100
/* After a stop: how long to wait for the adoption of orphans already seen. */
#define ADOPTION_GRACE_MS 100
/* Zombies tracked at once where the tables must be preallocated (< 6.1). */
#define PREALLOC_ZOMBIES 65536
/* Orphans whose origin is remembered at once, and zombies --zombie-age follows. */
#define MAX_ORIGINS	    (1 << 20)
#define MAX_TRACKED_ZOMBIES (1 << 20)
#define LEAK_CHECK_NS	    1000000000ULL
/* ... and where they allocate as needed: bpf/reapertrace.bpf.c MAX_ZOMBIES. */
#define DYNAMIC_ZOMBIES (1U << 18)

struct tracer {
	const struct rt_options *opt;
	const struct rt_printer *print;
	FILE *out;
	struct reapertrace_bpf *skel;
	/* reap_settle_exits over each map of pending exits, or NULL. */
	struct bpf_link *settle_adoptions, *settle_reapers;
	bool settle_failed; /* said once */
	struct rt_features features;
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

static bool wants(const struct tracer *t, enum rt_event_type type)
{
	return t->opt->events & (1U << type);
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

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct rt_event_hdr *h = data;
	struct tracer *t = ctx;

	if (size < sizeof(*h))
		return 0;
	switch (h->type) {
	case RT_EV_REPARENT:
		if (size >= sizeof(struct rt_reparent_event) &&
		    adoptions__add(t->adoptions, data)) {
			t->err = -ENOMEM;
			return t->err;
		}
		break;
	case RT_EV_ADOPTED:
		if (size >= sizeof(struct rt_adopted_event))
			adoptions__resolve(t->adoptions, data, report_reparent, t);
		break;
	case RT_EV_ZOMBIE:
		if (size >= sizeof(struct rt_zombie_event))
			report_zombie(t, data);
		break;
	case RT_EV_REAP:
		if (size >= sizeof(struct rt_reap_event))
			report_reap(t, data);
		break;
	case RT_EV_SUBREAPER:
		if (rt_show_subreaper(t->opt, data)) {
			t->print->subreaper(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_INIT_SIGNAL_DROPPED:
		if (size >= sizeof(struct rt_init_signal_event) &&
		    wants(t, RT_EV_INIT_SIGNAL_DROPPED) && rt_show_init_signal(t->opt, data)) {
			t->print->init_signal_dropped(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_NS_TEARDOWN:
		if (size >= sizeof(struct rt_ns_teardown_event) && wants(t, RT_EV_NS_TEARDOWN) &&
		    rt_show_ns_teardown(t->opt, data)) {
			t->print->ns_teardown(t->out, data);
			t->totals.events++;
		}
		break;
	case RT_EV_REAPER_HANDOFF:
		if (size >= sizeof(struct rt_reaper_handoff_event) &&
		    wants(t, RT_EV_REAPER_HANDOFF) && rt_show_reaper_handoff(t->opt, data)) {
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
	const volatile __u64 *stats = t->skel->bss->rt_stats;
	__u64 lost = 0, more;
	int i;

	for (i = RT_EV_REPARENT; i < RT_EV_MAX; i++)
		lost += stats[i];
	if (stats[RT_STAT_ORPHANS_TRUNCATED] > t->totals.orphans_truncated) {
		t->totals.orphans_truncated = stats[RT_STAT_ORPHANS_TRUNCATED];
		fprintf(stderr,
			"reapertrace: an exiting thread had more than %u children: the rest got "
			"no reparent event (orphans_truncated %llu)\n",
			rt_features_max_orphans(&t->features),
			(unsigned long long)t->totals.orphans_truncated);
	}
	if (stats[RT_STAT_ZOMBIE_TABLE_FULL] > t->totals.zombies_untracked) {
		t->totals.zombies_untracked = stats[RT_STAT_ZOMBIE_TABLE_FULL];
		fprintf(stderr,
			"reapertrace: zombie table full: reaps of %llu zombies will not be "
			"reported (zombies_untracked)\n",
			(unsigned long long)t->totals.zombies_untracked);
	}
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

/* Programs that serve no requested event stay unloaded. */
static void select_programs(struct tracer *t)
{
	struct reapertrace_bpf *s = t->skel;
	/*
	 * --zombie-age follows every zombie. Zombie and reap records carry
	 * origins, which the reparent programs learn, and reparents move
	 * zombies to their new holder.
	 */
	bool zombies = wants(t, RT_EV_ZOMBIE) || wants(t, RT_EV_REAP) || t->opt->zombie_age_ns;
	bool reparent = wants(t, RT_EV_REPARENT) || zombies;
	bool subreaper = wants(t, RT_EV_SUBREAPER);
	bool drops = wants(t, RT_EV_INIT_SIGNAL_DROPPED);
	/* Reaper threads' exits: recorded at exit, told apart once settled. */
	bool reapers = wants(t, RT_EV_NS_TEARDOWN) || wants(t, RT_EV_REAPER_HANDOFF);
	/* An exit is settled at its notification, its release or by an iterator. */
	bool exits = reparent || reapers;

	s->rodata->trace_zombies = zombies;
	s->rodata->trace_init_drops = drops;
	s->rodata->trace_reparents = reparent;
	s->rodata->trace_reapers = reapers;
	/* The bounded walk only where bpf_loop() is missing: it reports fewer orphans. */
	bpf_program__set_autoload(s->progs.reap_proc_exit, exits && t->features.bpf_loop);
	bpf_program__set_autoload(s->progs.reap_proc_exit_bounded, exits && !t->features.bpf_loop);
	bpf_map__set_autocreate(s->maps.walk_scratch, exits && !t->features.bpf_loop);
	bpf_program__set_autoload(s->progs.reap_settle_exits, exits);
	bpf_program__set_autoattach(s->progs.reap_settle_exits, false); /* attach_settlers() */
	/* Also counts the SIGKILLs of a namespace's teardown. */
	bpf_program__set_autoload(s->progs.reap_signal_gen, zombies || drops || exits);
	bpf_program__set_autoload(s->progs.reap_wait4_in, zombies);
	bpf_program__set_autoload(s->progs.reap_wait4_ret, zombies);
	bpf_program__set_autoload(s->progs.reap_waitid_in, zombies);
	bpf_program__set_autoload(s->progs.reap_waitid_ret, zombies);
	bpf_program__set_autoload(s->progs.reap_proc_free, zombies || exits);
	bpf_program__set_autoload(s->progs.reap_seed_zombies, zombies);
	bpf_program__set_autoattach(s->progs.reap_seed_zombies, false); /* run once, below */
	bpf_program__set_autoload(s->progs.reap_prctl_in, subreaper);
	bpf_program__set_autoload(s->progs.reap_prctl_ret, subreaper);
}

/*
 * Without BPF's memory allocator (before 6.1), a tracing program's map that
 * allocates at run time makes the kernel WARN (and PREEMPT_RT refuse it):
 * preallocate a smaller table there. The number of zombies tracked at once.
 */
static unsigned int size_zombie_tables(struct tracer *t)
{
	if (t->features.mem_alloc)
		return DYNAMIC_ZOMBIES;
	bpf_map__set_map_flags(t->skel->maps.zombies, 0);
	bpf_map__set_map_flags(t->skel->maps.zombie_tasks, 0);
	bpf_map__set_max_entries(t->skel->maps.zombies, PREALLOC_ZOMBIES);
	bpf_map__set_max_entries(t->skel->maps.zombie_tasks, PREALLOC_ZOMBIES);
	return PREALLOC_ZOMBIES;
}

/* Run the iterator of @link once: its program reports through the ring buffer. */
static int run_iter(struct bpf_link *link)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * Zombies made before the start: the iterator tracks each one, so that its
 * reap is reported, and tells user space of it (RT_ZOMBIE_EXISTING).
 */
static int seed_zombies(struct tracer *t)
{
	struct bpf_link *link;
	int err;

	link = bpf_program__attach_iter(t->skel->progs.reap_seed_zombies, NULL);
	if (!link)
		return -errno;
	err = run_iter(link);
	bpf_link__destroy(link);
	return err;
}

static struct bpf_link *attach_map_iter(struct bpf_program *prog, struct bpf_map *map)
{
	union bpf_iter_link_info info = { .map.map_fd = bpf_map__fd(map) };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));

	return bpf_program__attach_iter(prog, &opts);
}

static int attach_settlers(struct tracer *t)
{
	struct reapertrace_bpf *s = t->skel;

	if (!bpf_program__autoload(s->progs.reap_settle_exits))
		return 0;
	t->settle_adoptions =
		attach_map_iter(s->progs.reap_settle_exits, s->maps.pending_adoptions);
	if (!t->settle_adoptions)
		return -errno;
	t->settle_reapers = attach_map_iter(s->progs.reap_settle_exits, s->maps.reaper_exits);
	return t->settle_reapers ? 0 : -errno;
}

/*
 * Exits past exit_notify() that no tracepoint settled yet: a leader whose
 * other threads live on is neither notified nor released until they end.
 * The iterators settle them, while the programs' counts say there are some.
 */
static void settle_exits(struct tracer *t)
{
	int err = 0;

	if (t->settle_adoptions && t->skel->bss->pending_adoptions_inflight)
		err = run_iter(t->settle_adoptions);
	if (!err && t->settle_reapers && t->skel->bss->reaper_exits_inflight)
		err = run_iter(t->settle_reapers);
	if (err && !t->settle_failed) {
		t->settle_failed = true;
		fprintf(stderr,
			"reapertrace: cannot run the iterators that settle exits: %s; the adoptions "
			"and reaper handoffs of exits without a notification or release may be "
			"late\n",
			strerror(-err));
	}
}

/*
 * The skeleton, over the object this kernel can load: the RT_LEGACY build
 * of the same programs has the same layout (checked at build time by
 * scripts/skel-same-layout.sh), so one skeleton serves both. Its slot
 * arrays go unused there and are made one slot long.
 */
static struct reapertrace_bpf *open_programs(const struct rt_features *f)
{
	struct reapertrace_bpf *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	err = reapertrace_bpf__create_skeleton(s);
	if (!err && !f->btf_loads_atomics)
		s->skeleton->data =
			(void *)reapertrace_legacy_bpf__elf_bytes(&s->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(s->skeleton, NULL);
	if (!err && !f->btf_loads_atomics) {
		bpf_map__set_max_entries(s->maps.zombie_slots, 1);
		bpf_map__set_max_entries(s->maps.task_slots, 1);
		bpf_map__set_max_entries(s->maps.inflight_slots, 1);
	}
	if (err) {
		reapertrace_bpf__destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

static int load_and_attach(struct tracer *t)
{
	const struct rt_options *opt = t->opt;
	unsigned int max_zombies;
	int err;

	err = rt_features_probe(&t->features);
	if (err)
		return err;
	/* For tests and comparisons: the older kernels' programs on this one. */
	if (getenv("REAPERTRACE_LEGACY"))
		t->features.btf_loads_atomics = false;
	t->skel = open_programs(&t->features);
	if (!t->skel) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to open BPF object: %s\n", strerror(-err));
		return err;
	}
	select_programs(t);
	max_zombies = size_zombie_tables(t);
	/* What a kernel cannot give is said when it happens (account_losses). */
	if (opt->verbose)
		rt_features_print(stderr, &t->features, max_zombies);
	/* Wake the reader early enough that a burst never waits for the timer to drain. */
	t->skel->rodata->wakeup_bytes = (opt->buffer_mb << 20) / 8;
	err = bpf_map__set_max_entries(t->skel->maps.rb, opt->buffer_mb << 20);
	if (!err)
		err = reapertrace_bpf__load(t->skel);
	if (err) {
		fprintf(stderr,
			"reapertrace: failed to load BPF programs: %s; rerun with -v for "
			"libbpf's and the verifier's log\n",
			strerror(-err));
		return err;
	}
	if ((opt->events & RT_EVENTS_SYSCALLS) || opt->zombie_age_ns) {
		err = rt_ensure_tracefs(opt->verbose);
		if (err)
			return err;
	}
	err = reapertrace_bpf__attach(t->skel);
	if (err) {
		fprintf(stderr,
			"reapertrace: failed to attach BPF programs: %s; rerun with -v "
			"for details\n",
			strerror(-err));
		return err;
	}
	err = attach_settlers(t);
	if (err)
		fprintf(stderr,
			"reapertrace: cannot attach the iterators that settle exits: %s; the "
			"adoptions and reaper handoffs of main threads that exit before the "
			"others will be reported when their process ends\n",
			strerror(-err));
	t->skel->bss->armed = 1;
	if (bpf_program__autoload(t->skel->progs.reap_seed_zombies)) {
		err = seed_zombies(t);
		if (err)
			fprintf(stderr,
				"reapertrace: cannot look for zombies made before the start: %s; "
				"their reaps will not be reported\n",
				strerror(-err));
	}
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
		settle_exits(t);
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

	settle_exits(t);
	err = ring_buffer__consume(rb);
	if (err >= 0 && adoptions__held(t->adoptions)) {
		usleep(ADOPTION_GRACE_MS * 1000);
		settle_exits(t);
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
	rb = ring_buffer__new(bpf_map__fd(t.skel->maps.rb), handle_event, &t, NULL);
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
	bpf_link__destroy(t.settle_adoptions);
	bpf_link__destroy(t.settle_reapers);
	reapertrace_bpf__destroy(t.skel);
	adoptions__free(t.adoptions);
	origins__free(t.origins);
	leaks__free(t.leaks);
	if (!err && opt->fail_on_leak && t.totals.leaks)
		return RT_LEAK_FOUND;
	return err;
}
