// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floors of the hot-path figures: programs that do nothing, on each
 * tracepoint where reapertrace has a program that runs for events it
 * mostly ignores, measured with the same kernel.bpf_stats accounting. Their
 * ns per hit is what the accounting and the program call cost by
 * themselves.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/signal_generate")
int BPF_PROG(bench_e_sig)
{
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(bench_e_free)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_prctl")
int bench_e_pr_in(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_prctl")
int bench_e_pr_ret(void *ctx)
{
	return 0;
}
