// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Open, load and attach the trace programs, each hook on the first of its
 * paths that the kernel takes (loader.h). Only a failed load costs more
 * than one: each hook is then loaded alone to learn which one the kernel
 * refused, that hook moves to its next path, and the whole load is tried
 * again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader/loader.h"
#include "loader/preflight.h"
#include "reapertrace.skel.h"
#include "reapertrace_legacy.skel.h"

/* Zombies tracked at once where the tables must be preallocated (< 6.1). */
#define PREALLOC_ZOMBIES 65536
/* ... and where they allocate as needed: bpf/tables.bpf.h MAX_ZOMBIES. */
#define DYNAMIC_ZOMBIES (1U << 18)
/* The verifier's log of a refused program, for its last line. */
#define LOG_SIZE (1U << 20)

struct rt_path {
	const char *name;
	const char *progs[7]; /* NULL-terminated */
	bool tracefs;	      /* a classic tracepoint: attached through tracefs */
	bool iter_map_elem;   /* settle over each map of pending exits */
};

/*
 * The orphan walk is first on the classic tracepoint: the kernel never
 * skips its run for an exit that preempted another's walk (perf runs it
 * with preemption off). With bpf_loop(), the tp_btf and raw_tp walks have a
 * standby, attached after them, for the runs the kernel skips
 * (bpf/reapertrace.bpf.c). The bounded walk is for kernels whose
 * tracepoints are not preemptible.
 */
static const struct rt_path exit_loop_paths[] = {
	{ .name = "tracepoint", .progs = { "reap_proc_exit_tp" }, .tracefs = true },
	{ .name = "tp_btf", .progs = { "reap_proc_exit", "reap_proc_exit_standby" } },
	{ .name = "raw_tp", .progs = { "reap_proc_exit_raw", "reap_proc_exit_raw_standby" } },
};

static const struct rt_path exit_bounded_paths[] = {
	{ .name = "tracepoint", .progs = { "reap_proc_exit_bounded_tp" }, .tracefs = true },
	{ .name = "tp_btf", .progs = { "reap_proc_exit_bounded" } },
	{ .name = "raw_tp", .progs = { "reap_proc_exit_bounded_raw" } },
};

static const struct rt_path notify_paths[] = {
	{ .name = "tp_btf", .progs = { "reap_signal_gen" } },
	{ .name = "raw_tp", .progs = { "reap_signal_gen_raw" } },
};

static const struct rt_path release_paths[] = {
	{ .name = "tp_btf", .progs = { "reap_proc_free" } },
	{ .name = "raw_tp", .progs = { "reap_proc_free_raw" } },
};

/*
 * do_wait()'s start, for the waits whose sys_enter run the kernel skipped:
 * a hook of its own, so that a kernel refusing it loses that cover only.
 */
static const struct rt_path wait_begin_paths[] = {
	{ .name = "tp_btf", .progs = { "reap_wait_begin" } },
	{ .name = "raw_tp", .progs = { "reap_wait_begin_raw" } },
};

static const struct rt_path waits_paths[] = {
	{ .name = "tracepoint",
	  .progs = { "reap_wait4_in", "reap_wait4_ret", "reap_waitid_in", "reap_waitid_ret" },
	  .tracefs = true },
	{ .name = "raw_tp", .progs = { "reap_sys_enter", "reap_sys_exit" } },
};

static const struct rt_path prctl_paths[] = {
	{ .name = "tracepoint", .progs = { "reap_prctl_in", "reap_prctl_ret" }, .tracefs = true },
	{ .name = "raw_tp", .progs = { "reap_sys_enter", "reap_sys_exit" } },
};

static const struct rt_path settle_paths[] = {
	{ .name = "map_elem", .progs = { "reap_settle_exits" }, .iter_map_elem = true },
	{ .name = "task", .progs = { "reap_settle_tasks" } },
};

static const struct rt_path seed_paths[] = {
	{ .name = "task", .progs = { "reap_seed_zombies" } },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(RT_HOOK_MAX <= RT_MAX_HOOKS, "a features report holds every hook");

static const char *const hook_names[RT_HOOK_MAX] = {
	[RT_HOOK_EXIT] = "exit",
	[RT_HOOK_NOTIFY] = "notify",
	[RT_HOOK_RELEASE] = "release",
	[RT_HOOK_WAITS] = "waits",
	[RT_HOOK_WAIT_BEGIN] = "wait_begin",
	[RT_HOOK_PRCTL] = "prctl",
	[RT_HOOK_SETTLE] = "settle",
	[RT_HOOK_SEED] = "seed",
};

/* What a user loses when a hook is off, for its stderr line. */
static const char *const hook_losses[RT_HOOK_MAX] = {
	[RT_HOOK_EXIT] = "no reparent, ns_teardown or reaper_handoff events",
	[RT_HOOK_NOTIFY] = "no zombie, reap, init_signal_dropped or ns_teardown events",
	[RT_HOOK_RELEASE] = "no zombie or reap events",
	[RT_HOOK_WAITS] = "no zombie or reap events",
	[RT_HOOK_WAIT_BEGIN] = "a reap by a wait whose both programs the kernel skipped may be "
			       "reported auto",
	[RT_HOOK_PRCTL] = "no subreaper events",
	[RT_HOOK_SETTLE] = "the adoptions of main threads that exit before their other threads "
			   "are reported when the process ends",
	[RT_HOOK_SEED] = "zombies made before the start are not reported, nor their reaps",
};

static const struct rt_path *hook_paths(const struct rt_loader *l, enum rt_hook hook,
					unsigned int *nr)
{
#define PATHS(a) (*nr = ARRAY_SIZE(a), a)
	switch (hook) {
	case RT_HOOK_EXIT:
		return l->features.bpf_loop ? PATHS(exit_loop_paths) : PATHS(exit_bounded_paths);
	case RT_HOOK_NOTIFY:
		return PATHS(notify_paths);
	case RT_HOOK_RELEASE:
		return PATHS(release_paths);
	case RT_HOOK_WAITS:
		return PATHS(waits_paths);
	case RT_HOOK_WAIT_BEGIN:
		return PATHS(wait_begin_paths);
	case RT_HOOK_PRCTL:
		return PATHS(prctl_paths);
	case RT_HOOK_SETTLE:
		return PATHS(settle_paths);
	case RT_HOOK_SEED:
		return PATHS(seed_paths);
	default:
		*nr = 0;
		return NULL;
	}
#undef PATHS
}

static const struct rt_path *current_path(const struct rt_loader *l, enum rt_hook hook)
{
	unsigned int nr;
	const struct rt_path *paths = hook_paths(l, hook, &nr);

	return l->path[hook] >= 0 ? &paths[l->path[hook]] : NULL;
}

/* The exit walk's path has a standby (its second program), or none. */
static bool exit_has_standby(const struct rt_loader *l)
{
	const struct rt_path *p = current_path(l, RT_HOOK_EXIT);

	return p && p->progs[1];
}

/* "tp_btf", "raw_tp", ..., "off" or "unused": the path @hook took. */
static const char *path_name(const struct rt_loader *l, enum rt_hook hook)
{
	const struct rt_path *p = current_path(l, hook);

	if (p)
		return p->name;
	return l->path[hook] == RT_PATH_OFF ? "off" : "unused";
}

#define EV(type) (1U << (type))

/* The hooks the programs of @events need (--zombie-age follows zombies too). */
static __u32 hooks_needed(__u32 events, __u64 zombie_age_ns)
{
	/*
	 * Zombie and reap records carry origins, which the reparent programs
	 * learn, and reparents move zombies to their new holder. An exit is
	 * settled at its notification, its release or by an iterator.
	 */
	bool zombies = (events & (EV(RT_EV_ZOMBIE) | EV(RT_EV_REAP))) || zombie_age_ns;
	bool reparent = (events & EV(RT_EV_REPARENT)) || zombies;
	bool reapers = events & (EV(RT_EV_NS_TEARDOWN) | EV(RT_EV_REAPER_HANDOFF));
	bool exits = reparent || reapers;
	__u32 hooks = 0;

	if (exits)
		hooks |= EV(RT_HOOK_EXIT) | EV(RT_HOOK_SETTLE) | EV(RT_HOOK_RELEASE);
	/* Also counts the SIGKILLs of a namespace's teardown. */
	if (zombies || exits || (events & EV(RT_EV_INIT_SIGNAL_DROPPED)))
		hooks |= EV(RT_HOOK_NOTIFY);
	if (zombies)
		hooks |= EV(RT_HOOK_RELEASE) | EV(RT_HOOK_WAITS) | EV(RT_HOOK_WAIT_BEGIN) |
			 EV(RT_HOOK_SEED);
	if (events & EV(RT_EV_SUBREAPER))
		hooks |= EV(RT_HOOK_PRCTL);
	return hooks;
}

/* The event types a hook that is off takes away. */
static __u32 events_lost_with(enum rt_hook hook)
{
	switch (hook) {
	case RT_HOOK_EXIT:
		return EV(RT_EV_REPARENT) | EV(RT_EV_NS_TEARDOWN) | EV(RT_EV_REAPER_HANDOFF);
	case RT_HOOK_NOTIFY:
		return EV(RT_EV_ZOMBIE) | EV(RT_EV_REAP) | EV(RT_EV_INIT_SIGNAL_DROPPED) |
		       EV(RT_EV_NS_TEARDOWN);
	case RT_HOOK_RELEASE:
	case RT_HOOK_WAITS:
		return EV(RT_EV_ZOMBIE) | EV(RT_EV_REAP);
	case RT_HOOK_PRCTL:
		return EV(RT_EV_SUBREAPER);
	default:
		/* the iterators: late or fewer records; wait_begin: a cover for skipped runs */
		return 0;
	}
}

/* A REAPERTRACE_PATHS item that names no hook, or no path: the hooks it may name. */
static void say_bad_item(const char *item)
{
	char hooks[160];
	unsigned int h;
	size_t len = 0;

	hooks[0] = 0;
	for (h = 0; h < RT_HOOK_MAX && len < sizeof(hooks); h++)
		len += snprintf(hooks + len, sizeof(hooks) - len, "%s%s", h ? ", " : "",
				hook_names[h]);
	fprintf(stderr,
		"reapertrace: REAPERTRACE_PATHS: expected HOOK=PATH (hooks: %s) or 'fallback', "
		"got '%s'\n",
		hooks, item);
}

/*
 * REAPERTRACE_PATHS, for tests and debugging: "HOOK=PATH,..." makes each
 * named hook start at that path (or "off"), "fallback" every hook at its
 * last path. A refused path still gives way to the next.
 */
static int force_paths(struct rt_loader *l, const char *spec)
{
	char *copy, *item, *save = NULL;
	unsigned int h, i, nr;
	int err = 0;

	if (!strcmp(spec, "fallback")) {
		for (h = 0; h < RT_HOOK_MAX; h++) {
			hook_paths(l, h, &nr);
			l->path[h] = nr - 1;
		}
		return 0;
	}
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && !err; item = strtok_r(NULL, ",", &save)) {
		const struct rt_path *paths;
		char *path = strchr(item, '=');

		if (path)
			*path++ = 0;
		for (h = 0; h < RT_HOOK_MAX && strcmp(item, hook_names[h]); h++)
			;
		if (h == RT_HOOK_MAX || !path) {
			say_bad_item(item);
			err = -EINVAL;
			break;
		}
		paths = hook_paths(l, h, &nr);
		if (!strcmp(path, "off")) {
			l->path[h] = RT_PATH_OFF;
			continue;
		}
		for (i = 0; i < nr && strcmp(path, paths[i].name); i++)
			;
		if (i == nr) {
			fprintf(stderr,
				"reapertrace: REAPERTRACE_PATHS: hook %s has no path '%s'\n", item,
				path);
			err = -EINVAL;
			break;
		}
		l->path[h] = i;
	}
	free(copy);
	return err;
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

/*
 * Without BPF's memory allocator (before 6.1), a tracing program's map that
 * allocates at run time makes the kernel WARN (and PREEMPT_RT refuse it):
 * preallocate a smaller table there. The number of zombies tracked at once.
 */
static unsigned int size_zombie_tables(struct reapertrace_bpf *s, const struct rt_features *f)
{
	if (f->mem_alloc)
		return DYNAMIC_ZOMBIES;
	bpf_map__set_map_flags(s->maps.zombies, 0);
	bpf_map__set_map_flags(s->maps.zombie_tasks, 0);
	bpf_map__set_max_entries(s->maps.zombies, PREALLOC_ZOMBIES);
	bpf_map__set_max_entries(s->maps.zombie_tasks, PREALLOC_ZOMBIES);
	return PREALLOC_ZOMBIES;
}

/*
 * A new skeleton with the programs of @only (a hook, or RT_HOOK_MAX for all
 * in use) set to load, on their current paths; the settings of @opt.
 */
static struct reapertrace_bpf *prepare(struct rt_loader *l, const struct rt_options *opt,
				       unsigned int only)
{
	struct reapertrace_bpf *s = open_programs(&l->features);
	__u32 ev = l->events;
	struct bpf_program *prog;
	struct bpf_map *walk;
	unsigned int h, i;

	if (!s)
		return NULL;
	bpf_object__for_each_program(prog, s->obj) {
		bpf_program__set_autoload(prog, false);
		bpf_program__set_autoattach(prog, false);
	}
	for (h = 0; h < RT_HOOK_MAX; h++) {
		const struct rt_path *p = current_path(l, h);

		if (!p || (only != RT_HOOK_MAX && only != h))
			continue;
		for (i = 0; p->progs[i]; i++)
			bpf_program__set_autoload(
				bpf_object__find_program_by_name(s->obj, p->progs[i]), true);
	}
	walk = s->maps.walk_scratch;
	bpf_map__set_autocreate(walk, l->path[RT_HOOK_EXIT] >= 0 && !l->features.bpf_loop);
	/* The marks the walk leaves for its standby, where it has one. */
	bpf_map__set_autocreate(s->maps.exit_marks, exit_has_standby(l));

	s->rodata->trace_zombies = (ev & (EV(RT_EV_ZOMBIE) | EV(RT_EV_REAP))) || opt->zombie_age_ns;
	s->rodata->trace_init_drops = ev & EV(RT_EV_INIT_SIGNAL_DROPPED);
	s->rodata->trace_reparents = l->path[RT_HOOK_EXIT] >= 0 &&
				     (s->rodata->trace_zombies || (ev & EV(RT_EV_REPARENT)));
	s->rodata->trace_reapers = ev & (EV(RT_EV_NS_TEARDOWN) | EV(RT_EV_REAPER_HANDOFF));
	s->rodata->trace_waits = l->path[RT_HOOK_WAITS] >= 0;
	s->rodata->trace_prctl = l->path[RT_HOOK_PRCTL] >= 0;
	/* Wake the reader early enough that a burst never waits for the timer to drain. */
	s->rodata->wakeup_bytes = (opt->buffer_mb << 20) / 8;
	bpf_map__set_max_entries(s->maps.rb, opt->buffer_mb << 20);
	l->max_zombies = size_zombie_tables(s, &l->features);
	return s;
}

/*
 * The verifier's last word in @log, into @out: its last line but the
 * statistics ("processed N insns ..."); empty if it said nothing else (a
 * refusal before the verifier ran, by policy).
 */
static void last_line(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *start;

	out[0] = 0;
	while (end > log) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (end > start && strncmp(start, "processed ", 10) &&
		    strncmp(start, "verification time", 17)) {
			snprintf(out, size, "%.*s", (int)(end - start), start);
			return;
		}
		end = start;
	}
}

/*
 * Load the programs of @hook alone: 0 if the kernel takes them, else its
 * -errno, and the verifier's last word in @why.
 */
static int probe_hook(struct rt_loader *l, const struct rt_options *opt, enum rt_hook hook,
		      char *why, size_t why_size)
{
	struct reapertrace_bpf *s = prepare(l, opt, hook);
	char *log = calloc(1, LOG_SIZE);
	struct bpf_program *prog;
	int err;

	why[0] = 0;
	if (!s || !log) {
		reapertrace_bpf__destroy(s);
		free(log);
		return -ENOMEM;
	}
	/* The log is asked for only if the program is refused. */
	bpf_object__for_each_program(prog, s->obj)
		if (bpf_program__autoload(prog))
			bpf_program__set_log_buf(prog, log, LOG_SIZE);
	err = reapertrace_bpf__load(s);
	if (err && log[0])
		last_line(log, why, why_size);
	reapertrace_bpf__destroy(s);
	free(log);
	return err;
}

/* @hook's current path was refused with @err: the next one, or off. */
static void give_way(struct rt_loader *l, const struct rt_options *opt, enum rt_hook hook, int err,
		     const char *why)
{
	const struct rt_path *p = current_path(l, hook);
	unsigned int nr;

	hook_paths(l, hook, &nr);
	l->refused[hook] = err;
	if (l->path[hook] + 1 < (int)nr) {
		l->path[hook]++;
		if (opt->verbose)
			fprintf(stderr, "reapertrace: %s (%s) refused: %s%s%s%s; using %s\n",
				p->progs[0], p->name, strerror(-err), why[0] ? " (" : "", why,
				why[0] ? ")" : "", current_path(l, hook)->progs[0]);
		return;
	}
	l->path[hook] = RT_PATH_OFF;
	fprintf(stderr, "reapertrace: %s (%s) refused: %s%s%s%s; %s\n", p->progs[0], p->name,
		strerror(-err), why[0] ? " (" : "", why, why[0] ? ")" : "", hook_losses[hook]);
}

/*
 * Which hooks the events still asked for need; a hook that is off takes
 * its event types away (said once, by give_way() or here if forced off).
 */
static void settle_needs(struct rt_loader *l, const struct rt_options *opt)
{
	__u32 needed;
	unsigned int h;

	for (;;) {
		__u32 lost = 0;

		needed = hooks_needed(l->events, opt->zombie_age_ns);
		for (h = 0; h < RT_HOOK_MAX; h++)
			if ((needed & EV(h)) && l->path[h] == RT_PATH_OFF)
				lost |= events_lost_with(h);
		if (!(l->events & lost))
			break;
		l->events &= ~lost;
	}
	/* One that is off stays so, to be said: it may be why its events went. */
	for (h = 0; h < RT_HOOK_MAX; h++)
		if (!(needed & EV(h)) && l->path[h] != RT_PATH_OFF)
			l->path[h] = RT_PATH_UNUSED;
}

/* Attach @prog, unless it is already (the raw syscall programs serve two hooks). */
static int attach_prog(struct rt_loader *l, struct bpf_program *prog)
{
	struct bpf_link *link;
	unsigned int i;

	for (i = 0; i < l->nr_links; i++)
		if (l->attached[i] == prog)
			return 0;
	if (l->nr_links == RT_MAX_LINKS)
		return -E2BIG;
	link = bpf_program__attach(prog);
	if (!link)
		return -errno;
	l->attached[l->nr_links] = prog;
	l->links[l->nr_links++] = link;
	return 0;
}

static struct bpf_link *attach_map_iter(struct bpf_program *prog, struct bpf_map *map)
{
	union bpf_iter_link_info info = { .map.map_fd = bpf_map__fd(map) };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));

	return bpf_program__attach_iter(prog, &opts);
}

static void detach_all(struct rt_loader *l)
{
	unsigned int i;

	for (i = 0; i < l->nr_links; i++)
		bpf_link__destroy(l->links[i]);
	l->nr_links = 0;
	for (i = 0; i < ARRAY_SIZE(l->settle); i++) {
		bpf_link__destroy(l->settle[i]);
		l->settle[i] = NULL;
	}
}

/* Attach @hook's programs; the seed iterator is attached when it runs. */
static int attach_hook(struct rt_loader *l, enum rt_hook hook)
{
	const struct rt_path *p = current_path(l, hook);
	struct reapertrace_bpf *s = l->skel;
	unsigned int i;
	int err = 0;

	if (hook == RT_HOOK_SEED)
		return 0;
	if (hook == RT_HOOK_SETTLE) {
		struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, p->progs[0]);

		if (p->iter_map_elem) {
			l->settle[0] = attach_map_iter(prog, s->maps.pending_adoptions);
			if (l->settle[0])
				l->settle[1] = attach_map_iter(prog, s->maps.reaper_exits);
			err = l->settle[0] && l->settle[1] ? 0 : -errno;
		} else {
			l->settle[0] = bpf_program__attach_iter(prog, NULL);
			err = l->settle[0] ? 0 : -errno;
		}
		return err;
	}
	for (i = 0; p->progs[i] && !err; i++)
		err = attach_prog(l, bpf_object__find_program_by_name(s->obj, p->progs[i]));
	return err;
}

/* One try: load every program on its current path and attach it. */
static int try_load(struct rt_loader *l, const struct rt_options *opt, unsigned int *failed)
{
	unsigned int h;
	int err;

	*failed = RT_HOOK_MAX;
	l->skel = prepare(l, opt, RT_HOOK_MAX);
	if (!l->skel) {
		err = -errno;
		fprintf(stderr, "reapertrace: failed to open BPF object: %s\n", strerror(-err));
		return err;
	}
	err = reapertrace_bpf__load(l->skel);
	if (err)
		return err;
	for (h = 0; h < RT_HOOK_MAX; h++) {
		if (l->path[h] < 0)
			continue;
		err = attach_hook(l, h);
		if (err) {
			*failed = h;
			return err;
		}
	}
	return 0;
}

static void unload(struct rt_loader *l)
{
	detach_all(l);
	reapertrace_bpf__destroy(l->skel);
	l->skel = NULL;
}

/* Classic tracepoints attach through tracefs: without it, their hooks give way. */
static void need_tracefs(struct rt_loader *l, const struct rt_options *opt)
{
	unsigned int h;
	int err;

	for (h = 0; h < RT_HOOK_MAX; h++)
		if (current_path(l, h) && current_path(l, h)->tracefs)
			break;
	if (h == RT_HOOK_MAX)
		return;
	err = rt_ensure_tracefs(opt->verbose);
	for (h = 0; err && h < RT_HOOK_MAX; h++)
		if (current_path(l, h) && current_path(l, h)->tracefs)
			give_way(l, opt, h, err, "no tracefs");
}

int rt_loader_load(struct rt_loader *l, const struct rt_options *opt)
{
	const char *forced = getenv("REAPERTRACE_PATHS");
	unsigned int h, failed, tries;
	char why[256];
	int err;

	memset(l, 0, sizeof(*l));
	l->events = opt->events;
	err = rt_features_probe(&l->features);
	if (err)
		return err;
	/* For tests and comparisons: the older kernels' programs on this one. */
	if (getenv("REAPERTRACE_LEGACY"))
		l->features.btf_loads_atomics = false;
	if (forced && forced[0]) {
		err = force_paths(l, forced);
		if (err)
			return err;
	}
	for (h = 0; h < RT_HOOK_MAX; h++)
		if (l->path[h] == RT_PATH_OFF &&
		    (hooks_needed(l->events, opt->zombie_age_ns) & EV(h)))
			fprintf(stderr, "reapertrace: %s off (REAPERTRACE_PATHS): %s\n",
				hook_names[h], hook_losses[h]);
	settle_needs(l, opt);
	need_tracefs(l, opt);
	settle_needs(l, opt);

	/* Each try that fails moves at least one hook one path on. */
	for (tries = 0;; tries++) {
		bool found = false;

		err = try_load(l, opt, &failed);
		if (!err)
			break;
		unload(l);
		if (failed < RT_HOOK_MAX) {
			give_way(l, opt, failed, err, "at attach");
			found = true;
		}
		for (h = 0; !found && h < RT_HOOK_MAX; h++) {
			int refused;

			if (l->path[h] < 0)
				continue;
			refused = probe_hook(l, opt, h, why, sizeof(why));
			if (refused == -ENOMEM)
				return refused;
			if (refused) {
				give_way(l, opt, h, refused, why);
				found = true;
			}
		}
		if (!found || tries > 3 * RT_HOOK_MAX) {
			char fix[256] = "rerun with -v for libbpf's and the verifier's log";

			if (err == -EPERM)
				rt_memlock_fix(fix, sizeof(fix));
			fprintf(stderr, "reapertrace: failed to load BPF programs: %s; %s\n",
				strerror(-err), fix);
			return err;
		}
		settle_needs(l, opt);
	}
	if (opt->verbose)
		rt_loader_print(stderr, l);
	return 0;
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

int rt_loader_seed(struct rt_loader *l)
{
	struct bpf_link *link;
	int err;

	if (l->path[RT_HOOK_SEED] < 0)
		return 0;
	link = bpf_program__attach_iter(l->skel->progs.reap_seed_zombies, NULL);
	err = link ? run_iter(link) : -errno;
	bpf_link__destroy(link);
	if (err)
		fprintf(stderr,
			"reapertrace: cannot look for zombies made before the start: %s; "
			"their reaps will not be reported\n",
			strerror(-err));
	return err;
}

void rt_loader_settle(struct rt_loader *l)
{
	const struct rt_path *p = current_path(l, RT_HOOK_SETTLE);
	__u32 adoptions = l->skel->bss->pending_adoptions_inflight;
	__u32 reapers = l->skel->bss->reaper_exits_inflight;
	int err = 0;

	if (!p || !l->settle[0])
		return;
	if (p->iter_map_elem) {
		if (adoptions)
			err = run_iter(l->settle[0]);
		if (!err && reapers)
			err = run_iter(l->settle[1]);
	} else if (adoptions || reapers) {
		err = run_iter(l->settle[0]);
	}
	if (err && !l->settle_failed) {
		l->settle_failed = true;
		fprintf(stderr,
			"reapertrace: cannot run the iterators that settle exits: %s; the adoptions "
			"and reaper handoffs of exits without a notification or release may be "
			"late\n",
			strerror(-err));
	}
}

__u64 rt_loader_runs_skipped(const struct rt_loader *l, const char **prog)
{
	const char *walk = exit_has_standby(l) ? current_path(l, RT_HOOK_EXIT)->progs[0] : NULL;
	const struct rt_path *begin = current_path(l, RT_HOOK_WAIT_BEGIN);
	__u64 total = 0, most = 0;
	unsigned int i;

	*prog = NULL;
	for (i = 0; i < l->nr_links; i++) {
		const char *name = bpf_program__name(l->attached[i]);
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		__u64 missed;

		/* Its runs stand in for skipped sys_enter runs, counted themselves. */
		if (begin && !strcmp(name, begin->progs[0]))
			continue;
		if (bpf_obj_get_info_by_fd(bpf_program__fd(l->attached[i]), &info, &len))
			continue;
		missed = info.recursion_misses;
		/* The exits its standby walked were not missed. */
		if (walk && !strcmp(name, walk)) {
			__u64 walked = l->skel->bss->rt_stats[RT_STAT_EXIT_STANDBY_RUNS];

			missed = missed > walked ? missed - walked : 0;
		}
		total += missed;
		if (missed > most) {
			most = missed;
			*prog = name;
		}
	}
	return total;
}

void rt_loader_free(struct rt_loader *l)
{
	unload(l);
}

void rt_loader_report(const struct rt_loader *l, struct rt_features_report *r)
{
	const struct rt_features *f = &l->features;
	unsigned int h;

	memset(r, 0, sizeof(*r));
	r->orphan_walk = f->bpf_loop ? "bpf_loop" : "bounded";
	r->max_orphans = rt_features_max_orphans(f);
	r->zombie_tables = f->mem_alloc ? "dynamic" : "prealloc";
	r->max_zombies = l->max_zombies;
	r->programs = f->btf_loads_atomics ? "btf" : "legacy";
	for (h = 0; h < RT_HOOK_MAX; h++) {
		r->hook[h] = hook_names[h];
		r->path[h] = path_name(l, h);
	}
	r->nr_hooks = RT_HOOK_MAX;
	r->events = l->events;
}

void rt_loader_print(FILE *out, const struct rt_loader *l)
{
	struct rt_features_report r;
	unsigned int h;

	rt_loader_report(l, &r);
	fprintf(out,
		"reapertrace: features: orphan_walk=%s max_orphans=%u zombie_tables=%s "
		"max_zombies=%u programs=%s",
		r.orphan_walk, r.max_orphans, r.zombie_tables, r.max_zombies, r.programs);
	for (h = 0; h < r.nr_hooks; h++)
		fprintf(out, " %s=%s", r.hook[h], r.path[h]);
	fputc('\n', out);
}
