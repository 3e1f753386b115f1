#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Hot-path cost: ns per hit of reapertrace's sched_switch program when it has
# nothing to do (a pipe ping-pong: context switches, no exits), next to an
# empty tp_btf sched_switch program (build/rt-bench-empty) attached at the
# same time: the floor that the program call and kernel.bpf_stats' own
# accounting cost. Writes bench-results/hotpath.tsv.
#
# Usage: scripts/bench/hotpath.sh [ROUND_TRIPS]   (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

trips=${1:-200000}
need_bins "$BUILD/rt-bench-empty"

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
pids=
cleanup() {
	for p in $pids; do stop_pid "$p"; done
	sysctl -q kernel.bpf_stats_enabled="$old_stats"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sysctl -q kernel.bpf_stats_enabled=1
start_reapertrace -j
pids="$TOOL_PID" ours=$TOOL_IDS
start_empty
pids="$pids $TOOL_PID" empty=$TOOL_IDS

echo "# $(machine_line)" >"$RESULTS/hotpath.tsv"
printf 'round\tprogram\trun_cnt\tavg_ns\n' >>"$RESULTS/hotpath.tsv"
machine_line
echo "pipe ping-pong, $trips round trips, 3 rounds"
printf '  %-5s %-16s %10s %8s\n' ROUND PROGRAM RUN_CNT AVG_NS
for round in 1 2 3; do
	before=$(snapshot)
	$LOAD pingpong "$trips" >/dev/null
	after=$(snapshot)
	deltas "$before" "$after" "$(printf '%s\n%s' "$ours" "$empty")" |
		awk -v r=$round -v tsv="$RESULTS/hotpath.tsv" '
		$1 == "reap_sched_sw" || $1 == "bench_empty_sw" {
			printf "  %-5s %-16s %10d %8.1f\n", r, $1, $2, $3 / $2
			printf "%s\t%s\t%d\t%.1f\n", r, $1, $2, $3 / $2 >> tsv }'
done
