// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The snapshot iterator: one struct rt_snap_task per task (thread) the
 * reader can see, for `reapertrace ns` and `reapertrace zombies`. A task
 * iterator walks the tasks of the PID namespace of the process that opened
 * it, so a reader inside a namespace sees that namespace and those below;
 * pids are translated into that namespace here.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "task.bpf.h"
#include "snapshot.h"

#define SIGTERM 15

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The reader's active PID namespace and its level. */
struct reader {
	struct pid_namespace *ns;
	unsigned int level;
};

/* The number of @pid in the reader's namespace, 0 if it has none there. */
static __always_inline __u32 seen_by(struct pid *pid, const struct reader *r)
{
	struct upid up = {};

	if (!pid || BPF_CORE_READ(pid, level) < r->level)
		return 0;
	pid_at_level(pid, r->level, &up);
	return up.ns == r->ns ? up.nr : 0;
}

/* The struct pid of @t's thread group (its leader's pid). */
static __always_inline struct pid *tgid_pid(struct task_struct *t)
{
	return BPF_CORE_READ(t, group_leader, thread_pid);
}

static __always_inline __u32 disposition(struct task_struct *t, int sig, __u32 *nocldwait)
{
	struct sighand_struct *sh = BPF_CORE_READ(t, sighand);
	unsigned long handler = 0, flags = 0;

	if (!sh)
		return RT_DISP_DEFAULT;
	bpf_core_read(&handler, sizeof(handler), &sh->action[sig - 1].sa.sa_handler);
	if (nocldwait) {
		bpf_core_read(&flags, sizeof(flags), &sh->action[sig - 1].sa.sa_flags);
		*nocldwait = !!(flags & SA_NOCLDWAIT);
	}
	if (handler == 0)
		return RT_DISP_DEFAULT;
	return handler == 1 ? RT_DISP_IGNORE : RT_DISP_HANDLER;
}

static __always_inline void fill_parent(struct rt_snap_task *rec, struct task_struct *t,
					const struct reader *r)
{
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	__u32 nocldwait = 0;

	if (!parent)
		return;
	rec->flags |= RT_SNAP_HAS_PARENT;
	rec->ppid = seen_by(tgid_pid(parent), r);
	BPF_CORE_READ_STR_INTO(&rec->parent_comm, parent, comm);
	rec->parent_sigchld = disposition(parent, SIGCHLD, &nocldwait);
	if (nocldwait)
		rec->flags |= RT_SNAP_NOCLDWAIT;
}

static __always_inline void fill_reaper(struct rt_snap_task *rec, struct pid_namespace *ns,
					const struct reader *r)
{
	struct task_struct *reaper = BPF_CORE_READ(ns, child_reaper);
	struct pid *pid;
	struct upid up = {};

	if (!reaper)
		return;
	pid = tgid_pid(reaper);
	rec->reaper_pid = seen_by(pid, r);
	pid_at_level(pid, BPF_CORE_READ(ns, level), &up);
	rec->reaper_nspid = up.nr;
	BPF_CORE_READ_STR_INTO(&rec->reaper_comm, reaper, comm);
	rec->reaper_sigchld = disposition(reaper, SIGCHLD, NULL);
	rec->reaper_sigterm = disposition(reaper, SIGTERM, NULL);
}

/*
 * The run queue of the CPU @t runs or last ran on, through its fair-class
 * entity (CONFIG_FAIR_GROUP_SCHED; a task's se.cfs_rq follows its CPU
 * whatever its class). NULL without it. (The per-CPU `runqueues` symbol
 * would need CONFIG_KALLSYMS_ALL, often unset.)
 */
static __always_inline struct rq *rq_of(struct task_struct *t)
{
	if (!bpf_core_field_exists(t->se.cfs_rq) || !bpf_core_field_exists(struct cfs_rq, rq))
		return NULL;
	return BPF_CORE_READ(t, se.cfs_rq, rq);
}

/*
 * How long ago zombie @t died, seen by @me (the reader, running), on the
 * scheduler's clock (rq->clock: sched_clock, one time base for all CPUs,
 * steal and irq time included, like the wall clock the user compares it
 * with). Its last slice began at sched_info.last_arrival (that clock) and
 * lasted sum_exec_runtime - prev_sum_exec_runtime: it died at the end of
 * it. "Now" is the rq->clock of our CPU, at most a tick old.
 *
 * Without sched_info: se.exec_start, the task clock of the CPU it died on
 * (rq->clock_task, which leaves out steal and irq time), moved to that
 * CPU's rq->clock by the current gap between the two: low by the steal
 * time of that CPU since it died. Without the run queues either: the two
 * tasks' exec_start, right when both ran on the same CPU.
 */
static __always_inline __u64 zombie_age(struct task_struct *t, struct task_struct *me)
{
	struct rq *here = rq_of(me), *there = rq_of(t);
	__u64 now, died = 0;

	if (here && bpf_core_field_exists(t->sched_info.last_arrival))
		died = BPF_CORE_READ(t, sched_info.last_arrival);
	if (died) {
		died += BPF_CORE_READ(t, se.sum_exec_runtime) -
			BPF_CORE_READ(t, se.prev_sum_exec_runtime);
		now = BPF_CORE_READ(here, clock);
	} else if (here && there) {
		died = BPF_CORE_READ(t, se.exec_start);
		now = BPF_CORE_READ(here, clock);
		died += BPF_CORE_READ(there, clock) - BPF_CORE_READ(there, clock_task);
	} else {
		died = BPF_CORE_READ(t, se.exec_start);
		now = BPF_CORE_READ(me, se.exec_start);
	}
	return now > died ? now - died : 0;
}

SEC("iter/task")
int reap_snap_task(struct bpf_iter__task *ctx)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();
	struct task_struct *t = ctx->task;
	struct rt_snap_task rec = {};
	struct signal_struct *sig;
	struct pid_namespace *ns;
	struct reader r = {};
	struct upid up = {};
	struct pid *pid;

	if (!t)
		return 0;
	pid = BPF_CORE_READ(me, thread_pid);
	r.level = BPF_CORE_READ(pid, level);
	pid_at_level(pid, r.level, &up);
	r.ns = up.ns;

	rec.pid = seen_by(tgid_pid(t), &r);
	rec.tid = seen_by(BPF_CORE_READ(t, thread_pid), &r);
	if (!rec.pid || !rec.tid)
		return 0;
	ns = task_pidns(t);
	rec.pidns = pidns_inum(ns);
	rec.pidns_level = BPF_CORE_READ(ns, level);
	pid_at_level(tgid_pid(t), rec.pidns_level, &up);
	rec.ns_pid = up.nr;
	rec.cgroup_id = task_cgroup_id(t);
	BPF_CORE_READ_STR_INTO(&rec.comm, t, comm);

	sig = BPF_CORE_READ(t, signal);
	if (BPF_CORE_READ(t, group_leader) == t) {
		rec.flags |= RT_SNAP_LEADER;
		if (sig && BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
			rec.flags |= RT_SNAP_SUBREAPER;
		/* A leader that exited while its threads live on is no zombie process yet. */
		if (BPF_CORE_READ(t, exit_state) == EXIT_ZOMBIE && sig &&
		    !BPF_CORE_READ(sig, live.counter)) {
			rec.flags |= RT_SNAP_ZOMBIE;
			rec.age_ns = zombie_age(t, me);
		}
	}
	fill_parent(&rec, t, &r);
	fill_reaper(&rec, ns, &r);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
