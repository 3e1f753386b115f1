/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CO-RE readers of task_struct and friends. Those without _btf in their
 * name read through bpf_probe_read_kernel, so they work from every program
 * type.
 */
#ifndef REAPERTRACE_TASK_BPF_H
#define REAPERTRACE_TASK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "events.h"

/* include/linux/sched.h; stable since v4.14 */
#define EXIT_DEAD   0x0010
#define EXIT_ZOMBIE 0x0020
#define PF_EXITING  0x0004

/* include/uapi/asm-generic/siginfo.h */
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3

#define SIGCHLD	     17
#define SA_NOCLDWAIT 0x00000002
#define SIG_IGN	     1 /* as a sa_handler's value */

/* The pid number and namespace of @pid at @level (upid numbers[level]). */
static __always_inline int pid_at_level(struct pid *pid, unsigned int level, struct upid *out)
{
	return bpf_probe_read_kernel(out, sizeof(*out), &pid->numbers[level]);
}

/*
 * The pid number of @pid at @level; the inode of that level's namespace in
 * @ns_inum unless NULL.
 */
static __always_inline __u32 pid_nr_at_level(struct pid *pid, unsigned int level, __u32 *ns_inum)
{
	struct upid up = {};

	pid_at_level(pid, level, &up);
	if (ns_inum)
		*ns_inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

/* task_active_pid_ns(): the namespace of the task's pid at its own level. */
static __always_inline struct pid_namespace *task_pidns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct upid up = {};

	pid_at_level(pid, BPF_CORE_READ(pid, level), &up);
	return up.ns;
}

static __always_inline __u32 pidns_inum(struct pid_namespace *ns)
{
	return BPF_CORE_READ(ns, ns.inum);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

static __always_inline void task_ref(struct task_struct *t, struct rt_task *ref)
{
	ref->pid = BPF_CORE_READ(t, tgid);
	ref->tid = BPF_CORE_READ(t, pid);
	BPF_CORE_READ_STR_INTO(&ref->comm, t, comm);
}

/*
 * Fill the common head of an event about process @t (a thread group leader,
 * or any thread: the namespace pid is the tgid's).
 */
static __always_inline void fill_hdr(struct rt_event_hdr *hdr, __u32 type, struct task_struct *t,
				     __u64 ts)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	struct pid *pid = BPF_CORE_READ(leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	pid_at_level(pid, level, &up);
	hdr->ts_ns = ts;
	hdr->type = type;
	hdr->cgroup_id = task_cgroup_id(t);
	hdr->start_ns = BPF_CORE_READ(leader, start_time);
	hdr->pidns = pidns_inum(up.ns);
	hdr->pidns_level = level;
	hdr->ns_pid = up.nr;
	task_ref(t, &hdr->task);
}

/*
 * The pid of @child as @parent sees it, and the inode of @parent's namespace:
 * the key the parent's wait4()/waitid() will name the child by. A child is
 * always in its parent's namespace or below, so its pid has that level.
 */
static __always_inline void pid_seen_by(struct task_struct *child, struct task_struct *parent,
					__u32 *ns_inum, __u32 *nr)
{
	unsigned int level = BPF_CORE_READ(parent, thread_pid, level);
	struct pid *pid = BPF_CORE_READ(child, group_leader, thread_pid);
	struct upid up = {};

	pid_at_level(pid, level, &up);
	*ns_inum = pidns_inum(up.ns);
	*nr = up.nr;
}

/*
 * The same through BTF pointers: tp_btf arguments, current_task() and what
 * is reached from them by loads. The verifier turns a direct CO-RE load into
 * a guarded one, about 100 ns cheaper than a bpf_probe_read_kernel() call on
 * the guests we measured. Pointers kept as integers (in maps, or computed
 * from a list_head) still need the readers above.
 *
 * The RT_LEGACY object is for kernels before 5.12, where there is no
 * bpf_get_current_task_btf() (5.11): there these are the readers above.
 */
#ifdef RT_LEGACY
#define current_task()	       ((struct task_struct *)bpf_get_current_task())
#define RD(src, ...)	       BPF_CORE_READ(src, __VA_ARGS__)
#define pid_at_level_btf       pid_nr_at_level
#define task_ref_btf	       task_ref
#define fill_hdr_btf	       fill_hdr
#define pid_seen_by_btf	       pid_seen_by
#define task_pidns_inum_btf(t) pidns_inum(task_pidns(t))
#else
#define current_task()			  bpf_get_current_task_btf()
/* RD(t, a, b) is t->a->b, as BPF_CORE_READ(t, a, b) is in RT_LEGACY. */
#define ___rt_rd1(s, a)			  ((s)->a)
#define ___rt_rd2(s, a, b)		  ((s)->a->b)
#define ___rt_rd3(s, a, b, c)		  ((s)->a->b->c)
#define ___rt_rd4(s, a, b, c, d)	  ((s)->a->b->c->d)
#define ___rt_rd(_1, _2, _3, _4, rd, ...) rd
#define RD(src, ...) \
	___rt_rd(__VA_ARGS__, ___rt_rd4, ___rt_rd3, ___rt_rd2, ___rt_rd1, _)(src, __VA_ARGS__)

/*
 * The pid number of @pid at @level; the inode of that level's namespace in
 * @ns_inum unless NULL. A BTF pointer takes constant offsets only, so the
 * usual levels are unrolled and deeper ones read with the helper.
 */
static __always_inline __u32 pid_at_level_btf(struct pid *pid, unsigned int level, __u32 *ns_inum)
{
	__u32 nr, inum = 0;

	if (level == 0) {
		nr = pid->numbers[0].nr;
		if (ns_inum)
			inum = pid->numbers[0].ns->ns.inum;
	} else if (level == 1) {
		nr = pid->numbers[1].nr;
		if (ns_inum)
			inum = pid->numbers[1].ns->ns.inum;
	} else if (level == 2) {
		nr = pid->numbers[2].nr;
		if (ns_inum)
			inum = pid->numbers[2].ns->ns.inum;
	} else {
		nr = pid_nr_at_level(pid, level, &inum);
	}
	/* Keep the compiler from merging the branches' loads into one with a variable offset. */
	barrier_var(nr);
	barrier_var(inum);
	if (ns_inum)
		*ns_inum = inum;
	return nr;
}

static __always_inline void task_ref_btf(struct task_struct *t, struct rt_task *ref)
{
	ref->pid = t->tgid;
	ref->tid = t->pid;
	__builtin_memcpy(ref->comm, t->comm, sizeof(ref->comm));
}

static __always_inline void fill_hdr_btf(struct rt_event_hdr *hdr, __u32 type,
					 struct task_struct *t, __u64 ts)
{
	struct task_struct *leader = t->group_leader;
	struct pid *pid = leader->thread_pid;
	unsigned int level = pid->level;

	hdr->ts_ns = ts;
	hdr->type = type;
	hdr->cgroup_id = t->cgroups->dfl_cgrp->kn->id;
	hdr->start_ns = leader->start_time;
	hdr->ns_pid = pid_at_level_btf(pid, level, &hdr->pidns);
	hdr->pidns_level = level;
	task_ref_btf(t, &hdr->task);
}

static __always_inline void pid_seen_by_btf(struct task_struct *child, struct task_struct *parent,
					    __u32 *ns_inum, __u32 *nr)
{
	*nr = pid_at_level_btf(child->group_leader->thread_pid, parent->thread_pid->level, ns_inum);
}

/* The inode of @t's active PID namespace. */
static __always_inline __u32 task_pidns_inum_btf(struct task_struct *t)
{
	struct pid *pid = t->thread_pid;
	__u32 inum;

	pid_at_level_btf(pid, pid->level, &inum);
	return inum;
}
#endif /* RT_LEGACY */

#endif /* REAPERTRACE_TASK_BPF_H */
