#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# This build of reapertrace against another build of it (an earlier commit,
# say), both attached at once to the same workloads: fork/exit/wait cycles
# and an orphan storm, in text and in JSON. Per build and workload: the
# in-kernel cost per exit (kernel.bpf_stats: run_time_ns of all its
# programs over the exits) and its process's CPU time per exit (utime +
# stime: the consumer reading, joining and printing to /dev/null). Both see
# the same exits on the same machine at the same moment, so the ratio
# this / other, round by round, is the figure: its median is printed.
# The program attached first runs first on every tracepoint and meets the
# task's cache lines cold (about 1.4 times the second's cost, measured with
# two copies of one build), so each format runs ROUNDS rounds with this
# build attached first, then ROUNDS with the other first, and round r of
# one half is paired with round r of the other (below). CPU time comes from /proc/PID/task/*/schedstat
# (nanoseconds), not from clock ticks.
# Writes bench/results/ab.tsv.
#
# Build the other one in its own tree, for example:
#   git worktree add /tmp/old e2664c5 && make -C /tmp/old build/reapertrace
#   bench/ab.sh /tmp/old/build/reapertrace
#
# Usage: bench/ab.sh OTHER_REAPERTRACE [CYCLES [STORM [ROUNDS]]]   (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || die "usage: bench/ab.sh OTHER_REAPERTRACE [CYCLES [STORM [ROUNDS]]]"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

other=$1
cycles=${2:-50000}
storm=${3:-20000}
rounds=${4:-5}
need_bins "$other"
this=$TRACER

restore_on_exit
ensure_tracefs
sysctl -q kernel.bpf_stats_enabled=1

echo "# $(machine_line); this $this ($("$this" -V)); other $other ($("$other" -V))" >"$RESULTS/ab.tsv"
printf 'format\tworkload\tround\tfirst\tbuild\texits\tns_per_exit\tcpu_us_per_exit\n' >>"$RESULTS/ab.tsv"

# Start build $1 (this or other) with the format's flag; sets ${1}_pid
# and ${1}_ids.
start_build() {
	if [ "$1" = this ]; then
		TRACER=$this start_reapertrace $flag
		this_pid=$TOOL_PID this_ids=$TOOL_IDS
	else
		TRACER=$other start_reapertrace $flag
		other_pid=$TOOL_PID other_ids=$TOOL_IDS
	fi
	pids="$pids $TOOL_PID"
}

# CPU time of every thread of process $1, in nanoseconds.
cpu_ns_of() {
	cat /proc/"$1"/task/*/schedstat | awk '{ n += $1 } END { print n }'
}

machine_line
for format in text json; do
	flag=
	[ $format = text ] || flag=-j
	for first in this other; do
		if [ $first = this ]; then
			start_build this
			start_build other
		else
			start_build other
			start_build this
		fi
		wait_attached "$this_ids" "$other_ids"
		for r in $(seq "$rounds"); do
			for w in "cycles $cycles" "storm $storm"; do
				before=$(snapshot)
				t0=$(cpu_ns_of "$this_pid") o0=$(cpu_ns_of "$other_pid")
				# shellcheck disable=SC2086
				$LOAD $w >/dev/null
				# the consumers finish what is buffered
				sleep 0.5
				t1=$(cpu_ns_of "$this_pid") o1=$(cpu_ns_of "$other_pid")
				after=$(snapshot)
				for build in this other; do
					if [ $build = this ]; then
						ids=$this_ids cpu=$((t1 - t0))
					else
						ids=$other_ids cpu=$((o1 - o0))
					fi
					deltas "$before" "$after" "$ids" | awk -v f=$format -v w="${w% *}" \
						-v r="$r" -v first=$first -v b=$build -v cpu="$cpu" -v tsv="$RESULTS/ab.tsv" '
						$1 ~ /^reap_proc_exit/ && $1 !~ /_standby$/ { exits += $2 }
						{ ns += $3 }
						END { if (!exits) exit 1
						      printf "%s\t%s\t%s\t%s\t%s\t%d\t%.0f\t%.3f\n", f, w, r, first, b,
							exits, ns / exits, cpu / 1e3 / exits >> tsv }' ||
						die "no exit counted for $build: was its exit program attached?"
				done
			done
		done
		stop_pid "$this_pid"
		stop_pid "$other_pid"
		pids=
	done
done

# Per format and workload: each build's median over all rounds, and the
# median over the rounds r of sqrt(ratio with this first in round r x ratio
# with the other first in round r), this / other: the order's effect
# cancels in each pair.
echo
echo "medians over $rounds pairs of rounds (this / other; below 1: this build costs less):"
awk -F'\t' '!/^#/ && $1 != "format" {
		k = $1 " " $2; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		if ($3 > n[k]) n[k] = $3
		v[k, $3, $4, $5, "ns"] = $7; v[k, $3, $4, $5, "cpu"] = $8
	}
	function median(a, m,   i, j, t) {
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	function ratio(k, r, what,   a, b, c, d) {
		a = v[k, r, "this", "this", what]; b = v[k, r, "this", "other", what]
		c = v[k, r, "other", "this", what]; d = v[k, r, "other", "other", what]
		return b && d ? sqrt(a / b * c / d) : 0
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]; m = n[k]
			split("", tn); split("", on); split("", rn); split("", tc); split("", oc); split("", rc)
			for (j = 1; j <= m; j++) {
				tn[j] = v[k, j, "this", "this", "ns"]; tn[m + j] = v[k, j, "other", "this", "ns"]
				on[j] = v[k, j, "this", "other", "ns"]; on[m + j] = v[k, j, "other", "other", "ns"]
				tc[j] = v[k, j, "this", "this", "cpu"]; tc[m + j] = v[k, j, "other", "this", "cpu"]
				oc[j] = v[k, j, "this", "other", "cpu"]; oc[m + j] = v[k, j, "other", "other", "cpu"]
				rn[j] = ratio(k, j, "ns"); rc[j] = ratio(k, j, "cpu")
			}
			printf "  %-12s in BPF %5.0f vs %5.0f ns per exit (ratio %.3f); process %.2f vs %.2f us CPU per exit (ratio %.3f)\n",
				k, median(tn, 2 * m), median(on, 2 * m), median(rn, m), median(tc, 2 * m), median(oc, 2 * m), median(rc, m)
		}
	}' "$RESULTS/ab.tsv"
