#!/bin/sh
# Regenerate vmlinux.h, the kernel types the BPF programs are compiled
# against (CO-RE relocates them to the running kernel at load time).
# Usage: scripts/gen-vmlinux.sh [BTF_FILE] > vmlinux.h
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
command -v bpftool >/dev/null || { echo "gen-vmlinux: bpftool not found; run scripts/deps.sh" >&2; exit 1; }
[ -r "$btf" ] || { echo "gen-vmlinux: no BTF at $btf (needs CONFIG_DEBUG_INFO_BTF=y)" >&2; exit 1; }
bpftool btf dump file "$btf" format c
