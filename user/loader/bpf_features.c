// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the running kernel offers the BPF programs, probed before loading: see bpf_features.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "loader/bpf_features.h"

/* Whether the verifier takes a BPF_CMPXCHG (5.12); 5.10 refuses it anywhere in a program. */
static bool has_atomics(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
		  .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1,
		  .off = -8,
		  .imm = BPF_CMPXCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int rt_features_probe(struct rt_features *f)
{
	struct btf *vmlinux;
	int err;

	memset(f, 0, sizeof(*f));
	/*
	 * tp_btf programs get the helpers of raw tracepoints; libbpf cannot
	 * probe a tracing program itself (it needs an attach target).
	 */
	err = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL);
	if (err < 0) {
		fprintf(stderr, "reapertrace: cannot probe the kernel for bpf_loop(): %s\n",
			strerror(-err));
		return err;
	}
	f->bpf_loop = err;
	err = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_current_task_btf,
				      NULL);
	f->btf_loads_atomics = err > 0 && has_atomics();

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		err = -errno;
		fprintf(stderr, "reapertrace: cannot read the kernel's BTF: %s\n", strerror(-err));
		return err;
	}
	f->mem_alloc = btf__find_by_name_kind(vmlinux, "bpf_mem_alloc", BTF_KIND_STRUCT) >= 0;
	btf__free(vmlinux);
	return 0;
}

unsigned int rt_features_max_orphans(const struct rt_features *f)
{
	return f->bpf_loop ? RT_MAX_ORPHANS : RT_MAX_ORPHANS_BOUNDED;
}
