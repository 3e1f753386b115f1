#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# What --metrics costs the tracer, on beside off, side by side in one run:
#
#  1. The user side by instruction counts (valgrind --tool=callgrind, which
#     counts the same for the same input whatever else the machine does):
#     build/rt-bench-format feeds the same fork/exit/wait records through
#     the pipeline into text and JSON, without --metrics, with it (the page
#     written every 10,000 events, as the tracer writes it once a second at
#     10,000 events/s), and with 10,000 zombies held for its gauges to group.
#  2. The live tracer (-j > /dev/null) under the same workload (rt-bench-load
#     cycles N: fork, exit, wait), metrics off and on in turn, RUNS times
#     each, with a client scraping /metrics every 100 ms when on: the
#     tracer's own CPU time (user + system, /proc/PID/stat) per event.
#
# Usage: bench/metrics.sh [CYCLES [RUNS]]   (root for part 2; takes the host lock)
# Writes bench/results/metrics.tsv.
set -eu
. "$(dirname "$0")/lib.sh"

cycles=${1:-200000}
runs=${2:-3}
fmt=$BUILD/rt-bench-format
need_bins "$fmt"
command -v valgrind >/dev/null || die "valgrind missing (apt-get install valgrind)"
tsv=$RESULTS/metrics.tsv
echo "# $(machine_line)" >"$tsv"
printf 'part\tformat\tmetrics\tevents\tvalue\tunit\n' >>"$tsv"
machine_line

# Instructions of one rt-bench-format run ($@ its options), from callgrind's totals.
instructions() {
	out=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file="$out" "$fmt" "$@" >/dev/null 2>&1
	awk '/^summary:/ { print $2 }' "$out"
	rm -f "$out"
}

echo "1. user side, instructions per event (callgrind, 200,000 events)"
for f in text json; do
	flag=
	[ $f = text ] || flag=-j
	off=$(instructions $flag -n 200000)
	on=$(instructions $flag -n 200000 -m 10000)
	held=$(instructions $flag -n 200000 -m 10000 -z 10000)
	# -z adds the 10,000 zombies' own records: counted apart, by a run with them and no pages
	base_held=$(instructions $flag -n 200000 -m 1000000000 -z 10000)
	awk -v f=$f -v off="$off" -v on="$on" -v held="$held" -v bh="$base_held" -v tsv="$tsv" 'BEGIN {
		n = 200000
		printf "  %-4s off %7.1f   on %7.1f (x%.3f)   pages with 10,000 zombies held: %.0f instructions a page\n",
			f, off / n, on / n, on / off, (held - bh) / 20
		printf "1\t%s\toff\t%d\t%.1f\tinstructions/event\n", f, n, off / n >> tsv
		printf "1\t%s\ton\t%d\t%.1f\tinstructions/event\n", f, n, on / n >> tsv
		printf "1\t%s\ton+10000held\t%d\t%.0f\tinstructions/page\n", f, n, (held - bh) / 20 >> tsv
	}'
done

# Part 2: root, BPF, the host lock.
exec 9>"$LOCK"
flock 9
ensure_tracefs

# The tracer's CPU seconds (utime + stime) so far.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

# One live run: $1 off|on. Prints "events cpu_s".
live() {
	out=$(mktemp)
	err=$(mktemp)
	if [ "$1" = on ]; then
		"$TRACER" -j --metrics 127.0.0.1:0 >"$out" 2>"$err" &
	else
		"$TRACER" -j >"$out" 2>"$err" &
	fi
	pid=$!
	while ! grep -q 'reapertrace: tracing' "$err"; do sleep 0.05; done
	scraper=
	if [ "$1" = on ]; then
		port=$(sed -n 's|.*serving metrics on http://127.0.0.1:\([0-9]*\)/metrics|\1|p' "$err")
		(while :; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; sleep 0.1; done) &
		scraper=$!
	fi
	c0=$(cpu_s $pid)
	"$LOAD" cycles "$cycles" >/dev/null
	sleep 0.3
	c1=$(cpu_s $pid)
	[ -z "$scraper" ] || kill $scraper
	kill -INT $pid
	wait $pid || true
	[ -z "$scraper" ] || wait $scraper 2>/dev/null || true
	events=$(grep -c '"event":"reap"' "$out" || true)
	rm -f "$out" "$err"
	echo "$events $c0 $c1"
}

echo "2. live tracer, CPU per traced reap under rt-bench-load cycles $cycles (off and on in turn)"
for _ in $(seq "$runs"); do
	for mode in off on; do
		set -- $(live $mode)
		awk -v m=$mode -v e="$1" -v c0="$2" -v c1="$3" -v tsv="$tsv" 'BEGIN {
			us = (c1 - c0) * 1e6 / (e ? e : 1)
			printf "  metrics %-3s %6d reaps  tracer CPU %.3f s  %.2f us a reap\n", m, e, c1 - c0, us
			printf "2\tjson\t%s\t%d\t%.2f\ttracer_us/reap\n", m, e, us >> tsv
		}'
	done
done
awk -F'\t' '$1 == 2 { s[$3] += $5; n[$3]++ } END {
	printf "  mean of the runs: off %.2f us, on %.2f us a reap (x%.3f)\n",
		s["off"] / n["off"], s["on"] / n["on"], (s["on"] / n["on"]) / (s["off"] / n["off"]) }' "$tsv"
