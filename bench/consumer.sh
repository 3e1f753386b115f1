#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Consumer speed without the kernel: build/rt-bench-format feeds synthetic
# records through the tracer's own join and printers into /dev/null, text
# and JSON, for fork/exit/wait cycles (zombie + reap) and for storms of
# 20,000 orphans (reparent + zombie + reap, with origins). RUNS runs each,
# the median by CPU rate. Events per second of wall clock (what this shared
# machine allowed) and per second of CPU (what the code costs), user CPU
# seconds per 100,000 events, VmHWM. Loads no BPF: needs no lock.
# Writes bench/results/consumer.tsv.
#
# Usage: bench/consumer.sh [EVENTS [RUNS]]
set -eu
. "$(dirname "$0")/lib.sh"

events=${1:-1000000}
runs=${2:-3}
fmt=$BUILD/rt-bench-format
[ -x "$fmt" ] || die "$fmt missing: run 'make bench-bin' first"
mkdir -p "$RESULTS"

echo "# $(machine_line)" >"$RESULTS/consumer.tsv"
printf 'format\tmix\tevents\tevents_per_s\tevents_per_cpu_s\tuser_s_per_100k\tvmhwm_kib\n' \
	>>"$RESULTS/consumer.tsv"
machine_line
for f in text json; do
	flag=
	[ $f = text ] || flag=-j
	for mix in cycles storm; do
		batch=0
		[ $mix = cycles ] || batch=20000
		for _ in $(seq "$runs"); do
			# shellcheck disable=SC2086
			$fmt $flag -n "$events" -b $batch
		done | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				print v["events_per_cpu_s"], v["events"], v["events_per_s"], v["user_s_per_100k"], v["vmhwm_kib"] }' |
			sort -n | awk -v f=$f -v mix=$mix -v runs="$runs" -v tsv="$RESULTS/consumer.tsv" '
			{ l[NR] = $0 } END { split(l[int((NR + 1) / 2)], m, " ")
			printf "  %-4s %-6s %8d events/s wall, %8d events/CPU-s, %.4f user s/100k, VmHWM %d KiB (median of %d)\n",
				f, mix, m[3], m[1], m[4], m[5], runs
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f, mix, m[2], m[3], m[1], m[4], m[5] >> tsv }'
	done
done
