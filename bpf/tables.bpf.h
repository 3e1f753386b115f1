/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The state reapertrace's programs keep between tracepoints: the zombies
 * (by the pid their parent's wait names them by, and by global pid), and
 * the wait and prctl calls in flight.
 *
 * A hash map update and delete cost more than a microsecond a pair on the
 * guests we measured (bench/README.md), and a zombie made three such pairs.
 * So each table is first a direct-mapped array of slots, claimed and
 * released with cmpxchg: array lookups are inlined by the verifier, and
 * nothing is allocated. A key whose slot is taken goes to the hash map
 * behind it, which is only looked at while it holds something.
 *
 * The RT_LEGACY object (kernels without BPF atomics, before 5.12: the
 * verifier refuses a cmpxchg anywhere in a program) uses the hash maps
 * alone; the *_hashed counters are kept there too, but not read.
 */
#ifndef REAPERTRACE_TABLES_BPF_H
#define REAPERTRACE_TABLES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "events.h"

#define EEXIST 17

/* Slot states besides "holds this key" (keys are never 0 or all ones). */
#define SLOT_FREE 0ULL
#define SLOT_BUSY (~0ULL)

#define ZOMBIE_SLOTS   16384
#define TASK_SLOTS     16384
#define INFLIGHT_SLOTS 4096

/* Take a slot holding @from for ourselves; true if we did. */
static __always_inline bool slot_claim(__u64 *slot, __u64 from)
{
	return __sync_val_compare_and_swap(slot, from, SLOT_BUSY) == from;
}

/*
 * Claim a slot to put @key in: 1 if it was free, 0 if it held @key already
 * (a stale entry: a key is not reused while its entry lives), -1 if it
 * holds another key.
 */
static __always_inline int slot_claim_for(__u64 *slot, __u64 key)
{
	if (slot_claim(slot, SLOT_FREE))
		return 1;
	return slot_claim(slot, key) ? 0 : -1;
}

/* Hand a claimed slot over to @to, after what we wrote to or read from it. */
static __always_inline void slot_publish(__u64 *slot, __u64 to)
{
#ifdef __TARGET_ARCH_x86
	/* x86 orders a store after earlier loads and stores: a plain one releases. */
	asm volatile("" ::: "memory");
	*(volatile __u64 *)slot = to;
#else
	__sync_val_compare_and_swap(slot, SLOT_BUSY, to);
#endif
}

/*
 * Put @value under @key in the hash map @map, replacing a stale entry:
 * 1 if the key is new there (the caller counts it), 0 if it replaced one,
 * or -errno.
 */
static __always_inline long hash_put(void *map, const void *key, const void *value)
{
	long err = bpf_map_update_elem(map, key, value, BPF_NOEXIST);

	if (!err)
		return 1;
	if (err != -EEXIST)
		return err;
	return bpf_map_update_elem(map, key, value, BPF_ANY);
}

/* ---- zombies by (parent's namespace, pid there) ---- */

/* A zombie, named as its parent's wait will name it. */
struct zombie_key {
	__u32 pidns; /* inode of the parent's PID namespace */
	__u32 nr;    /* the zombie's pid in that namespace */
};

/* hdr.task.pid and hdr.start_ns say which process, also once its pids are gone. */
struct zombie {
	struct rt_event_hdr hdr; /* the zombie as it died; ts_ns = became a zombie */
};

#define MAX_ZOMBIES (1 << 18)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ZOMBIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct zombie_key);
	__type(value, struct zombie);
} zombies SEC(".maps");

struct zombie_slot {
	__u64 key; /* zombie_key_u64() of the zombie in it, or SLOT_* */
	struct zombie z;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ZOMBIE_SLOTS); /* 1 in the RT_LEGACY object: user space */
	__type(key, __u32);
	__type(value, struct zombie_slot);
} zombie_slots SEC(".maps");

/* Entries in the zombies hash map, besides the slots. */
__u32 zombies_hashed SEC(".bss");

/*
 * Zombies tracked, slots and hash map: while none, a task's release has
 * nothing to look up (most releases come after the wait that reported
 * them). Apart from everything else: it is written at every zombie and
 * every reap, from both CPUs of a fork/exit/wait, and read at every free.
 */
__u32 zombies_live SEC(".data.zombies_live");

static __always_inline __u64 zombie_key_u64(const struct zombie_key *key)
{
	return (__u64)key->pidns << 32 | key->nr;
}

#ifndef RT_LEGACY
/*
 * A pid's slot, offset per namespace: consecutive pids take consecutive
 * slots, so that a new zombie's slot mostly shares a page (and a TLB entry)
 * and a cache line with the last one's. Spread by a hash, each zombie cost
 * a TLB and a cache miss in a 1 MiB array: 200-270 ns at every zombie.
 */
static __always_inline struct zombie_slot *zombie_slot_of(__u64 k)
{
	__u32 ns_offset = (__u32)(((k >> 32) * 0x9E3779B97F4A7C15ULL) >> 40);
	__u32 i = ((__u32)k + ns_offset) & (ZOMBIE_SLOTS - 1);

	return bpf_map_lookup_elem(&zombie_slots, &i);
}
#endif

/*
 * Remember @z under @key. A zombie there already is a stale one (a pid is
 * not reused while its zombie exists): it is replaced. 0 or -errno.
 */
static __always_inline long zombie_insert(const struct zombie_key *key, const struct zombie *z)
{
	long err;
#ifndef RT_LEGACY
	__u64 k = zombie_key_u64(key);
	struct zombie_slot *s = zombie_slot_of(k);
	int fresh = s ? slot_claim_for(&s->key, k) : -1;

	if (s && fresh >= 0) {
		s->z = *z;
		slot_publish(&s->key, k);
		if (fresh)
			__sync_fetch_and_add(&zombies_live, 1);
		return 0;
	}
#endif
	err = hash_put(&zombies, key, z);
	if (err <= 0)
		return err;
	__sync_fetch_and_add(&zombies_hashed, 1);
	__sync_fetch_and_add(&zombies_live, 1);
	return 0;
}

/* Whether a zombie is recorded under @key (one started at @start_ns, unless 0). */
static __always_inline bool zombie_known(const struct zombie_key *key, __u64 start_ns)
{
	struct zombie *z;
#ifndef RT_LEGACY
	__u64 k = zombie_key_u64(key);
	struct zombie_slot *s = zombie_slot_of(k);

	if (s && s->key == k)
		return !start_ns || s->z.hdr.start_ns == start_ns;
	if (!zombies_hashed)
		return false;
#endif
	z = bpf_map_lookup_elem(&zombies, key);
	return z && (!start_ns || z->hdr.start_ns == start_ns);
}

/*
 * Remove the zombie under @key (if it started at @start_ns, unless 0) into @out.
 * True for the one caller that removed it: the wait and the release paths
 * may race for it, and only one of them reports the reap.
 */
static __always_inline bool zombie_take(const struct zombie_key *key, __u64 start_ns,
					struct zombie *out)
{
	struct zombie *z;
#ifndef RT_LEGACY
	__u64 k = zombie_key_u64(key);
	struct zombie_slot *s = zombie_slot_of(k);

	if (s && s->key == k) {
		if (!slot_claim(&s->key, k))
			return false;
		*out = s->z;
		if (start_ns && out->hdr.start_ns != start_ns) {
			slot_publish(&s->key, k);
			return false;
		}
		slot_publish(&s->key, SLOT_FREE);
		__sync_fetch_and_add(&zombies_live, -1);
		return true;
	}
	if (!zombies_hashed)
		return false;
#endif
	z = bpf_map_lookup_elem(&zombies, key);
	if (!z || (start_ns && z->hdr.start_ns != start_ns))
		return false;
	*out = *z;
	if (bpf_map_delete_elem(&zombies, key))
		return false;
	__sync_fetch_and_add(&zombies_hashed, -1);
	__sync_fetch_and_add(&zombies_live, -1);
	return true;
}

/*
 * ---- the same zombies by global pid ----
 *
 * Once released, a task's pids are gone (detach_pid() clears thread_pid),
 * so sched_process_free can only name it by what task_struct keeps: its
 * global pid (task->pid) and its start time. A zombie whose parent is in
 * the root namespace is keyed by that pid already; only the others need
 * this second index.
 */

/* include/linux/proc_ns.h: the root PID namespace's inode, fixed since 3.8. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

static __always_inline bool zombie_key_is_global(const struct zombie_key *key)
{
	return key->pidns == PROC_PID_INIT_INO;
}

struct zombie_task {
	struct zombie_key key;
	__u64 start_ns; /* its leader's start_time: the pid may be someone else's by then */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ZOMBIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32); /* global pid of the zombie (its leader's) */
	__type(value, struct zombie_task);
} zombie_tasks SEC(".maps");

struct task_slot {
	__u64 pid; /* the zombie's global pid, or SLOT_* */
	struct zombie_task zt;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TASK_SLOTS);
	__type(key, __u32);
	__type(value, struct task_slot);
} task_slots SEC(".maps");

__u32 zombie_tasks_hashed SEC(".bss");
/* Entries in the index, slots and hash: while none, a release need not look. */
__u32 zombie_tasks_live SEC(".bss");

#ifndef RT_LEGACY
static __always_inline struct task_slot *task_slot_of(__u32 pid)
{
	__u32 i = pid & (TASK_SLOTS - 1);

	return bpf_map_lookup_elem(&task_slots, &i);
}
#endif

static __always_inline long zombie_task_insert(__u32 pid, const struct zombie_task *zt)
{
	long err;
#ifndef RT_LEGACY
	struct task_slot *s = task_slot_of(pid);
	int fresh = s ? slot_claim_for(&s->pid, pid) : -1;

	if (s && fresh >= 0) {
		s->zt = *zt;
		slot_publish(&s->pid, pid);
		if (fresh)
			__sync_fetch_and_add(&zombie_tasks_live, 1);
		return 0;
	}
#endif
	err = hash_put(&zombie_tasks, &pid, zt);
	if (err <= 0)
		return err;
	__sync_fetch_and_add(&zombie_tasks_hashed, 1);
	__sync_fetch_and_add(&zombie_tasks_live, 1);
	return 0;
}

/*
 * Forget the zombie with global pid @pid that started at @start_ns; true,
 * with its key in @out, if it was one.
 */
static __always_inline bool zombie_task_take(__u32 pid, __u64 start_ns, struct zombie_key *out)
{
	struct zombie_task *zt;
#ifndef RT_LEGACY
	struct task_slot *s;
#endif

	/* Every task that is freed may pass here: mostly, no zombie is indexed. */
	if (!zombie_tasks_live)
		return false;
#ifndef RT_LEGACY
	s = task_slot_of(pid);
	if (s && s->pid == pid) {
		if (!slot_claim(&s->pid, pid))
			return false;
		if (s->zt.start_ns != start_ns) {
			slot_publish(&s->pid, pid);
			return false;
		}
		*out = s->zt.key;
		slot_publish(&s->pid, SLOT_FREE);
		__sync_fetch_and_add(&zombie_tasks_live, -1);
		return true;
	}
	if (!zombie_tasks_hashed)
		return false;
#endif
	zt = bpf_map_lookup_elem(&zombie_tasks, &pid);
	if (!zt || zt->start_ns != start_ns)
		return false;
	*out = zt->key;
	if (bpf_map_delete_elem(&zombie_tasks, &pid))
		return false;
	__sync_fetch_and_add(&zombie_tasks_hashed, -1);
	__sync_fetch_and_add(&zombie_tasks_live, -1);
	return true;
}

/* ---- syscalls in flight: their arguments, for their sys_exit ---- */

enum inflight_call {
	CALL_WAIT4 = 1,
	CALL_WAITID,
	CALL_PRCTL_SUBREAPER,
};

struct inflight {
	__u64 uptr;    /* wait4: int __user *status; waitid: siginfo_t __user * */
	__u32 call;    /* enum inflight_call */
	__u32 arg;     /* wait4, waitid: options; prctl: enable */
	__s32 target;  /* wait4, waitid: the one child waited for (a pid), else 0 */
	__u32 entered; /* set by its sys_enter, cleared as its do_wait() begins */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct inflight);
} inflight SEC(".maps");

struct inflight_slot {
	__u64 tid; /* the thread in the call, or SLOT_*: a u64 for slot_claim() */
	struct inflight in;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, INFLIGHT_SLOTS);
	__type(key, __u32);
	__type(value, struct inflight_slot);
} inflight_slots SEC(".maps");

__u32 inflight_hashed SEC(".bss");

#ifndef RT_LEGACY
/* Thread ids are handed out in sequence: their low bits spread them well. */
static __always_inline struct inflight_slot *inflight_slot_of(__u32 tid)
{
	__u32 i = tid & (INFLIGHT_SLOTS - 1);

	return bpf_map_lookup_elem(&inflight_slots, &i);
}
#endif

/*
 * Thread @tid entered a call. A slot it holds already is its own from a call
 * that never returned (sys_exit does not run for a thread killed in it).
 */
static __always_inline void inflight_enter(__u32 tid, const struct inflight *in)
{
#ifndef RT_LEGACY
	struct inflight_slot *s = inflight_slot_of(tid);

	if (s && slot_claim_for(&s->tid, tid) >= 0) {
		s->in = *in;
		slot_publish(&s->tid, tid);
		return;
	}
#endif
	if (hash_put(&inflight, &tid, in) > 0)
		__sync_fetch_and_add(&inflight_hashed, 1);
}

/* Where the call thread @tid is in is kept, its slot or its hash entry; NULL if none. */
static __always_inline struct inflight *inflight_lookup(__u32 tid)
{
#ifndef RT_LEGACY
	struct inflight_slot *s = inflight_slot_of(tid);

	if (s && s->tid == tid)
		return &s->in;
	if (!inflight_hashed)
		return NULL;
#endif
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* The call thread @tid is in, if any, into @out; @take: it is leaving it. */
static __always_inline bool inflight_get(__u32 tid, struct inflight *out, bool take)
{
	struct inflight *in;
#ifndef RT_LEGACY
	struct inflight_slot *s;

	if (take) {
		s = inflight_slot_of(tid);
		if (s && s->tid == tid) {
			if (!slot_claim(&s->tid, tid))
				return false;
			*out = s->in;
			slot_publish(&s->tid, SLOT_FREE);
			return true;
		}
	}
#endif
	in = inflight_lookup(tid);
	if (!in)
		return false;
	*out = *in;
	if (take && !bpf_map_delete_elem(&inflight, &tid))
		__sync_fetch_and_add(&inflight_hashed, -1);
	return true;
}

/*
 * Thread @tid (current) begins the wait it is in: 1 if its sys_enter was
 * seen (the mark is cleared, which tells it from a later wait whose
 * sys_enter run is skipped); else 0 with the call still in flight, a
 * skipped return's, in @out; -1 if there is none.
 */
static __always_inline int inflight_begin(__u32 tid, struct inflight *out)
{
	/* Only the thread itself writes its entry: it is running this. */
	struct inflight *in = inflight_lookup(tid);

	if (!in)
		return -1;
	if (in->entered) {
		in->entered = 0;
		return 1;
	}
	*out = *in;
	return 0;
}

#endif /* REAPERTRACE_TABLES_BPF_H */
