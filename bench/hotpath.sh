#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Hot-path cost: ns per hit of each reapertrace program that runs for
# events it mostly has nothing to do with, next to an empty program on the
# same tracepoint (bench/empty.bpf.c, held by build/rt-bench-hold) attached
# at the same time: the
# floor that the program call and kernel.bpf_stats' own accounting cost.
#
#   signal_generate     signals a process sends itself: not exit notifications
#   sys_enter/exit_prctl  prctl(PR_GET_DUMPABLE): not PR_SET_CHILD_SUBREAPER
#   sched_process_free  fork/exit/wait: the zombie's wait reported it already
#
# Writes bench/results/hotpath.tsv.
#
# No reapertrace program runs on sched_switch, the hottest tracepoint.
#
# Usage: bench/hotpath.sh [N]   (root; takes the host lock; N
#        signals and prctls: 200,000; cycles: N / 10)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

n=${1:-200000}
need_bins "$BUILD/rt-bench-hold" "$BUILD/bench/empty.bpf.o"

restore_on_exit

ensure_tracefs
sysctl -q kernel.bpf_stats_enabled=1
start_reapertrace -j
pids="$TOOL_PID" ours=$TOOL_IDS
start_empty
pids="$pids $TOOL_PID" empty=$TOOL_IDS

echo "# $(machine_line)" >"$RESULTS/hotpath.tsv"
printf 'workload\tround\tprogram\trun_cnt\tavg_ns\n' >>"$RESULTS/hotpath.tsv"
machine_line
echo "3 rounds a workload; ours next to an empty program on the same tracepoint"
printf '  %-16s %-5s %-16s %10s %8s\n' WORKLOAD ROUND PROGRAM RUN_CNT AVG_NS
# workload, then the programs it is about (ours, then the empty one)
for w in "signals $n:reap_signal_gen bench_e_sig" \
	"prctls $n:reap_prctl_in bench_e_pr_in reap_prctl_ret bench_e_pr_ret" \
	"cycles $((n / 10)):reap_proc_free bench_e_free"; do
	work=${w%%:*} progs=${w#*:}
	for round in 1 2 3; do
		before=$(snapshot)
		# shellcheck disable=SC2086
		$LOAD $work >/dev/null
		after=$(snapshot)
		deltas "$before" "$after" "$(printf '%s\n%s' "$ours" "$empty")" |
			awk -v w="${work% *}" -v r=$round -v progs="$progs" -v tsv="$RESULTS/hotpath.tsv" '
			BEGIN { n = split(progs, p, " ") }
			{ run[$1] = $2; ns[$1] = $3 }
			END { for (i = 1; i <= n; i++) if (run[p[i]]) {
				printf "  %-16s %-5s %-16s %10d %8.1f\n", w, r, p[i], run[p[i]], ns[p[i]] / run[p[i]]
				printf "%s\t%s\t%s\t%d\t%.1f\n", w, r, p[i], run[p[i]], ns[p[i]] / run[p[i]] >> tsv } }'
	done
done
