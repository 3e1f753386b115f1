/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The record the snapshot iterator (bpf/snapshot.bpf.c) writes for every
 * task the reader can see. Shared by bpf/ and user/: plain fixed-width
 * types only, no pointers, no bool, no includes.
 *
 * "As the reader sees it": the number of a pid in the reader's own active
 * PID namespace (what getpid() would return there); 0 when the task is not
 * visible from it.
 */
#ifndef REAPERTRACE_SNAPSHOT_H
#define REAPERTRACE_SNAPSHOT_H

#define RT_SNAP_COMM_LEN 16

/* A signal's disposition (sighand->action[sig - 1].sa.sa_handler). */
enum rt_disposition {
	RT_DISP_DEFAULT = 0, /* SIG_DFL */
	RT_DISP_IGNORE,	     /* SIG_IGN */
	RT_DISP_HANDLER,     /* a handler function */
};

/* rt_snap_task.flags */
#define RT_SNAP_LEADER	   (1U << 0) /* the thread group leader */
#define RT_SNAP_ZOMBIE	   (1U << 1) /* leader, EXIT_ZOMBIE, no live thread left */
#define RT_SNAP_SUBREAPER  (1U << 2) /* leader of a PR_SET_CHILD_SUBREAPER process */
#define RT_SNAP_NOCLDWAIT  (1U << 3) /* the parent's SIGCHLD action has SA_NOCLDWAIT */
#define RT_SNAP_HAS_PARENT (1U << 4) /* ppid, parent_* are valid */

struct rt_snap_task {
	__u64 age_ns;	      /* zombies: how long ago it last ran (bpf/snapshot.bpf.c) */
	__u64 cgroup_id;      /* cgroup v2 id (inode of its cgroup directory) */
	__u32 pid;	      /* tgid, as the reader sees it */
	__u32 tid;	      /* thread id, as the reader sees it */
	__u32 flags;	      /* RT_SNAP_* */
	__u32 pidns;	      /* inode of the task's active PID namespace */
	__u32 pidns_level;    /* its level (0: the root namespace) */
	__u32 ns_pid;	      /* tgid inside that namespace */
	__u32 ppid;	      /* real_parent's tgid, as the reader sees it (0: not visible) */
	__u32 parent_sigchld; /* enum rt_disposition of real_parent's SIGCHLD */
	__u32 reaper_pid;     /* the namespace's child_reaper tgid, as the reader sees it */
	__u32 reaper_nspid;   /* its tgid inside the namespace */
	__u32 reaper_sigchld; /* enum rt_disposition */
	__u32 reaper_sigterm; /* enum rt_disposition */
	char comm[RT_SNAP_COMM_LEN];
	char parent_comm[RT_SNAP_COMM_LEN]; /* the real_parent thread's */
	char reaper_comm[RT_SNAP_COMM_LEN];
};

#endif /* REAPERTRACE_SNAPSHOT_H */
