#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Start-up: time from just before reapertrace's exec to the first event it
# can report (attached), and to the moment that event was read from its
# output. rt-bench-load starts it and runs a marker process every
# millisecond until one is reported; the first reported marker's own
# timestamp (CLOCK_BOOTTIME, as the exec time) says when it was attached, to
# within a marker interval. RUNS runs, median. Writes bench/results/startup.tsv.
#
# Usage: bench/startup.sh [RUNS]   (root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

runs=${1:-7}
need_bins "$LOAD"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# $(machine_line)" >"$RESULTS/startup.tsv"
printf 'run\tfirst_event_ms\tseen_ms\tmarkers\n' >>"$RESULTS/startup.tsv"
machine_line
for run in $(seq "$runs"); do
	# shellcheck disable=SC2046
	set -- $($LOAD startup "$out" "$TRACER" -j 2>/dev/null)
	[ "$1" = startup ] || die "startup run $run failed"
	printf '%s\t%s\t%s\t%s\n' "$run" "$2" "$3" "$4" >>"$RESULTS/startup.tsv"
	echo "  run $run: first event at $2 ms, read at $3 ms ($4 markers)"
done
awk -F'\t' 'NR > 2 { a[++n] = $2; b[n] = $3 }
	function median(v, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)] }
	END { printf "  median: attached (first event) %.1f ms, first event read %.1f ms\n", median(a, n), median(b, n) }' \
	"$RESULTS/startup.tsv"
