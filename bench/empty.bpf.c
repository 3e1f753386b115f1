// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of the hot-path figure: a tp_btf sched_switch program that does
 * nothing, measured with the same kernel.bpf_stats accounting as
 * reapertrace's reap_sched_sw. Its ns per hit is what the accounting and
 * the program call cost by themselves.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_empty_sw, bool preempt, struct task_struct *prev)
{
	return 0;
}
