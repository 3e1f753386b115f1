#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# What the building blocks of reapertrace's programs cost on this kernel:
# build/rt-bench-hold attaches bench/parts.bpf.c, one program per kind of
# work, mostly on sched_process_exit (empty; fill_hdr() by probe reads; the
# same fields by direct BTF loads; a hash update + delete, preallocated and
# not; a cmpxchg slot; task storage; a ring buffer reserve; a clock read),
# and kernel.bpf_stats gives each one's ns per run over fork/exit/wait
# cycles. Writes bench/results/parts.tsv.
#
# Usage: bench/parts.sh [CYCLES]   (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

cycles=${1:-20000}
need_bins "$BUILD/rt-bench-hold" "$BUILD/bench/parts.bpf.o"

restore_on_exit

sysctl -q kernel.bpf_stats_enabled=1
before=$(prog_ids)
"$BUILD/rt-bench-hold" "$BUILD/bench/parts.bpf.o" >/dev/null &
pids=$!
ids=$(new_ids_after "$before") || die "rt-bench-hold loaded nothing from parts.bpf.o"

echo "# $(machine_line)" >"$RESULTS/parts.tsv"
printf 'program\trun_cnt\tavg_ns\n' >>"$RESULTS/parts.tsv"
machine_line
echo "one run per exit, $cycles fork/exit/wait cycles"
before=$(snapshot)
$LOAD cycles "$cycles" >/dev/null
after=$(snapshot)
deltas "$before" "$after" "$ids" | awk -v tsv="$RESULTS/parts.tsv" '$1 ~ /^part_/ {
	printf "  %-16s %8d runs %8.0f ns\n", $1, $2, $3 / $2
	printf "%s\t%d\t%.0f\n", $1, $2, $3 / $2 >> tsv }'
