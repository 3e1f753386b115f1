// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the parts of reapertrace's programs cost on this kernel: each
 * program does one kind of work once per sched_process_exit, so that
 * kernel.bpf_stats gives its ns per run next to an empty program's.
 * Only for measuring (bench/parts.sh); it reports nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "events.h"
#include "bpf/task.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} parts_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 18);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct rt_event_hdr);
} parts_noprealloc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct rt_event_hdr);
} parts_prealloc SEC(".maps");

/* Keeps the compiler from dropping what a program computed. */
__u64 sink SEC(".bss");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_empty)
{
	return 0;
}

/* reapertrace's fill_hdr(): a chain of bpf_probe_read_kernel() calls */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_fill_hdr)
{
	struct rt_event_hdr h;

	fill_hdr(&h, RT_EV_ZOMBIE, (void *)bpf_get_current_task(), 0);
	sink += h.pidns + h.ns_pid + h.task.comm[0];
	return 0;
}

/* the same fields by direct loads from a trusted BTF pointer */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_fill_direct)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_struct *leader = t->group_leader;
	struct pid *pid = leader->thread_pid;
	unsigned int level = pid->level;
	struct rt_event_hdr h;
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level]);
	h.cgroup_id = t->cgroups->dfl_cgrp->kn->id;
	h.pidns = up.ns ? BPF_CORE_READ(up.ns, ns.inum) : 0;
	h.pidns_level = level;
	h.ns_pid = up.nr;
	h.task.pid = t->tgid;
	h.task.tid = t->pid;
	__builtin_memcpy(h.task.comm, t->comm, sizeof(h.task.comm));
	sink += h.pidns + h.ns_pid + h.task.comm[0] + h.cgroup_id;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_hash_noprealloc)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct rt_event_hdr h = {};

	bpf_map_update_elem(&parts_noprealloc, &key, &h, BPF_ANY);
	bpf_map_delete_elem(&parts_noprealloc, &key);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_hash_prealloc)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct rt_event_hdr h = {};

	bpf_map_update_elem(&parts_prealloc, &key, &h, BPF_ANY);
	bpf_map_delete_elem(&parts_prealloc, &key);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_ringbuf)
{
	struct rt_zombie_event *e;

	if (bpf_ringbuf_query(&parts_rb, BPF_RB_AVAIL_DATA) > (1 << 30))
		return 0;
	e = bpf_ringbuf_reserve(&parts_rb, sizeof(*e), 0);
	if (e)
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_ktime)
{
	sink += bpf_ktime_get_boot_ns();
	return 0;
}

/* A direct-mapped slot claimed with cmpxchg, filled, and released. */
struct parts_slot {
	__u64 owner;
	struct rt_event_hdr hdr;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 16);
	__type(key, __u32);
	__type(value, struct parts_slot);
} parts_slots SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_slot)
{
	__u64 me = bpf_get_current_pid_tgid();
	__u32 idx = (__u32)me & 0xffff;
	struct parts_slot *s = bpf_map_lookup_elem(&parts_slots, &idx);

	if (!s || __sync_val_compare_and_swap(&s->owner, 0, me))
		return 0;
	s->hdr.ts_ns = me;
	s->hdr.type = RT_EV_ZOMBIE;
	sink += s->hdr.ts_ns;
	__sync_val_compare_and_swap(&s->owner, me, 0);
	return 0;
}

/* Task-local storage made on the exiting task; free_task() frees it. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct rt_event_hdr);
} parts_task_storage SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(part_task_storage, struct task_struct *p)
{
	struct rt_event_hdr *h;

	h = bpf_task_storage_get(&parts_task_storage, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (h)
		h->ts_ns = 1;
	return 0;
}

/* The lookup sched_process_free would make, on the storage made at exit. */
SEC("tp_btf/sched_process_free")
int BPF_PROG(part_task_storage_get, struct task_struct *p)
{
	struct rt_event_hdr *h = bpf_task_storage_get(&parts_task_storage, p, 0, 0);

	if (h)
		sink += h->ts_ns;
	return 0;
}
