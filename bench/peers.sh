#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# In-kernel cost per traced exit of reapertrace, libbpf-tools' exitsnoop and
# a bpftrace one-liner, all three attached at once to the same workloads:
# 50,000 fork/exit/wait cycles and an orphan storm. From kernel.bpf_stats
# (run_time_ns / run_cnt of every program of each tool), summed per exit,
# and the events each peer said it lost (a lost event costs it less);
# the exits are the run_cnt of reapertrace's sched_process_exit program
# (reap_proc_exit or a twin, _tp, _raw...: the one the kernel took).
# Also the CPU time (utime + stime) of each tool's own process per exit:
# its user-space consumer, reading and formatting to /dev/null.
# The cycles run ROUNDS times: the peers' cost swings with the machine's
# load (their per-event wakeups), so each round's ratio is taken side by
# side and the median of the ratios is the figure.
# Writes bench/results/cost.tsv (per program) and cost-per-exit.tsv.
#
# Usage: bench/peers.sh [CYCLES [STORM [ROUNDS]]]   (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

cycles=${1:-50000}
storm=${2:-20000}
rounds=${3:-5}
need_bins "$EXITSNOOP"
command -v "$BPFTRACE" >/dev/null || die "bpftrace missing: bench/deps.sh"

PEER_ERR=$(mktemp)
cleanup_more() {
	rm -f "$PEER_ERR" "$PEER_ERR.exitsnoop" "$PEER_ERR.bpftrace"
}
restore_on_exit

ensure_tracefs
sysctl -q kernel.bpf_stats_enabled=1
start_reapertrace -j
pids="$TOOL_PID" ours=$TOOL_IDS ours_pid=$TOOL_PID
start_exitsnoop
pids="$pids $TOOL_PID" exitsnoop=$TOOL_IDS exitsnoop_pid=$TOOL_PID
start_bpftrace
pids="$pids $TOOL_PID" bpftrace=$TOOL_IDS bpftrace_pid=$TOOL_PID
wait_attached "$ours" "$exitsnoop" "$bpftrace"

echo "# $(machine_line)" >"$RESULTS/cost.tsv"
printf 'workload\tround\ttool\tprogram\trun_cnt\tavg_ns\n' >>"$RESULTS/cost.tsv"
echo "# $(machine_line)" >"$RESULTS/cost-per-exit.tsv"
printf 'workload\tround\ttool\texits\tns_per_exit\ttool_cpu_us_per_exit\tlost\n' \
	>>"$RESULTS/cost-per-exit.tsv"

# events $1 said it lost so far (exitsnoop: "lost N events on CPU #C";
# bpftrace: "Lost N events"); reapertrace loses none here (see burst.sh)
lost_of() {
	[ -e "$PEER_ERR.$1" ] || { echo 0; return; }
	awk '{ for (i = 1; i < NF; i++) if (tolower($i) == "lost" && $(i + 1) ~ /^[0-9]+$/) n += $(i + 1) }
		END { print n + 0 }' "$PEER_ERR.$1"
}

# utime + stime of the three tools, in clock ticks
tool_ticks() {
	for p in $ours_pid $exitsnoop_pid $bpftrace_pid; do
		awk '{ printf "%d ", $14 + $15 }' "/proc/$p/stat"
	done
}
hz=$(getconf CLK_TCK)
machine_line
runs=
for r in $(seq "$rounds"); do runs="$runs cycles:$r:$cycles"; done
for run in $runs storm:1:$storm; do
	name=${run%%:*}
	round=${run#*:} round=${round%%:*}
	w="$name ${run##*:}"
	before=$(snapshot)
	ticks0=$(tool_ticks)
	lost0_e=$(lost_of exitsnoop) lost0_b=$(lost_of bpftrace)
	# shellcheck disable=SC2086
	$LOAD $w >/dev/null
	# the consumers finish what is buffered
	sleep 0.5
	ticks1=$(tool_ticks)
	after=$(snapshot)
	lost_e=$(($(lost_of exitsnoop) - lost0_e)) lost_b=$(($(lost_of bpftrace) - lost0_b))
	exits=$(deltas "$before" "$after" "$ours" | awk '$1 ~ /^reap_proc_exit/ && $1 !~ /_standby$/ { n += $2 } END { print n + 0 }')
	echo
	echo "workload: $w, round $round ($exits exits)"
	printf '  %-11s %-16s %10s %8s\n' TOOL PROGRAM RUN_CNT AVG_NS
	i=0
	for tool in reapertrace exitsnoop bpftrace; do
		i=$((i + 1))
		case $tool in
		reapertrace) ids=$ours lost=0 ;;
		exitsnoop) ids=$exitsnoop lost=$lost_e ;;
		bpftrace) ids=$bpftrace lost=$lost_b ;;
		esac
		dticks=$(($(echo "$ticks1" | cut -d' ' -f$i) - $(echo "$ticks0" | cut -d' ' -f$i)))
		deltas "$before" "$after" "$ids" | awk -v w="$name" -v r="$round" -v tool=$tool -v exits="$exits" \
			-v cpu="$dticks" -v hz="$hz" -v lost="$lost" \
			-v tsv="$RESULTS/cost.tsv" -v sum="$RESULTS/cost-per-exit.tsv" '
			{ t += $3; avg = $2 ? $3 / $2 : 0
			  printf "  %-11s %-16s %10d %8.0f\n", tool, $1, $2, avg
			  printf "%s\t%s\t%s\t%s\t%d\t%.0f\n", w, r, tool, $1, $2, avg >> tsv }
			END { u = cpu / hz * 1e6 / exits
			      printf "  %-11s %-16s %10s %8.0f ns per exit in BPF; its process: %.1f us CPU per exit; %d events lost\n", tool, "(sum)", "", t / exits, u, lost
			      printf "%s\t%s\t%s\t%d\t%.0f\t%.1f\t%d\n", w, r, tool, exits, t / exits, u, lost >> sum }'
	done
done

# Per workload: each tool's median ns per exit, and the median of the
# per-round ratios reapertrace / peer.
echo
echo "medians over the rounds (ns per exit in BPF; reapertrace / peer, round by round):"
awk -F'\t' '!/^#/ && $1 != "workload" {
		k = $1 SUBSEP $2; v[k, $3] = $5
		if (!($1 in n)) order[++nw] = $1
		if (!(k in seen)) { seen[k] = 1; rounds[$1, ++n[$1]] = $2 }
	}
	function median(a, m,   i, j, t) {
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		for (i = 1; i <= nw; i++) {
			w = order[i]; m = n[w]
			split("", o); split("", e); split("", b); split("", re); split("", rb)
			for (j = 1; j <= m; j++) {
				r = rounds[w, j]
				o[j] = v[w, r, "reapertrace"]; e[j] = v[w, r, "exitsnoop"]; b[j] = v[w, r, "bpftrace"]
				re[j] = o[j] / e[j]; rb[j] = o[j] / b[j]
			}
			printf "  %-7s %d round(s): reapertrace %.0f, exitsnoop %.0f, bpftrace %.0f; ratio to exitsnoop %.3f, to bpftrace %.3f\n",
				w, m, median(o, m), median(e, m), median(b, m), median(re, m), median(rb, m)
		}
	}' "$RESULTS/cost-per-exit.tsv"
