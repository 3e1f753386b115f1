#!/bin/sh
# In-kernel cost of reapertrace's BPF programs, from the kernel's own
# accounting (kernel.bpf_stats_enabled): run_cnt and average ns per program,
# and the sum per traced exit, for each workload of the scenario library.
# Prints figures; asserts nothing. Run as root from the repository root,
# with nothing else tracing.
#
# Usage: bench/prog-cost.sh [SCENARIO...]   (default: storm_cycles storm_reparent)
# REAPERTRACE_PATHS (README: When the kernel refuses a program) reaches the
# tracer: REAPERTRACE_PATHS=fallback measures the programs of the last paths.
set -eu

tracer=${RT_BIN:-build/reapertrace}
scenario=${RT_SCENARIO:-build/rt-scenario}
if [ ! -x "$tracer" ] || [ ! -x "$scenario" ]; then
	echo "prog-cost: run 'make' first" >&2
	exit 1
fi
[ "$#" -gt 0 ] || set -- storm_cycles storm_reparent

# name run_time_ns run_cnt, one line per reap_* program
snapshot() {
	bpftool prog show | awk '
		/ name reap_/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "name") n = $(i + 1)
				if ($i == "run_time_ns") t = $(i + 1)
				if ($i == "run_cnt") c = $(i + 1)
			}
			print n, t + 0, c + 0; t = c = 0
		}'
}

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
tpid=
cleanup() {
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	sysctl -q kernel.bpf_stats_enabled="$old_stats"
}
trap cleanup EXIT INT TERM

sysctl -q kernel.bpf_stats_enabled=1
errfile=$(mktemp)
"$tracer" -j >/dev/null 2>"$errfile" &
tpid=$!
while ! grep -q "reapertrace: tracing" "$errfile"; do
	kill -0 "$tpid" 2>/dev/null || { cat "$errfile" >&2; exit 1; }
	sleep 0.1
done

echo "kernel $(uname -r), $(nproc) cpus, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
for name in "$@"; do
	before=$(snapshot)
	"$scenario" -n "$name" >/dev/null
	after=$(snapshot)
	# The exit program is reap_proc_exit or one of its twins (_raw, _tp, _bounded...);
	# its standby runs at every exit too, and is counted in the cost, not the exits.
	exits=$(printf '%s\n' "$after" | awk '$1 ~ /^reap_proc_exit/ && $1 !~ /_standby$/ { n += $3 } END { print n + 0 }')
	exits_before=$(printf '%s\n' "$before" | awk '$1 ~ /^reap_proc_exit/ && $1 !~ /_standby$/ { n += $3 } END { print n + 0 }')
	echo
	echo "workload: $name ($((exits - exits_before)) exits traced)"
	printf '%s\n%s\n' "$before" "$after" | awk -v exits=$((exits - exits_before)) '
		{ if ($1 in t0) { dt[$1] = $2 - t0[$1]; dc[$1] = $3 - c0[$1] } else { t0[$1] = $2; c0[$1] = $3 } }
		END {
			printf "  %-20s %10s %10s\n", "PROGRAM", "RUN_CNT", "AVG_NS"
			for (p in dt) {
				if (dc[p] > 0) printf "  %-20s %10d %10.0f\n", p, dc[p], dt[p] / dc[p]
				sum += dt[p]
			}
			if (exits > 0) printf "  all programs, per traced exit: %.0f ns\n", sum / exits
		}'
done
rm -f "$errfile"
