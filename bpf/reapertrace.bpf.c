// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * reapertrace: reparents, zombies, reaps and subreaper changes, from
 * tracepoints only.
 *
 * The kernel decides a process's fate in exit_notify(), which has no
 * tracepoint of its own. Around it:
 *
 *   sched_process_exit    before exit_notify: the exiting thread still holds
 *                         its children; each one becomes a REPARENT record.
 *   signal_generate       inside exit_notify, under tasklist_lock: the exit
 *                         notification to the parent. A process that is not
 *                         auto-reaped is a zombie from here on.
 *   sys_exit_wait4/waitid the zombie a wait released, and who waited.
 *   sched_process_free    a zombie released without a wait (auto-reaped).
 *   sys_{enter,exit}_prctl  PR_SET_CHILD_SUBREAPER.
 *   iter/task             run once at the start: the zombies that already
 *                         exist, so that their reaps are reported too.
 *   iter/bpf_map_elem     run by the reader while exits are pending (or
 *                         iter/task, where that is refused).
 *
 * A kernel or its security policy may refuse any program: each tp_btf one
 * has a raw_tp twin that reads its arguments with probe reads (and
 * sched_process_exit a classic tracepoint one too), the syscall
 * tracepoints have raw_tp sys_enter/sys_exit twins. User space loads one
 * program of each (user/loader.c).
 *
 * After exit_notify the orphans of an exiting thread name their new parent
 * in real_parent: one ADOPTED record says who it is. The first place to see
 * the thread's exit_state set reports it (exit_settled()): its exit
 * notification (signal_generate; a process's last thread), the next exit
 * notification on the machine (the last few exits left pending), its release
 * (sched_process_free; other threads), or else, for a leader whose threads
 * live on, the iterator the reader runs while some are pending.
 *
 * Every program is named reap_* so that `bpftool prog show` finds them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "events.h"
#include "task.bpf.h"
#include "tables.bpf.h"

#define PR_SET_CHILD_SUBREAPER 36
#define WUNTRACED	       0x00000002
#define WCONTINUED	       0x00000008
#define WNOWAIT		       0x01000000

#define NR_WITNESSES 4

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 rt_stats[RT_STAT_MAX] SEC(".bss");

/*
 * Set by user space once every program is attached: programs that create
 * map entries wait for the ones that remove them, so that nothing made in
 * the attach window is left behind.
 */
__u32 armed SEC(".bss");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* user space sets --buffer-mb */
} rb SEC(".maps");

/* An orphan whose real_parent will name the new parent once exit_notify ran. */
struct witness {
	__u64 task; /* struct task_struct *, checked by pid and start_time */
	__u64 start_time;
	__u32 tid;
	__u32 __pad;
};

/* Orphans of an exiting thread whose adoption is not yet reported. */
struct pending_adoption {
	struct rt_event_hdr father; /* the thread at sched_process_exit: its pids go at release */
	struct witness witnesses[NR_WITNESSES];
	__u32 nr_orphans;
	__u32 nr_witnesses;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* task_struct of the exiting thread: exec may change its tid */
	__type(value, struct pending_adoption);
} pending_adoptions SEC(".maps");

/* Entries in pending_adoptions: exit_settled() and the reader look only if some. */
__u32 pending_adoptions_inflight SEC(".bss");

/*
 * The task_structs of the last exits left pending (0: none): each exit
 * notification looks at them first, so that a thread's exit is mostly
 * settled by whatever exits next (its orphan, often, or its process's
 * last thread) rather than an RCU grace period later at its release. By
 * then the orphans may have been reaped and freed, and no longer say who
 * adopted them: each release looks at the hints too, before its task is
 * freed. Several, since the threads of a process often exit together
 * (exit_group()): one hint, overwritten by the next thread's, left the
 * others to their release. Read through helpers: a task may be
 * freed by then. Not looked at from sched_process_exit: with the orphan
 * walk's state, the call made that program's stack 608 bytes, over the
 * 512 that kernels before private stacks (6.13) allow.
 */
#define PENDING_HINTS 8
__u64 pending_hints[PENDING_HINTS] SEC(".bss");
__u32 pending_hint_next SEC(".bss");

static __always_inline void count(enum rt_stat stat)
{
	__sync_fetch_and_add(&rt_stats[stat], 1);
}

/*
 * Remember the exit of @key as one to settle soon. Not atomic (a fetching
 * add needs 5.12): two exits racing for a slot lose one hint, whose exit
 * is then settled at its release.
 */
static __always_inline void hint_pending(__u64 key)
{
	__u32 slot = pending_hint_next++ & (PENDING_HINTS - 1);

	pending_hints[slot] = key;
}

/*
 * Wake the reader only when the buffer is filling up: a wakeup is an
 * irq_work (a self-IPI, costly in a VM) per event otherwise. The reader
 * also polls on a short timer, so no event waits longer than that.
 */
const volatile __u64 wakeup_bytes = 1 << 20;

static __always_inline void submit_event(void *e)
{
	__u64 flags = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
			      BPF_RB_FORCE_WAKEUP :
			      BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(e, flags);
}

static __always_inline void *reserve_event(__u32 type, __u64 size)
{
	void *e = bpf_ringbuf_reserve(&rb, size, 0);

	if (!e)
		count(type);
	return e;
}

/* ---- namespace inits: the signals they drop, their reaper threads' exits ---- */

#define SIGKILL	      9
#define SIGSTOP	      19
#define SIGCONT	      18
#define SIGURG	      23
#define SIGWINCH      28
#define SI_KERNEL     0x80
#define SEND_SIG_PRIV 1UL
/* include/linux/sched/signal.h, signal_struct.flags (the values of 5.x and 6.x) */
#define SIGNAL_GROUP_EXIT 0x00000004
#define SIGNAL_UNKILLABLE 0x00000040

/* Set by user space: which parts of the shared programs run. */
const volatile bool trace_zombies = true;
const volatile bool trace_init_drops = true;
const volatile bool trace_reparents = true;
const volatile bool trace_reapers = true;

/* A namespace's child_reaper thread that is exiting, until its exit is settled. */
struct reaper_exit {
	struct rt_event_hdr hdr; /* the thread, taken at sched_process_exit */
	__u64 ns;		 /* its struct pid_namespace * */
	__u32 killed;		 /* SIGKILLs it sent while tearing the namespace down */
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* task_struct of the exiting reaper thread */
	__type(value, struct reaper_exit);
} reaper_exits SEC(".maps");

/* Entries in reaper_exits: exit_settled() and the reader look only if some. */
__u32 reaper_exits_inflight SEC(".bss");

/* sig_kernel_ignore(): signals whose default action is to do nothing. */
static __always_inline bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static __always_inline int sig_code(struct kernel_siginfo *info)
{
	if (!info) /* SEND_SIG_NOINFO: kill() from the kernel's point of view */
		return 0;
	if ((unsigned long)info == SEND_SIG_PRIV)
		return SI_KERNEL;
	return BPF_CORE_READ(info, si_code);
}

/* sighand->action[sig - 1].sa.sa_handler, for a sig in 1..64 */
static __always_inline int sig_handler(struct task_struct *t, int sig, __u64 *handler)
{
	__u64 slot = (__u64)BPF_CORE_READ(t, sighand);

	slot += bpf_core_field_offset(struct sighand_struct, action) +
		(sig - 1) * bpf_core_type_size(struct k_sigaction) +
		bpf_core_field_offset(struct k_sigaction, sa.sa_handler);
	return bpf_probe_read_kernel(handler, sizeof(*handler), (void *)slot);
}

/*
 * signal_generate said "ignored" (prepare_signal() returned false). That is
 * the drop of a namespace init's signal exactly when sig_task_ignored() took
 * its SIGNAL_UNKILLABLE branch (or, for the root init, the global-init one):
 * the process is an init (SIGNAL_UNKILLABLE, which a group exit clears),
 * alive, and its handler is SIG_DFL for a signal whose default action does
 * something. A SIG_IGN handler, a signal that is ignored by default, a
 * dying process: not drops. The kernel's own SIGKILL and SIGSTOP
 * (SI_KERNEL) are left out. See docs/FORMAT.md.
 */
static __always_inline void report_init_drop(int sig, struct kernel_siginfo *info,
					     struct task_struct *target)
{
	struct rt_init_signal_event *e;
	unsigned int flags;
	__u64 handler;
	int code;

	if (sig <= 0 || sig > 64 || default_ignored(sig))
		return;
	flags = BPF_CORE_READ(target, signal, flags);
	if ((flags & (SIGNAL_UNKILLABLE | SIGNAL_GROUP_EXIT)) != SIGNAL_UNKILLABLE ||
	    !BPF_CORE_READ(target, signal, live.counter))
		return;
	if (sig_handler(target, sig, &handler) || handler) /* SIG_IGN (1), a handler */
		return;
	code = sig_code(info);
	if ((sig == SIGKILL || sig == SIGSTOP) && code == SI_KERNEL)
		return;
	e = reserve_event(RT_EV_INIT_SIGNAL_DROPPED, sizeof(*e));
	if (!e)
		return;
	fill_hdr(&e->hdr, RT_EV_INIT_SIGNAL_DROPPED, target, bpf_ktime_get_boot_ns());
	task_ref((void *)bpf_get_current_task(), &e->sender);
	e->signal = sig;
	e->si_code = code;
	submit_event(e);
}

/*
 * zap_pid_ns_processes() sends SIGKILL (SEND_SIG_PRIV) to every task of the
 * namespace but its init's, from the exiting init thread: count those that
 * were delivered, one per live process (the other threads of a process
 * have SIGKILL pending by then and are skipped; a zombie's is "ignored").
 */
static __always_inline void count_teardown_kill(struct task_struct *cur, struct task_struct *target,
						int result)
{
	__u64 key = (__u64)cur;
	struct reaper_exit *re;
	struct upid up = {};
	struct pid *pid;

	if (!reaper_exits_inflight || result != TRACE_SIGNAL_DELIVERED)
		return;
	re = bpf_map_lookup_elem(&reaper_exits, &key);
	if (!re || BPF_CORE_READ(target, tgid) == re->hdr.task.pid)
		return;
	/*
	 * A process with no live thread (a zombie) is not killed: from 5.17
	 * the kernel says "ignored", before it said "delivered".
	 */
	if (!BPF_CORE_READ(target, signal, live.counter))
		return;
	/* A task of the namespace being torn down (nested ones have a pid in it too). */
	pid = BPF_CORE_READ(target, thread_pid);
	if (BPF_CORE_READ(pid, level) < re->hdr.pidns_level)
		return;
	pid_at_level(pid, re->hdr.pidns_level, &up);
	if ((__u64)up.ns == re->ns)
		__sync_fetch_and_add(&re->killed, 1);
}

/*
 * A thread that exits while it is its namespace's child_reaper: in
 * exit_notify(), find_child_reaper() either hands the role to a live
 * thread of the same process, or (none left) tears the namespace down.
 * Which one is known once its exit is settled. Only the threads of a
 * process whose pid is 1 in its namespace are looked at closely.
 */
static __always_inline void note_reaper_exit(struct task_struct *p)
{
	struct pid *pid = RD(p, group_leader, thread_pid);
	struct task_struct *t = (void *)bpf_get_current_task();
	struct reaper_exit re = {};
	struct pid_namespace *ns;
	__u64 key = (__u64)t;

	if (pid_at_level_btf(pid, RD(pid, level), NULL) != 1)
		return;
	ns = task_pidns(t);
	if ((void *)BPF_CORE_READ(ns, child_reaper) != (void *)t)
		return;
	fill_hdr(&re.hdr, RT_EV_NS_TEARDOWN, t, 0);
	re.ns = (__u64)ns;
	if (bpf_map_update_elem(&reaper_exits, &key, &re, BPF_ANY)) {
		count(RT_STAT_LOST_NS_TEARDOWN);
		return;
	}
	__sync_fetch_and_add(&reaper_exits_inflight, 1);
	hint_pending(key);
}

static __always_inline void report_teardown(struct reaper_exit *re)
{
	struct rt_ns_teardown_event *e;

	e = reserve_event(RT_EV_NS_TEARDOWN, sizeof(*e));
	if (!e)
		return;
	e->hdr = re->hdr;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->killed = re->killed;
	e->__pad = 0;
	submit_event(e);
}

static __always_inline void report_handoff(struct reaper_exit *re, struct task_struct *reaper)
{
	struct rt_reaper_handoff_event *e;

	e = reserve_event(RT_EV_REAPER_HANDOFF, sizeof(*e));
	if (!e)
		return;
	e->hdr = re->hdr;
	e->hdr.type = RT_EV_REAPER_HANDOFF;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	task_ref(reaper, &e->new_reaper);
	submit_event(e);
}

/*
 * A reaper thread recorded at its exit, once exit_notify() has run. Another
 * thread of the same process named child_reaper is a handoff; the thread
 * still named is an init that tore its namespace down (the namespace is
 * checked by inode: it may be freed if the init was released already).
 * Whoever deletes the entry reports it: the settling places may race.
 */
static __always_inline void reaper_exit_done(struct task_struct *t)
{
	__u64 key = (__u64)t;
	struct task_struct *reaper;
	struct pid_namespace *ns;
	struct reaper_exit *found, re;

	found = bpf_map_lookup_elem(&reaper_exits, &key);
	if (!found)
		return;
	re = *found;
	if (bpf_map_delete_elem(&reaper_exits, &key))
		return;
	__sync_fetch_and_add(&reaper_exits_inflight, -1);
	ns = (void *)re.ns;
	reaper = BPF_CORE_READ(ns, child_reaper);
	if ((void *)reaper != (void *)t && pidns_inum(ns) == re.hdr.pidns &&
	    BPF_CORE_READ(reaper, tgid) == re.hdr.task.pid)
		report_handoff(&re, reaper);
	else if (re.hdr.pidns_level) /* the root namespace is never torn down */
		report_teardown(&re);
}

/* ---- reparent: orphans at sched_process_exit, their adopter once the exit is settled ---- */

struct orphan_walk {
	__u64 head; /* &father->children */
	__u64 pos;  /* the list_head being visited: an orphan's sibling */
	__u64 ts;
	struct rt_task father; /* each orphan's old_parent */
	struct pending_adoption pending;
};

/*
 * witnesses[n] = *wi, at a constant offset: the verifier of some kernels
 * (Debian's 6.18.15) lost what it knew of the stack bytes around a store
 * at a variable offset made in a bpf_loop() callback, and then refused to
 * hand the record to bpf_map_update_elem() ("invalid read from stack").
 */
_Static_assert(NR_WITNESSES == 4, "set_witness() has a branch per witness");

static __always_inline void set_witness(struct pending_adoption *pa, __u32 n,
					const struct witness *wi)
{
	if (n == 0)
		pa->witnesses[0] = *wi;
	else if (n == 1)
		pa->witnesses[1] = *wi;
	else if (n == 2)
		pa->witnesses[2] = *wi;
	else
		pa->witnesses[3] = *wi;
}

static long walk_orphan(__u32 i, void *ctx)
{
	struct orphan_walk *w = ctx;
	struct rt_reparent_event *e;
	struct task_struct *child;
	__u64 next;
	__u32 n;

	if (w->pos == w->head)
		return 1;
	child = (void *)(w->pos - bpf_core_field_offset(struct task_struct, sibling));
	next = (__u64)BPF_CORE_READ(child, sibling.next);
	/* Unlinked under us (list_del_init points it at itself): the walk cannot go on. */
	if (next == w->pos || !next)
		return 1;
	w->pos = next;
	/* Released already, only not yet unlinked: reparent_leader() skips it too. */
	if (BPF_CORE_READ(child, exit_state) == EXIT_DEAD)
		return 0;

	e = reserve_event(RT_EV_REPARENT, sizeof(*e));
	if (e) {
		fill_hdr(&e->hdr, RT_EV_REPARENT, child, w->ts);
		e->old_parent = w->father;
		e->flags = BPF_CORE_READ(child, exit_state) == EXIT_ZOMBIE ?
				   RT_REPARENT_WAS_ZOMBIE :
				   0;
		e->pdeath_signal = BPF_CORE_READ(child, pdeath_signal);
		submit_event(e);
	}

	n = w->pending.nr_witnesses;
	if (n < NR_WITNESSES) {
		struct witness wi = {
			.task = (__u64)child,
			.start_time = BPF_CORE_READ(child, start_time),
			.tid = BPF_CORE_READ(child, pid),
		};

		set_witness(&w->pending, n, &wi);
		w->pending.nr_witnesses = n + 1;
	}
	return 0;
}

/*
 * System call numbers: the raw sys_enter/sys_exit programs pick the calls out
 * by them; an exit and a release read them from a thread's saved user
 * registers.
 */
#ifdef __TARGET_ARCH_x86
#define NR_WAIT4  61
#define NR_WAITID 247
#define NR_PRCTL  157
/* The number the call was made with: regs->ax holds its return value by now. */
#define syscall_nr(regs)   BPF_CORE_READ(regs, orig_ax)
#define LEGACY_THREAD_SIZE (16 << 10)
#else
#error "reapertrace needs this architecture's system call numbers"
#endif

/*
 * The user registers @t (a BTF pointer where @btf) saved at its last
 * system call, to be read with BPF_CORE_READ(); NULL where they cannot be
 * found.
 */
static __always_inline struct pt_regs *task_user_regs(struct task_struct *t, const bool btf)
{
#ifdef RT_LEGACY
	/* Before 5.12 on x86-64 (no FRED) the user registers end the 16 KiB stack. */
	void *regs = BPF_CORE_READ(t, stack) + LEGACY_THREAD_SIZE;

	return (struct pt_regs *)(regs - bpf_core_type_size(struct pt_regs));
#else
	/* bpf_task_pt_regs() (5.15) takes a BTF pointer. */
	if (btf && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return (struct pt_regs *)bpf_task_pt_regs(t);
	return NULL;
#endif
}

/* The system call @t last entered, as its saved user registers say, or -1. */
static __always_inline long task_syscall_nr(struct task_struct *t, const bool btf)
{
	struct pt_regs *regs = task_user_regs(t, btf);

	return regs ? syscall_nr(regs) : -1;
}

/*
 * Threads that returned from a wait whose return the kernel skipped: its
 * sys_enter was seen, its sys_exit not, and the thread then made another
 * call reapertrace follows, or exited after another system call (so it was
 * not killed in the wait). A zombie that wait released, freed once the
 * thread is out of it, is still that wait's reap: even freed after the
 * thread itself, as an RCU callback on another CPU may be (the thread
 * exits right after its wait, and its parent reaps it). So an entry stays
 * until a release takes it, or the LRU drops it; the thread's start time
 * tells it from a thread that took its task_struct over.
 */
struct unreturned_wait {
	__u64 start_ns; /* the thread's start_time */
	__u32 how;	/* RT_REAP_WAIT4, RT_REAP_WAITID: the last such wait's */
	__u32 waits;	/* such waits not yet taken: each released one zombie at most */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* task_struct address */
	__type(value, struct unreturned_wait);
} unreturned_waits SEC(".maps");

/*
 * Entries made, less those taken: whether a release looks at all. Those
 * the LRU drops stay counted, and only cost releases a lookup.
 */
__u32 unreturned_waits_live SEC(".bss");

/* waitid()'s idtype for one pid */
#define P_PID 1

/*
 * The child a wait names, as struct inflight keeps it: 0 for any, or a
 * group. From the registers, as the kernel takes them: ints (pid_t).
 */
static __always_inline __s32 wait4_target(long reg)
{
	int pid = (int)reg;

	return pid > 0 ? pid : 0;
}

static __always_inline __s32 waitid_target(long idtype_reg, long id_reg)
{
	int idtype = (int)idtype_reg, id = (int)id_reg;

	return idtype == P_PID && id > 0 ? id : 0;
}

/*
 * The wait4 or waitid call @nr made with the user registers @regs, into
 * @in (its call, target, status or siginfo pointer and options); false for
 * any other call. wait4(pid, status, options, rusage), waitid(idtype, id,
 * infop, options).
 */
static __always_inline bool wait_from_regs(struct pt_regs *regs, long nr, struct inflight *in)
{
	if (nr == NR_WAIT4) {
		in->call = CALL_WAIT4;
		in->target = wait4_target(PT_REGS_PARM1_CORE_SYSCALL(regs));
		in->uptr = PT_REGS_PARM2_CORE_SYSCALL(regs);
		in->arg = PT_REGS_PARM3_CORE_SYSCALL(regs);
		return true;
	}
	if (nr == NR_WAITID) {
		in->call = CALL_WAITID;
		in->target = waitid_target(PT_REGS_PARM1_CORE_SYSCALL(regs),
					   PT_REGS_PARM2_CORE_SYSCALL(regs));
		in->uptr = PT_REGS_PARM3_CORE_SYSCALL(regs);
		in->arg = PT_REGS_PARM4_CORE_SYSCALL(regs);
		return true;
	}
	return false;
}

/* The reap a call in flight makes: RT_REAP_WAIT4, RT_REAP_WAITID, or 0 (not a wait). */
static __always_inline __u32 reap_by_call(__u32 call)
{
	if (call == CALL_WAIT4)
		return RT_REAP_WAIT4;
	return call == CALL_WAITID ? RT_REAP_WAITID : 0;
}

/* @p (current) is out of the call @in, which it never returned from as far as we saw. */
static __always_inline void note_unreturned_wait(struct task_struct *p, const struct inflight *in)
{
	struct unreturned_wait uw = { .start_ns = RD(p, start_time),
				      .how = reap_by_call(in->call),
				      .waits = 1 },
			       *old;
	__u64 key = (__u64)p;

	if (!uw.how)
		return;
	old = bpf_map_lookup_elem(&unreturned_waits, &key);
	if (old && old->start_ns == uw.start_ns) {
		old->how = uw.how;
		__sync_fetch_and_add(&old->waits, 1);
	} else if (old) {
		/* a thread before this one at that address, long gone */
		*old = uw;
	} else if (!bpf_map_update_elem(&unreturned_waits, &key, &uw, BPF_NOEXIST)) {
		__sync_fetch_and_add(&unreturned_waits_live, 1);
	}
}

/* @p (current) exits with @in in flight: out of it unless killed in it. */
static __always_inline void exit_with_call(struct task_struct *p, const struct inflight *in)
{
	long nr = task_syscall_nr(p, true);

	if (nr >= 0 && nr != NR_WAIT4 && nr != NR_WAITID)
		note_unreturned_wait(p, in);
}

/*
 * A namespace's child_reaper whose whole process exits takes the namespace
 * down: the kernel kills its processes (zap_pid_ns_processes) instead of
 * reparenting them.
 */
static __always_inline bool takes_namespace_down(struct task_struct *t)
{
	struct pid_namespace *ns = task_pidns(t);

	if (!BPF_CORE_READ(ns, level))
		return false;
	if (BPF_CORE_READ(t, signal, live.counter))
		return false;
	return BPF_CORE_READ(ns, child_reaper, tgid) == BPF_CORE_READ(t, tgid);
}

/*
 * What every exit goes through first, in @p (current): the parts user space
 * chose. True if @p has children to walk, from @father (current too).
 */
static __always_inline bool exit_begin(struct task_struct *p, struct task_struct *father,
				       struct orphan_walk *w)
{
	struct inflight in;

	if (!armed)
		return false;
	/* A thread killed in a call never returned from it; one whose return was skipped did. */
	if (inflight_get(RD(p, pid), &in, true))
		exit_with_call(p, &in);
	if (trace_reapers)
		note_reaper_exit(p);
	if (!trace_reparents)
		return false;
	w->head = (__u64)father + bpf_core_field_offset(struct task_struct, children);
	w->pos = (__u64)RD(p, children.next);
	if (w->pos == w->head || takes_namespace_down(father))
		return false;
	w->ts = bpf_ktime_get_boot_ns();
	w->father.pid = BPF_CORE_READ(father, tgid);
	w->father.tid = BPF_CORE_READ(father, pid);
	/*
	 * Read once an exit, not once an orphan. User space needs the
	 * thread's name where the orphan is handed on to a sibling thread
	 * before this exit's adoption record (user/adoptions.c).
	 */
	bpf_get_current_comm(w->father.comm, sizeof(w->father.comm));
	w->pending.nr_witnesses = 0;
	return true;
}

/*
 * @walked children of @p (the tracepoint's task, current) were visited:
 * leave their adoption until the exit is settled.
 */
static __always_inline void walk_end(struct task_struct *p, struct orphan_walk *w, __u32 walked)
{
	__u64 key = (__u64)p;
	long err;

	if (w->pos != w->head)
		count(RT_STAT_ORPHANS_TRUNCATED);
	/* Every child was already released: nobody to adopt. */
	if (!w->pending.nr_witnesses)
		return;
	w->pending.nr_orphans = walked;
	fill_hdr_btf(&w->pending.father, RT_EV_ADOPTED, p, w->ts);
	err = hash_put(&pending_adoptions, &key, &w->pending);
	if (err < 0)
		count(RT_STAT_ADOPTED_UNRESOLVED);
	else if (err > 0)
		__sync_fetch_and_add(&pending_adoptions_inflight, 1);
	if (err >= 0)
		hint_pending(key);
}

/*
 * sched_process_exit's task is always current: the handlers take no
 * argument, and each is one program on each of the tracepoint's program
 * types (tp_btf, raw_tp, classic tracepoint), for kernels or policies that
 * refuse one. User space loads one walk on one of them.
 */
#define EXIT_PROGRAMS(name, handler)               \
	SEC("tp_btf/sched_process_exit")           \
	int name(void *ctx)                        \
	{                                          \
		return handler();                  \
	}                                          \
	SEC("raw_tp/sched_process_exit")           \
	int name##_raw(void *ctx)                  \
	{                                          \
		return handler();                  \
	}                                          \
	SEC("tracepoint/sched/sched_process_exit") \
	int name##_tp(void *ctx)                   \
	{                                          \
		return handler();                  \
	}

/* The orphan walk where bpf_loop() exists (5.17). */
static __always_inline int exit_walk_loop(void)
{
	/* current, as a BTF pointer for loads and a plain one to walk from */
	struct task_struct *p = current_task();
	struct task_struct *father = (void *)bpf_get_current_task();
	struct orphan_walk w = {};
	long walked;

	if (!exit_begin(p, father, &w))
		return 0;
	/* No counter in @w: a precise one would make each iteration a new verifier state. */
	walked = bpf_loop(RT_MAX_ORPHANS, walk_orphan, &w, 0);
	if (w.pos == w.head)
		walked--; /* the last call only found the list's end */
	walk_end(p, &w, walked);
	return 0;
}

/*
 * Where tracepoints are preemptible (SRCU-guarded, as in 7.x), an exit can
 * preempt another exit's walk on the same CPU. The walk program is still
 * busy there, and the kernel skips its run for the second exit (counted in
 * the program's recursion_misses): its orphans would go unreported.
 *
 * The classic tracepoint walk is immune (perf runs its programs with
 * preemption off), hence the first path. On tp_btf and raw_tp a standby
 * program, attached after the walk on the same tracepoint, walks the exits
 * the walk did not enter (the walk marks each exit it enters); a run the
 * kernel skips while the standby too is busy stays missing, counted.
 * Keeping the CPU with bpf_preempt_disable() does not help: the walk is
 * then preempted at bpf_preempt_enable(), still inside the program.
 *
 * The mark is indexed by thread id and names the task, which keeps its
 * slot from the walk's run to the standby's, microseconds.
 */
#define EXIT_MARKS 4096

struct exit_mark {
	__u64 task;
	__u32 tid;
	__u32 __pad;
};

/* A map, not .bss: the skeleton need not know the type. Its lookup is inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EXIT_MARKS);
	__type(key, __u32);
	__type(value, struct exit_mark);
} exit_marks SEC(".maps");

static __always_inline struct exit_mark *current_mark(__u32 *tid)
{
	__u32 slot;

	*tid = (__u32)bpf_get_current_pid_tgid();
	slot = *tid & (EXIT_MARKS - 1);
	return bpf_map_lookup_elem(&exit_marks, &slot);
}

static __always_inline int exit_walk_first(void)
{
	__u32 tid;
	struct exit_mark *m = current_mark(&tid);

	if (m) {
		m->task = bpf_get_current_task();
		m->tid = tid;
	}
	return exit_walk_loop();
}

static __always_inline int exit_walk_standby(void)
{
	__u32 tid;
	struct exit_mark *m = current_mark(&tid);

	if (!m || (m->task == bpf_get_current_task() && m->tid == tid))
		return 0;
	count(RT_STAT_EXIT_STANDBY_RUNS);
	return exit_walk_loop();
}

SEC("tp_btf/sched_process_exit")
int reap_proc_exit(void *ctx)
{
	return exit_walk_first();
}

SEC("tp_btf/sched_process_exit")
int reap_proc_exit_standby(void *ctx)
{
	return exit_walk_standby();
}

SEC("raw_tp/sched_process_exit")
int reap_proc_exit_raw(void *ctx)
{
	return exit_walk_first();
}

SEC("raw_tp/sched_process_exit")
int reap_proc_exit_raw_standby(void *ctx)
{
	return exit_walk_standby();
}

SEC("tracepoint/sched/sched_process_exit")
int reap_proc_exit_tp(void *ctx)
{
	return exit_walk_loop();
}

/*
 * Without bpf_loop (before 5.17) the walk is a loop the verifier unrolls,
 * and two things keep that affordable on 5.10:
 * - the walk state lives in a map value: before 5.12 the verifier refuses
 *   a witness store at a variable stack offset;
 * - each step is a global function, which the verifier checks once, not
 *   once per iteration (a static one made 1,024 steps cost 600,000
 *   verified instructions).
 * One state per CPU: a tracing program does not migrate, and these
 * kernels' BPF programs are not preempted by another exit on the same CPU
 * unless the kernel is PREEMPT (Debian's are PREEMPT_VOLUNTARY).
 */
struct bounded_walk {
	struct orphan_walk w;
	__u32 walked; /* children visited */
	__u32 done;   /* the walk found the list's end, or could not go on */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bounded_walk);
} walk_scratch SEC(".maps");

/* Steps between two checks of bounded_walk.done: a step past the end costs a lookup. */
#define WALK_ROUND 16

/* One orphan of the bounded walk; a no-op once it is done. */
__noinline int rt_walk_step(void)
{
	__u32 zero = 0;
	struct bounded_walk *b = bpf_map_lookup_elem(&walk_scratch, &zero);

	if (!b || b->done)
		return 0;
	if (walk_orphan(0, &b->w))
		b->done = 1;
	else
		b->walked++;
	return 0;
}

/*
 * The orphan walk for kernels without bpf_loop(), at most
 * RT_MAX_ORPHANS_BOUNDED children. No BPF_PSEUDO_FUNC (a callback
 * reference, 5.13) may appear here: those kernels refuse it even in dead
 * code, hence programs of their own.
 */
static __always_inline int exit_walk_bounded(void)
{
	struct task_struct *p = current_task();
	struct task_struct *father = (void *)bpf_get_current_task();
	struct bounded_walk *b;
	__u32 zero = 0, i, j;

	b = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!b || !exit_begin(p, father, &b->w))
		return 0;
	b->walked = 0;
	b->done = 0;
	for (j = 0; j < RT_MAX_ORPHANS_BOUNDED / WALK_ROUND; j++) {
		if (b->done)
			break;
		for (i = 0; i < WALK_ROUND; i++)
			rt_walk_step();
	}
	walk_end(p, &b->w, b->walked);
	return 0;
}

EXIT_PROGRAMS(reap_proc_exit_bounded, exit_walk_bounded)

/*
 * The new parent, read from an orphan that is still the task it was. A
 * released one still names it (an ignorer reaps a zombie orphan as it
 * adopts it) until it is freed, and every release settles the hinted exits
 * first. NULL with *unmoved set if the orphans still name @father: they
 * were not reparented (killed with their namespace, or reaped by a sibling
 * thread).
 */
static __always_inline struct task_struct *adopter(struct task_struct *father,
						   struct pending_adoption *pa, bool *unmoved)
{
	struct task_struct *t, *parent;
	__u64 start_time;
	__u32 i, tid;

	*unmoved = false;
	for (i = 0; i < NR_WITNESSES; i++) {
		if (i >= pa->nr_witnesses)
			break;
		t = (void *)pa->witnesses[i].task;
		if (bpf_probe_read_kernel(&tid, sizeof(tid), &t->pid) ||
		    bpf_probe_read_kernel(&start_time, sizeof(start_time), &t->start_time))
			continue;
		if (tid != pa->witnesses[i].tid || start_time != pa->witnesses[i].start_time)
			continue;
		parent = BPF_CORE_READ(t, real_parent);
		if ((__u64)parent != (__u64)father)
			return parent;
		*unmoved = true;
	}
	return NULL;
}

/* Why the kernel chose @reaper for the orphans of @father (find_new_reaper()). */
static __always_inline __u32 reaper_kind(__u32 father_tgid, struct task_struct *reaper)
{
	__u32 reaper_tgid = BPF_CORE_READ(reaper, tgid);
	struct pid_namespace *ns;
	struct signal_struct *sig;

	if (reaper_tgid == father_tgid)
		return RT_KIND_THREAD;
	/*
	 * The father may be reaped already (its pids detached); the reaper is
	 * alive, and always in the father's namespace.
	 */
	ns = task_pidns(reaper);
	if (BPF_CORE_READ(ns, child_reaper, tgid) == reaper_tgid)
		return BPF_CORE_READ(ns, level) ? RT_KIND_NS_INIT : RT_KIND_INIT;
	sig = BPF_CORE_READ(reaper, signal);
	if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
		return RT_KIND_SUBREAPER;
	return RT_KIND_UNKNOWN;
}

static __always_inline void report_adoption(struct task_struct *father, struct pending_adoption *pa)
{
	struct rt_adopted_event *e;
	struct task_struct *reaper;
	bool unmoved;

	reaper = adopter(father, pa, &unmoved);
	e = reserve_event(RT_EV_ADOPTED, sizeof(*e));
	if (!e)
		return;
	e->hdr = pa->father;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->exit_ts_ns = pa->father.ts_ns;
	e->exit_tid = pa->father.task.tid;
	e->nr_orphans = pa->nr_orphans;
	if (reaper) {
		task_ref(reaper, &e->new_parent);
		e->kind = reaper_kind(pa->father.task.pid, reaper);
		e->flags = 0;
	} else {
		__builtin_memset(&e->new_parent, 0, sizeof(e->new_parent));
		e->kind = RT_KIND_UNKNOWN;
		e->flags = unmoved ? RT_ADOPTED_NONE : RT_ADOPTED_UNRESOLVED;
		if (!unmoved)
			count(RT_STAT_ADOPTED_UNRESOLVED);
	}
	submit_event(e);
}

/* The orphans of @father have their new parent: report it, if nobody did. */
static __always_inline void adoption_done(struct task_struct *father)
{
	struct pending_adoption *found, pa;
	__u64 key = (__u64)father;

	found = bpf_map_lookup_elem(&pending_adoptions, &key);
	if (!found)
		return;
	pa = *found;
	if (bpf_map_delete_elem(&pending_adoptions, &key))
		return; /* another settling place took it */
	__sync_fetch_and_add(&pending_adoptions_inflight, -1);
	report_adoption(father, &pa);
}

/*
 * @t, an exiting thread, is past exit_notify() (its exit_state is set):
 * its orphans name their new parent, and a child_reaper role it had is
 * handed over or its namespace torn down. Report what its exit left
 * pending. @t may be released already; from pending_hints it may even be
 * freed, but then nothing is pending under it (its release settled it).
 */
static __noinline void exit_settled(struct task_struct *t)
{
	if (reaper_exits_inflight)
		reaper_exit_done(t);
	if (pending_adoptions_inflight)
		adoption_done(t);
}

static __always_inline bool exits_pending(void)
{
	return pending_adoptions_inflight || reaper_exits_inflight;
}

/* The last exits left pending that are past exit_notify() now. */
static __always_inline void settle_hints(void)
{
	struct task_struct *t;
	__u32 i;

	for (i = 0; i < PENDING_HINTS; i++) {
		t = (void *)pending_hints[i];
		if (t && BPF_CORE_READ(t, exit_state)) {
			pending_hints[i] = 0;
			exit_settled(t);
		}
	}
}

/*
 * Run by the reader over pending_adoptions and over reaper_exits (both keyed
 * by the exiting task_struct) while exits are pending, at most a poll
 * interval after the exit: a leader that exits while its other threads
 * live is neither notified nor released until the last of them ends.
 */
SEC("iter/bpf_map_elem")
int reap_settle_exits(struct bpf_iter__bpf_map_elem *ctx)
{
	const __u64 *key = ctx->key;
	struct task_struct *t;

	if (!key)
		return 0;
	t = (void *)*key;
	if (BPF_CORE_READ(t, exit_state))
		exit_settled(t);
	return 0;
}

/*
 * The same from a task iterator, where iter/bpf_map_elem is refused: it
 * visits every task of the reader's namespace, and looks up only those
 * past exit_notify().
 */
SEC("iter/task")
int reap_settle_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;

	if (t && BPF_CORE_READ(t, exit_state))
		exit_settled(t);
	return 0;
}

/* ---- zombie: the exit notification that does not auto-reap ---- */

/* Remember @z until it is reaped: both indexes, or neither. */
static __always_inline void track_zombie(struct zombie_key *key, struct zombie *z)
{
	struct zombie_task zt = { .key = *key, .start_ns = z->hdr.start_ns };
	struct zombie undone;

	if (zombie_insert(key, z)) {
		count(RT_STAT_ZOMBIE_TABLE_FULL);
		return;
	}
	if (!zombie_key_is_global(key) && zombie_task_insert(z->hdr.task.pid, &zt)) {
		zombie_take(key, zt.start_ns, &undone);
		count(RT_STAT_ZOMBIE_TABLE_FULL);
	}
}

/*
 * signal_generate, from tp_btf or raw_tp: the arguments are read the same
 * way in both. @info may be NULL, SEND_SIG_PRIV or an ERR_PTR, and current
 * verifiers treat it as a plain number (the kernel's raw_tp_null_args
 * table), so it is read with probe reads only; @target only through
 * probe reads or compared, and once it is known to be the zombie's parent,
 * that parent is reached from current instead.
 */
static __always_inline int on_signal_generate(int sig, struct kernel_siginfo *info,
					      struct task_struct *target, int result)
{
	struct task_struct *cur = current_task();
	struct task_struct *leader, *parent;
	struct rt_zombie_event *e;
	struct zombie_key key;
	int si_code, status;
	struct zombie z;

	if (!armed)
		return 0;
	if (trace_init_drops && result == TRACE_SIGNAL_IGNORED)
		report_init_drop(sig, info, target);
	/* do_notify_parent() for an exit runs in the exiting task, or its last thread. */
	if (!(RD(cur, flags) & PF_EXITING))
		return 0;
	leader = RD(cur, group_leader);
	/*
	 * Past exit_notify(): this is the exit notification, of the process or
	 * of a leader that exited before its last thread (which this is).
	 */
	if (exits_pending() && RD(cur, exit_state)) {
		settle_hints();
		if (leader != cur && RD(leader, exit_state))
			exit_settled(leader);
		exit_settled(cur);
	}
	if (sig == SIGKILL && (unsigned long)info == SEND_SIG_PRIV) {
		count_teardown_kill((void *)cur, target, result);
		return 0;
	}
	if (!trace_zombies)
		return 0;
	if ((unsigned long)info < 4096) /* SEND_SIG_NOINFO, SEND_SIG_PRIV */
		return 0;
	si_code = BPF_CORE_READ(info, si_code);
	if (si_code < CLD_EXITED || si_code > CLD_DUMPED)
		return 0;
	parent = RD(leader, parent);
	if (RD(leader, exit_state) != EXIT_ZOMBIE || (void *)parent != (void *)target ||
	    RD(leader, ptrace))
		return 0;
	pid_seen_by_btf(leader, parent, &key.pidns, &key.nr);
	/* Not the leader's own notification: a zombie orphan's, sent to its new parent. */
	if (BPF_CORE_READ(info, _sifields._sigchld._pid) != key.nr)
		return 0;
	/* SA_NOCLDWAIT: the kernel releases it right after this (SIG_IGN sends nothing). */
	if (sig == SIGCHLD && (RD(parent, sighand, action[SIGCHLD - 1].sa.sa_flags) & SA_NOCLDWAIT))
		return 0;

	/* Tracked even when the event is lost, so that its reap is still reported. */
	fill_hdr_btf(&z.hdr, RT_EV_ZOMBIE, leader, bpf_ktime_get_boot_ns());
	track_zombie(&key, &z);

	e = reserve_event(RT_EV_ZOMBIE, sizeof(*e));
	if (!e)
		return 0;
	e->hdr = z.hdr;
	task_ref_btf(parent, &e->parent);
	status = BPF_CORE_READ(info, _sifields._sigchld._status);
	e->exit_code = si_code == CLD_EXITED ? status : -1;
	e->signal = si_code == CLD_EXITED ? 0 : status;
	e->core_dumped = si_code == CLD_DUMPED;
	e->flags = 0;
	submit_event(e);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(reap_signal_gen, int sig, struct kernel_siginfo *info, struct task_struct *target,
	     int group, int result)
{
	return on_signal_generate(sig, info, target, result);
}

/* The same where tp_btf is refused: raw arguments, read the same way. */
SEC("raw_tp/signal_generate")
int BPF_PROG(reap_signal_gen_raw, int sig, struct kernel_siginfo *info, struct task_struct *target,
	     int group, int result)
{
	return on_signal_generate(sig, info, target, result);
}

/*
 * Run once by user space after arming: each zombie that already exists is
 * tracked as if seen being made, so that its reap is reported; user space
 * learns of it from a RT_ZOMBIE_EXISTING record. Its exit time is when it
 * last ran, against when the reader last did, on the same clock.
 */
/*
 * How long ago @t last ran, as seen from @now, which runs: sched_info's
 * last_arrival is on the scheduler's raw clock; se.exec_start, the fallback
 * where sched_info is not kept, leaves out steal and irq time, which a
 * loaded VM has plenty of.
 */
static __always_inline __s64 time_since_ran(struct task_struct *t, struct task_struct *now)
{
	__u64 then = 0, at = 0;

	if (bpf_core_field_exists(t->sched_info.last_arrival)) {
		then = BPF_CORE_READ(t, sched_info.last_arrival);
		at = BPF_CORE_READ(now, sched_info.last_arrival);
	}
	if (!then || !at)
		return BPF_CORE_READ(now, se.exec_start) - BPF_CORE_READ(t, se.exec_start);
	return at - then;
}

SEC("iter/task")
int reap_seed_zombies(struct bpf_iter__task *ctx)
{
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct task_struct *task = ctx->task, *parent;
	struct rt_zombie_event *e;
	struct zombie_key key;
	__s64 ran;
	struct zombie z;
	int status;

	if (!task || BPF_CORE_READ(task, exit_state) != EXIT_ZOMBIE ||
	    BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid) || BPF_CORE_READ(task, ptrace))
		return 0;
	parent = BPF_CORE_READ(task, parent);
	pid_seen_by(task, parent, &key.pidns, &key.nr);
	ran = time_since_ran(task, cur);
	fill_hdr(&z.hdr, RT_EV_ZOMBIE, task, bpf_ktime_get_boot_ns() - (ran > 0 ? ran : 0));
	/* One made since arming is tracked already, with its exact time. */
	if (zombie_known(&key, 0))
		return 0;
	track_zombie(&key, &z);

	e = reserve_event(RT_EV_ZOMBIE, sizeof(*e));
	if (!e)
		return 0;
	e->hdr = z.hdr;
	task_ref(parent, &e->parent);
	/* The wait status its parent's wait would get (wait_task_zombie()). */
	status = BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT ?
			 BPF_CORE_READ(task, signal, group_exit_code) :
			 BPF_CORE_READ(task, exit_code);
	e->exit_code = status & 0x7f ? -1 : (status >> 8) & 0xff;
	e->signal = status & 0x7f;
	e->core_dumped = !!(status & 0x80);
	e->flags = RT_ZOMBIE_EXISTING;
	submit_event(e);
	return 0;
}

/* ---- reap: a wait that released a zombie, or a release without one ---- */

/*
 * Report the reap of @z, which the caller took out of the tables (so that
 * the wait and the release paths report it once).
 */
static __always_inline void report_reap(const struct zombie *z, struct task_struct *reaper,
					__u32 how, const bool btf)
{
	__u64 now = bpf_ktime_get_boot_ns();
	struct rt_reap_event *e;

	e = reserve_event(RT_EV_REAP, sizeof(*e));
	if (!e)
		return;
	e->hdr = z->hdr;
	e->hdr.type = RT_EV_REAP;
	e->hdr.ts_ns = now;
	e->zombie_ns = now - z->hdr.ts_ns;
	e->how = how;
	e->__pad = 0;
	if (reaper && btf)
		task_ref_btf(reaper, &e->reaper);
	else if (reaper)
		task_ref(reaper, &e->reaper);
	else
		__builtin_memset(&e->reaper, 0, sizeof(e->reaper));
	submit_event(e);
}

/* The calling thread's wait returned @nr (a pid in its own namespace) dead. */
static __always_inline void waited(__u32 nr, __u32 how)
{
	struct task_struct *cur = current_task();
	struct zombie_key key = { .nr = nr };
	struct zombie z;

	key.pidns = task_pidns_inum_btf(cur);
	if (!zombie_take(&key, 0, &z))
		return;
	/* Its release has nothing left to do (unless it came first, and did). */
	if (!zombie_key_is_global(&key))
		zombie_task_take(z.hdr.task.pid, z.hdr.start_ns, &key);
	report_reap(&z, cur, how, true);
}

/* Current enters @in. */
static __always_inline void enter_inflight(__u32 tid, const struct inflight *in)
{
	struct inflight prev;

	/* Calls do not nest: one still in flight returned, and its sys_exit run was skipped. */
	if (inflight_get(tid, &prev, false))
		note_unreturned_wait(current_task(), &prev);
	inflight_enter(tid, in);
}

static __always_inline void enter_call(__u32 call, __u32 arg, __u64 uptr, __s32 target)
{
	/* A wait's do_wait() is told that its sys_enter ran. */
	struct inflight in = { .uptr = uptr,
			       .call = call,
			       .arg = arg,
			       .target = target,
			       .entered = !!reap_by_call(call) };

	if (armed)
		enter_inflight((__u32)bpf_get_current_pid_tgid(), &in);
}

/* The arguments saved at sys_enter, if this thread's syscall is @call. */
static __always_inline bool leave_call(__u32 call, struct inflight *out)
{
	return inflight_get((__u32)bpf_get_current_pid_tgid(), out, true) && out->call == call;
}

/* wait4 status words that report a child stopped or continued, not dead */
static __always_inline bool stopped_or_continued(int status)
{
	return (status & 0xff) == 0x7f || status == 0xffff;
}

static __always_inline void wait4_returned(long ret)
{
	struct inflight in = {};
	bool known;
	int status;

	/*
	 * wait4 has no WNOWAIT: a pid returned dead is a release. Only with
	 * WUNTRACED or WCONTINUED can it return a live child (a ptraced one
	 * too, but those are not tracked), whose status word then says so:
	 * the user read costs 250-430 ns, so it is made only then. A wait
	 * that began before the tracer (no saved options) counts too.
	 */
	known = leave_call(CALL_WAIT4, &in);
	if (ret > 0 && !(known && (in.arg & (WUNTRACED | WCONTINUED)) && in.uptr &&
			 !bpf_probe_read_user(&status, sizeof(status), (void *)in.uptr) &&
			 stopped_or_continued(status)))
		waited(ret, RT_REAP_WAIT4);
}

static __always_inline void waitid_returned(long ret)
{
	struct {
		int si_signo, si_errno, si_code, __pad;
		int si_pid;
	} si;
	struct inflight in;

	if (leave_call(CALL_WAITID, &in) && !ret && in.uptr && !(in.arg & WNOWAIT) &&
	    !bpf_probe_read_user(&si, sizeof(si), (void *)in.uptr) && si.si_pid > 0 &&
	    si.si_code >= CLD_EXITED && si.si_code <= CLD_DUMPED)
		waited(si.si_pid, RT_REAP_WAITID);
}

/* wait4(pid, status, options, rusage), waitid(which, pid, infop, options) */
SEC("tracepoint/syscalls/sys_enter_wait4")
int reap_wait4_in(struct trace_event_raw_sys_enter *ctx)
{
	enter_call(CALL_WAIT4, ctx->args[2], ctx->args[1], wait4_target(ctx->args[0]));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_wait4")
int reap_wait4_ret(struct trace_event_raw_sys_exit *ctx)
{
	wait4_returned(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_waitid")
int reap_waitid_in(struct trace_event_raw_sys_enter *ctx)
{
	enter_call(CALL_WAITID, ctx->args[3], ctx->args[2],
		   waitid_target(ctx->args[0], ctx->args[1]));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int reap_waitid_ret(struct trace_event_raw_sys_exit *ctx)
{
	waitid_returned(ctx->ret);
	return 0;
}

/*
 * A task's release, from tp_btf (@btf: @p is a BTF pointer, loaded from
 * directly) or raw_tp (@p is a plain number, read through probe reads).
 */
#define FREED_RD(p, ...) (btf ? RD(p, __VA_ARGS__) : BPF_CORE_READ(p, __VA_ARGS__))

/*
 * One of the waits @parent returned from unseen, if any: its kind, and it
 * is used up. @parent may be freed already (unreturned_waits): its start
 * time, still in place, tells it from a task that took its place over.
 */
static __always_inline __u32 take_unreturned_wait(struct task_struct *parent, const bool btf)
{
	__u64 key = (__u64)parent;
	struct unreturned_wait *uw;
	__u32 how = 0;

	uw = bpf_map_lookup_elem(&unreturned_waits, &key);
	if (!uw)
		return 0;
	if (uw->start_ns == FREED_RD(parent, start_time) && uw->waits) {
		how = uw->how;
		if (uw->waits > 1) {
			__sync_fetch_and_add(&uw->waits, -1);
			return how;
		}
	}
	/* All taken, or another task's: gone. */
	if (!bpf_map_delete_elem(&unreturned_waits, &key))
		__sync_fetch_and_add(&unreturned_waits_live, -1);
	return how;
}

/*
 * The wait (RT_REAP_WAIT4, RT_REAP_WAITID) that released a zombie whose
 * parent thread is @parent, seen at the zombie's release; 0 if none did.
 *
 * A zombie is released by its parent's wait, or else by its parent's
 * kernel: an adopted zombie whose new parent ignores SIGCHLD, or an init
 * taking its namespace down (the parent is exiting). So while the parent
 * thread is in a wait and is neither, the wait released it. That wait's
 * sys_enter tells where it ran; where the kernel skipped its sys_exit run
 * and the thread has moved on, unreturned_waits does; where the kernel
 * skipped its sys_enter run, the call number in the thread's saved user
 * registers tells: it is the wait's until the thread's next system call,
 * which the release, an RCU grace period after the wait released the
 * zombie, almost always comes before.
 */
static __always_inline __u32 wait_in_progress(struct task_struct *parent, const bool btf)
{
	bool ignores, exiting = FREED_RD(parent, flags) & PF_EXITING;
	unsigned long handler, flags;
	struct inflight in;
	__u32 how;
	long nr;

	handler = (unsigned long)FREED_RD(parent, sighand, action[SIGCHLD - 1].sa.sa_handler);
	flags = FREED_RD(parent, sighand, action[SIGCHLD - 1].sa.sa_flags);
	ignores = handler == SIG_IGN || flags & SA_NOCLDWAIT;
	/* Released at its notification, or as it was adopted. */
	if (ignores && !exiting)
		return 0;
	if (inflight_get(FREED_RD(parent, pid), &in, false) && reap_by_call(in.call))
		return reap_by_call(in.call);
	/*
	 * A wait it returned from unseen released one zombie at most: the
	 * first freed that no wait reported. Before the disposition: an
	 * exiting namespace init ignores SIGCHLD from zap_pid_ns_processes()
	 * on, after the waits it made.
	 */
	if (unreturned_waits_live && (how = take_unreturned_wait(parent, btf)))
		return how;
	/* Its namespace's teardown released it. */
	if (ignores)
		return 0;
	nr = task_syscall_nr(parent, btf);
	if (nr != NR_WAIT4 && nr != NR_WAITID)
		return 0;
	/* An exit takes its calls in flight: one that is exiting is past its wait. */
	if (exiting)
		return 0;
	return nr == NR_WAIT4 ? RT_REAP_WAIT4 : RT_REAP_WAITID;
}

static __always_inline int on_proc_free(struct task_struct *p, const bool btf)
{
	struct zombie_key key = { .pidns = PROC_PID_INIT_INO, .nr = FREED_RD(p, pid) };
	struct task_struct *parent;
	struct zombie z;
	__u64 start_ns;
	__u32 how;

	/*
	 * A thread's release settles its exit, unless its notification did;
	 * and, before @p is freed, the exits that may have it as a witness.
	 */
	if (exits_pending()) {
		settle_hints();
		exit_settled(p);
	}
	/*
	 * Every task freed comes here, its task_struct and our slot most
	 * likely cold: no zombie tracked says "not ours" for most of them,
	 * then one slot read.
	 */
	if (!zombies_live)
		return 0;
	if (!zombie_known(&key, 0) && !zombie_tasks_live)
		return 0;
	start_ns = FREED_RD(p, start_time);
	if (!zombie_known(&key, start_ns) && !zombie_task_take(key.nr, start_ns, &key))
		return 0;
	/*
	 * Freed after an RCU grace period: the wait that released it has
	 * most likely returned and reported it (waited()). If it has not, or
	 * its sys_exit run was skipped, report it from here.
	 */
	parent = FREED_RD(p, real_parent);
	how = wait_in_progress(parent, btf);
	if (zombie_take(&key, start_ns, &z))
		report_reap(&z, how ? parent : NULL, how ?: RT_REAP_AUTO, btf);
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(reap_proc_free, struct task_struct *p)
{
	return on_proc_free(p, true);
}

SEC("raw_tp/sched_process_free")
int BPF_PROG(reap_proc_free_raw, struct task_struct *p)
{
	return on_proc_free(p, false);
}

/* ---- subreaper: prctl(PR_SET_CHILD_SUBREAPER) ---- */

static __always_inline void prctl_returned(long ret)
{
	struct rt_subreaper_event *e;
	struct inflight in;

	if (!leave_call(CALL_PRCTL_SUBREAPER, &in) || ret)
		return;
	e = reserve_event(RT_EV_SUBREAPER, sizeof(*e));
	if (!e)
		return;
	fill_hdr_btf(&e->hdr, RT_EV_SUBREAPER, current_task(), bpf_ktime_get_boot_ns());
	e->enabled = in.arg;
	e->__pad = 0;
	submit_event(e);
}

SEC("tracepoint/syscalls/sys_enter_prctl")
int reap_prctl_in(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] == PR_SET_CHILD_SUBREAPER)
		enter_call(CALL_PRCTL_SUBREAPER, ctx->args[1] != 0, 0, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_prctl")
int reap_prctl_ret(struct trace_event_raw_sys_exit *ctx)
{
	prctl_returned(ctx->ret);
	return 0;
}

/*
 * ---- the same three calls from raw_tp sys_enter/sys_exit ----
 *
 * Where the syscalls' own tracepoints cannot be had (no tracefs, or their
 * programs refused): two programs that run at every system call and pick
 * the three out by number, with the arguments read from the user registers.
 */
/* Set by user space for the raw programs: which calls to follow. */
const volatile bool trace_waits = true;
const volatile bool trace_prctl = true;

SEC("raw_tp/sys_enter")
int BPF_PROG(reap_sys_enter, struct pt_regs *regs, long id)
{
	struct inflight in = { .entered = 1 };

	if (trace_waits && wait_from_regs(regs, id, &in)) {
		if (armed)
			enter_inflight((__u32)bpf_get_current_pid_tgid(), &in);
	} else if (id == NR_PRCTL && trace_prctl &&
		   PT_REGS_PARM1_CORE_SYSCALL(regs) == PR_SET_CHILD_SUBREAPER)
		enter_call(CALL_PRCTL_SUBREAPER, PT_REGS_PARM2_CORE_SYSCALL(regs) != 0, 0, 0);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(reap_sys_exit, struct pt_regs *regs, long ret)
{
	long id = syscall_nr(regs);

	if (id == NR_WAIT4 && trace_waits)
		wait4_returned(ret);
	else if (id == NR_WAITID && trace_waits)
		waitid_returned(ret);
	else if (id == NR_PRCTL && trace_prctl)
		prctl_returned(ret);
	return 0;
}

/*
 * ---- the waits whose sys_enter run the kernel skipped ----
 *
 * The kernel skips a classic tracepoint's program on a CPU where another
 * BPF program of that kind is running (bpf_prog_active), preempted or
 * interrupted: on 7.x that takes some wait4 entries and returns in most
 * runs of a scenario. A skipped return is made up for at the release
 * (wait_in_progress()), from the call left in flight; a skipped entry as
 * well is not, unless the wait is entered here: do_wait() begins
 * (sched_process_wait) in the waiting thread, whose saved user registers
 * hold the call's arguments. tp_btf and raw_tp programs are skipped only
 * while the same program runs on that CPU. A hook of its own (wait_begin).
 */
static __always_inline int on_wait_begin(void)
{
	/* prev zeroed: 6.1 refuses a read of it the compiler may hoist (the legacy object) */
	struct inflight in = {}, prev = {};
	struct pt_regs *regs;
	int found;
	__u32 tid;
	long nr;

	if (!armed || !trace_waits)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	/* Mostly, no more: its sys_enter ran. */
	found = inflight_begin(tid, &prev);
	if (found > 0)
		return 0;
	/* current is a BTF pointer from either program */
	regs = task_user_regs(current_task(), true);
	if (!regs)
		return 0;
	nr = syscall_nr(regs);
	/* Not a wait call: a wait of the kernel's own, an exiting namespace init's. */
	if (!wait_from_regs(regs, nr, &in))
		return 0;
	/* A call just like it left in flight: its reaps are this one's. */
	if (!found && prev.call == in.call && prev.target == in.target && prev.uptr == in.uptr &&
	    prev.arg == in.arg)
		return 0;
	enter_inflight(tid, &in);
	return 0;
}

SEC("tp_btf/sched_process_wait")
int BPF_PROG(reap_wait_begin, struct pid *pid)
{
	return on_wait_begin();
}

SEC("raw_tp/sched_process_wait")
int BPF_PROG(reap_wait_begin_raw, struct pid *pid)
{
	return on_wait_begin();
}
