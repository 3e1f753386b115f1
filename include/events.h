/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The records the BPF programs put in the ring buffer, and the counters they
 * keep in .bss. Shared by bpf/ and user/: plain fixed-width types only, no
 * pointers, no bool, no includes (the includer provides __u32 and friends).
 */
#ifndef REAPERTRACE_EVENTS_H
#define REAPERTRACE_EVENTS_H

#define RT_COMM_LEN 16

enum rt_event_type {
	/*
	 * One orphan of an exiting thread, taken at sched_process_exit, before
	 * the kernel picks the new parent. User space holds it until the
	 * RT_EV_ADOPTED record of the same old parent says who adopted it.
	 */
	RT_EV_REPARENT = 1,
	/* The orphans of one exiting thread were adopted: the actual new parent. */
	RT_EV_ADOPTED,
	RT_EV_ZOMBIE,
	RT_EV_REAP,
	RT_EV_SUBREAPER,
	/* A signal the kernel discarded: sent to a namespace init with no handler for it. */
	RT_EV_INIT_SIGNAL_DROPPED,
	/* A namespace's init exited: the kernel killed what was left in it. */
	RT_EV_NS_TEARDOWN,
	/* A namespace's child_reaper thread exited: another thread of it took over. */
	RT_EV_REAPER_HANDOFF,
	RT_EV_MAX,
};

enum rt_reaper_kind {
	RT_KIND_UNKNOWN = 0,
	RT_KIND_THREAD,	   /* a live sibling thread of the old parent */
	RT_KIND_SUBREAPER, /* an ancestor with PR_SET_CHILD_SUBREAPER */
	RT_KIND_NS_INIT,   /* child_reaper of a non-root PID namespace */
	RT_KIND_INIT,	   /* child_reaper of the root PID namespace */
};

enum rt_reap_how {
	RT_REAP_WAIT4 = 1,
	RT_REAP_WAITID,
	RT_REAP_AUTO, /* released without a wait: SIG_IGN, SA_NOCLDWAIT, the kernel */
};

/*
 * Children of one exiting thread walked at most: with bpf_loop() (5.17),
 * and in the bounded loop of older kernels. Past it, RT_STAT_ORPHANS_TRUNCATED.
 */
#define RT_MAX_ORPHANS	       (1U << 22)
#define RT_MAX_ORPHANS_BOUNDED 32768

/* rt_reparent_event.flags */
#define RT_REPARENT_WAS_ZOMBIE (1U << 0)

/*
 * rt_zombie_event.flags: a zombie that existed when tracing started, found
 * by a task iterator; hdr.ts_ns is then when it last ran (approximately its
 * exit), and its reap will be reported.
 */
#define RT_ZOMBIE_EXISTING (1U << 0)

/* rt_adopted_event.flags */
#define RT_ADOPTED_UNRESOLVED (1U << 0) /* no orphan left to read the new parent from */
#define RT_ADOPTED_NONE	      (1U << 1) /* not reparented: killed with their namespace, or reaped */

/* A task as the events name it: pid is the tgid, both global (init ns). */
struct rt_task {
	__u32 pid;
	__u32 tid;
	char comm[RT_COMM_LEN];
};

/* The head of every record: who the event is about, and where it lives. */
struct rt_event_hdr {
	__u64 ts_ns;	 /* CLOCK_BOOTTIME */
	__u64 cgroup_id; /* cgroup v2 id of the task */
	__u64 start_ns;	 /* the process's start (leader's start_time): with pid, one process */
	__u32 type;	 /* enum rt_event_type */
	__u32 pidns;	 /* inode number of the task's active PID namespace */
	__u32 pidns_level;
	__u32 ns_pid; /* the task's tgid as seen inside pidns */
	struct rt_task task;
};

struct rt_reparent_event {
	struct rt_event_hdr hdr;   /* the orphan */
	struct rt_task old_parent; /* the exiting thread it belonged to, with its comm */
	__u32 flags;		   /* RT_REPARENT_* */
	__u32 pdeath_signal;	   /* sent to the orphan on reparent, 0 if none */
};

struct rt_adopted_event {
	struct rt_event_hdr hdr; /* the old parent (thread) at its exit; ts_ns: when settled */
	struct rt_task new_parent;
	__u64 exit_ts_ns; /* hdr.ts_ns of its orphans' REPARENT records */
	__u32 exit_tid;	  /* its tid then: their old_parent.tid (exec may change it) */
	__u32 kind;	  /* enum rt_reaper_kind */
	__u32 nr_orphans; /* children walked, released ones included */
	__u32 flags;	  /* RT_ADOPTED_* */
};

struct rt_zombie_event {
	struct rt_event_hdr hdr; /* the zombie process (its leader) */
	struct rt_task parent;	 /* the thread that was sent the exit notification */
	__s32 exit_code;	 /* when exited (si_code CLD_EXITED), else -1 */
	__s32 signal;		 /* killing signal, 0 when exited */
	__u32 core_dumped;
	__u32 flags; /* RT_ZOMBIE_* */
};

struct rt_reap_event {
	struct rt_event_hdr hdr; /* the zombie, as it was recorded */
	struct rt_task reaper;	 /* all zero when how == RT_REAP_AUTO */
	__u64 zombie_ns;	 /* how long it was a zombie */
	__u32 how;		 /* enum rt_reap_how */
	__u32 __pad;
};

struct rt_subreaper_event {
	struct rt_event_hdr hdr; /* the process that called prctl() */
	__u32 enabled;
	__u32 __pad;
};

struct rt_init_signal_event {
	struct rt_event_hdr hdr; /* the init: the thread the signal was sent to */
	struct rt_task sender;	 /* the task that sent it (current) */
	__s32 signal;
	__s32 si_code; /* SI_USER (0) for kill(), SI_TKILL, SI_QUEUE, SI_KERNEL... */
};

struct rt_ns_teardown_event {
	struct rt_event_hdr hdr; /* the init; tid: its thread that tore the namespace down */
	__u32 killed;		 /* processes of the namespace the kernel killed */
	__u32 __pad;
};

struct rt_reaper_handoff_event {
	struct rt_event_hdr hdr;   /* the init; tid: the reaper thread that exited */
	struct rt_task new_reaper; /* the thread that is the namespace's child_reaper now */
};

/* Counters in .bss, read by user space through the skeleton's mmap. */
enum rt_stat {
	RT_STAT_LOST_REPARENT = RT_EV_REPARENT, /* ring buffer full, per type */
	RT_STAT_LOST_ADOPTED = RT_EV_ADOPTED,
	RT_STAT_LOST_ZOMBIE = RT_EV_ZOMBIE,
	RT_STAT_LOST_REAP = RT_EV_REAP,
	RT_STAT_LOST_SUBREAPER = RT_EV_SUBREAPER,
	RT_STAT_LOST_INIT_SIGNAL_DROPPED = RT_EV_INIT_SIGNAL_DROPPED,
	RT_STAT_LOST_NS_TEARDOWN = RT_EV_NS_TEARDOWN, /* also: reaper exit not tracked */
	RT_STAT_LOST_REAPER_HANDOFF = RT_EV_REAPER_HANDOFF,
	RT_STAT_ORPHANS_TRUNCATED = RT_EV_MAX, /* children past the walk limit */
	RT_STAT_ZOMBIE_TABLE_FULL,	       /* zombie not tracked: its reap will be missed */
	RT_STAT_ADOPTED_UNRESOLVED,
	RT_STAT_EXIT_STANDBY_RUNS, /* exits the standby walked: the walk's run was skipped */
	RT_STAT_MAX,
};

#endif /* REAPERTRACE_EVENTS_H */
