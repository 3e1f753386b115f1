#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Workload overhead: fork/exit/wait throughput with a tracer attached over
# throughput with none, for reapertrace, exitsnoop and the bpftrace
# one-liner, each tool's output to /dev/null. PAIRS pairs of runs per tool,
# without and with alternating (which goes first alternates too); the ratio
# of each pair, their median, and their mean with its standard error: one
# pair swings by 10 % here, the effect is 1-2 %, hence many short pairs
# (61 of 2,000 cycles by default). kernel.bpf_stats is off while timing.
# Throughput is taken two ways: cycles per wall second, and cycles per CPU
# second of the workload (its user + system time and its children's, where
# the tools' programs are charged): other load on a shared machine makes the
# first swing by a factor of several and barely moves the second. Also the
# CPU time the tracer process itself used per cycle (utime + stime from
# /proc/PID/stat). Writes bench/results/overhead.tsv, or with TOOLS set
# (a subset, e.g. TOOLS=reapertrace for many pairs of one tool),
# overhead-TOOL[-TOOL].tsv.
#
# Usage: [TOOLS="reapertrace exitsnoop bpftrace"] bench/overhead.sh [CYCLES [PAIRS]]
#        (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

cycles=${1:-2000}
pairs=${2:-61}
tools=${TOOLS:-reapertrace exitsnoop bpftrace}
tsv=$RESULTS/overhead.tsv
[ -z "${TOOLS:-}" ] || tsv=$RESULTS/overhead-$(echo "$tools" | tr ' ' -).tsv
need_bins "$EXITSNOOP"

restore_on_exit

# "WALL_RATE CPU_RATE" of one run
rate() {
	$LOAD cycles "$cycles" | awk '{ print $4, $6 }'
}

# Start $1 and return once it has seen an exit (stats on only for that).
attach() {
	sysctl -q kernel.bpf_stats_enabled=1
	case $1 in
	reapertrace) start_reapertrace -j ;;
	exitsnoop) start_exitsnoop ;;
	bpftrace) start_bpftrace ;;
	esac
	pids=$TOOL_PID
	wait_attached "$TOOL_IDS"
	sysctl -q kernel.bpf_stats_enabled=0
}

# utime + stime of the tool, in clock ticks
tool_cpu() {
	awk '{ print $14 + $15 }' "/proc/$pids/stat"
}

# Timed run with the tool attached: sets with and cpu_us (tool CPU per cycle).
run_with() {
	c0=$(tool_cpu)
	with=$(rate)
	c1=$(tool_cpu)
	cpu_us=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$cycles" \
		'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
}

detach() {
	stop_pid "$pids"
	pids=
}

ensure_tracefs
sysctl -q kernel.bpf_stats_enabled=0
echo "# $(machine_line)" >"$tsv"
printf 'tool\tpair\twithout_per_s\twith_per_s\tratio\twithout_per_cpu_s\twith_per_cpu_s\tcpu_ratio\ttool_cpu_us_per_cycle\n' \
	>>"$tsv"
machine_line
echo "fork/exit/wait, $cycles cycles a run, $pairs pairs per tool"
median() {
	# shellcheck disable=SC2086
	printf '%s\n' $1 | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
# "MEAN SE": the mean of the ratios and its standard error (n > 1)
mean_se() {
	# shellcheck disable=SC2086
	printf '%s\n' $1 | awk '{ s += $1; ss += $1 * $1; n++ }
		END { m = s / n; v = (ss - n * m * m) / (n - 1); if (v < 0) v = 0
		      printf "%.3f %.4f", m, sqrt(v / n) }'
}

for tool in $tools; do
	case $tool in
	reapertrace | exitsnoop | bpftrace) ;;
	*) die "TOOLS: unknown tool $tool (reapertrace, exitsnoop, bpftrace)" ;;
	esac
	ratios=
	cpu_ratios=
	for pair in $(seq "$pairs"); do
		if [ $((pair % 2)) -eq 1 ]; then
			without=$(rate)
			attach "$tool"
			run_with
			detach
		else
			attach "$tool"
			run_with
			detach
			without=$(rate)
		fi
		# shellcheck disable=SC2086
		set -- $without $with
		ratio=$(awk -v a="$3" -v b="$1" 'BEGIN { printf "%.3f", a / b }')
		cpu_ratio=$(awk -v a="$4" -v b="$2" 'BEGIN { printf "%.3f", a / b }')
		ratios="$ratios $ratio"
		cpu_ratios="$cpu_ratios $cpu_ratio"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$pair" "$1" "$3" "$ratio" \
			"$2" "$4" "$cpu_ratio" "$cpu_us" >>"$tsv"
		printf '  %-11s pair %s: %6s/s without, %6s/s with, ratio %s; per CPU s %6s, %6s, ratio %s; tool CPU %s us/cycle\n' \
			"$tool" "$pair" "$1" "$3" "$ratio" "$2" "$4" "$cpu_ratio" "$cpu_us"
	done
	median=$(median "$ratios")
	cpu_median=$(median "$cpu_ratios")
	printf '%s\tmedian\t\t\t%s\t\t\t%s\t\n' "$tool" "$median" "$cpu_median" >>"$tsv"
	echo "  $tool: median ratio $median (wall), $cpu_median (per CPU second of the workload)"
	[ "$pairs" -gt 1 ] || continue
	# shellcheck disable=SC2046
	set -- $(mean_se "$ratios") $(mean_se "$cpu_ratios")
	printf '%s\tmean\t\t\t%s\t\t\t%s\t\n' "$tool" "$1" "$3" >>"$tsv"
	printf '%s\tstderr\t\t\t%s\t\t\t%s\t\n' "$tool" "$2" "$4" >>"$tsv"
	echo "  $tool: mean ratio $1 +- $2 (wall), $3 +- $4 (per CPU second); +- one standard error"
done
