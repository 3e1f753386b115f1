#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# Burst capacity: orphan storms of N children (one parent exits, all are
# adopted at once, then released and reaped) traced by reapertrace at its
# default settings, JSON to a file. For each N: events lost (the tracer's
# own count), reparent / zombie / reap records of the children (each must
# be N), how long the storm took, and the tracer's memory: VmHWM (which
# includes the ring buffer's pages, mapped in full at start: twice its data
# size) and the peak of RssAnon (its own memory), sampled every 20 ms.
# kernel.pid_max and kernel.threads-max are raised for the run if too low,
# and restored. Appends to bench/results/burst.tsv.
#
# Usage: bench/burst.sh [N...]   (default 20000 50000 100000 200000;
#                                          root; takes the host lock)
set -eu
. "$(dirname "$0")/lib.sh"
[ -n "${RT_BENCH_LOCKED:-}" ] || RT_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"

[ "$#" -gt 0 ] || set -- 20000 50000 100000 200000
need_bins "$LOAD"
out_dir=${BENCH_TMP:-/var/tmp}

old_pid_max=$(sysctl -n kernel.pid_max)
old_threads_max=$(sysctl -n kernel.threads-max)
tpid=
out=
cleanup() {
	stop_pid "$tpid"
	sysctl -q kernel.pid_max="$old_pid_max"
	sysctl -q kernel.threads-max="$old_threads_max"
	[ -z "$out" ] || rm -f "$out" "$out.err" "$out.done" "$out.anon"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Room for N more tasks, or why not (stdout).
no_room() {
	n=$1
	tasks=$(cut -d/ -f2 /proc/loadavg | cut -d' ' -f1)
	avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	# a blocked child costs tens of KiB of kernel memory; be generous, keep 2 GiB free
	need_kib=$((n * 128 + 2 * 1024 * 1024))
	[ "$avail_kib" -ge "$need_kib" ] ||
		{ echo "MemAvailable ${avail_kib} KiB < ${need_kib} KiB"; return 0; }
	cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
	pids_max=$(cat "/sys/fs/cgroup$cg/pids.max" 2>/dev/null || echo max)
	if [ "$pids_max" != max ] && [ "$pids_max" -lt $((n + tasks + 100)) ]; then
		echo "pids.max $pids_max"
		return 0
	fi
	return 1
}

# appends to an existing table (run.sh runs one size at a time)
if [ ! -s "$RESULTS/burst.tsv" ]; then
	echo "# $(machine_line)" >"$RESULTS/burst.tsv"
	printf 'n\tlost\treparent\tzombie\treap\ttracer_vmhwm_kib\ttracer_peak_rssanon_kib\tstorm_s\tresult\n' \
		>>"$RESULTS/burst.tsv"
fi
machine_line
# root with CAP_SYS_ADMIN is not held to RLIMIT_NPROC
echo "RLIMIT_NPROC $(awk '/Max processes/ { print $3 }' /proc/self/limits), pid_max $old_pid_max, threads-max $old_threads_max"
for n in "$@"; do
	if why=$(no_room "$n"); then
		echo "  N=$n: skipped: $why"
		printf '%s\t\t\t\t\t\t\t\tskipped: %s\n' "$n" "$why" >>"$RESULTS/burst.tsv"
		continue
	fi
	[ "$(sysctl -n kernel.pid_max)" -ge $((n * 2 + 32768)) ] ||
		sysctl -q kernel.pid_max=$((n * 2 + 32768))
	[ "$(sysctl -n kernel.threads-max)" -ge $((n * 2 + 32768)) ] ||
		sysctl -q kernel.threads-max=$((n * 2 + 32768))
	out=$(mktemp "$out_dir/rt-burst.XXXXXX")
	: >"$out.err"
	"$TRACER" -j >"$out" 2>"$out.err" &
	tpid=$!
	until grep -q "reapertrace: tracing" "$out.err"; do
		kill -0 "$tpid" 2>/dev/null || { cat "$out.err" >&2; die "reapertrace failed"; }
		sleep 0.05
	done
	(
		peak=0
		while kill -0 "$tpid" 2>/dev/null && [ ! -e "$out.done" ]; do
			r=$(awk '/^RssAnon:/ { print $2 }' "/proc/$tpid/status" 2>/dev/null || echo 0)
			[ "${r:-0}" -le "$peak" ] || peak=$r
			sleep 0.02
		done
		echo "$peak" >"$out.anon"
	) &
	sampler=$!
	storm_s=$($LOAD storm "$n" | awk '{ print $3 }') || storm_s=failed
	# the drain: adoptions are held until the last of the storm is read
	sleep 1
	touch "$out.done"
	wait "$sampler"
	anon=$(cat "$out.anon")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$tpid/status")
	stop_pid "$tpid"
	tpid=
	lost=$(sed -n 's/^reapertrace: [0-9]* events, \([0-9]*\) lost$/\1/p' "$out.err")
	counts=$(grep '"comm":"rt-storm-kid"' "$out" | awk -F'"event":"' '
		{ split($2, a, "\""); c[a[1]]++ }
		END { printf "%d %d %d", c["reparent"], c["zombie"], c["reap"] }')
	# shellcheck disable=SC2086
	set -- $counts
	result=ok
	[ "$lost" = 0 ] && [ "$1" -eq "$n" ] && [ "$2" -eq "$n" ] && [ "$3" -eq "$n" ] ||
		result=LOSS
	[ "$storm_s" != failed ] || result="storm failed"
	printf '  N=%-7s lost %-4s reparent %-7s zombie %-7s reap %-7s storm %.1f s; tracer VmHWM %s KiB, peak RssAnon %s KiB: %s\n' \
		"$n" "${lost:-?}" "$1" "$2" "$3" "$storm_s" "$hwm" "$anon" "$result"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${lost:-?}" "$1" "$2" "$3" "$hwm" \
		"$anon" "$storm_s" "$result" >>"$RESULTS/burst.tsv"
	grep -v "reapertrace: tracing\|events, .* lost$" "$out.err" | sed 's/^/    /' || true
	rm -f "$out" "$out.err" "$out.done" "$out.anon"
	out=
done
