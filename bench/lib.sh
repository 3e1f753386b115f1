# shellcheck shell=sh disable=SC2034
# Shared by the benchmark scripts: paths, the host lock, BPF program
# snapshots and starting/stopping the three tracers. Sourced, not run.

BUILD=${BUILD:-build}
TRACER=${RT_BIN:-$BUILD/reapertrace}
LOAD=$BUILD/rt-bench-load
RESULTS=${RESULTS:-bench/results}
LOCK=/tmp/reapertrace-host.lock
EXITSNOOP=${EXITSNOOP:-/usr/sbin/exitsnoop}
BPFTRACE=${BPFTRACE:-bpftrace}
# The bpftrace peer: one line per exiting process, as exitsnoop prints.
BPFTRACE_PROG='tracepoint:sched:sched_process_exit /pid == tid/ { printf("%s %d %d\n", comm, pid, curtask->exit_code >> 8); }'

die() {
	echo "bench: $*" >&2
	exit 1
}

need_bins() {
	for b in "$TRACER" "$LOAD" "$@"; do
		case $b in
		*.bpf.o) [ -r "$b" ] ;;
		*) [ -x "$b" ] ;;
		esac || die "$b missing: run 'make bench-bin' first"
	done
	[ "$(id -u)" -eq 0 ] || die "run as root"
	mkdir -p "$RESULTS"
}

# Classic tracepoint programs (exitsnoop, bpftrace, our syscall ones) need it.
ensure_tracefs() {
	[ -e /sys/kernel/tracing/events ] ||
		mount -t tracefs tracefs /sys/kernel/tracing
}

# "id name run_time_ns run_cnt" for every loaded program.
snapshot() {
	bpftool prog show -j | jq -r '.[] | "\(.id) \(.name // "-") \(.run_time_ns // 0) \(.run_cnt // 0)"'
}

prog_ids() {
	bpftool prog show -j | jq -r '.[].id' | sort -n
}

# Wait until the set of programs grows beyond the ids in $1 and stays so
# for a moment; print the new ids.
new_ids_after() {
	before=$1
	i=0
	while [ $i -lt 300 ]; do
		now=$(prog_ids)
		new=$(printf '%s\n' "$now" | grep -vxF -e "$before" -e '' || true)
		if [ -n "$new" ]; then
			sleep 0.3
			now=$(prog_ids)
			printf '%s\n' "$now" | grep -vxF -e "$before" -e '' || true
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Sum of run_cnt of the programs with ids $1 (newline separated).
run_cnt_of() {
	snapshot | awk -v ids="$1" 'BEGIN { n = split(ids, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		($1 in want) { s += $4 } END { print s + 0 }'
}

# Run markers until every program group (ids, one group per argument,
# counted by its sched_process_exit-like programs) saw an event: the tools
# are attached, not just loaded. Needs kernel.bpf_stats_enabled=1.
wait_attached() {
	for ids in "$@"; do
		c0=$(run_cnt_of "$ids")
		i=0
		while [ "$(run_cnt_of "$ids")" -le "$c0" ]; do
			"$LOAD" marker >/dev/null
			sleep 0.02
			i=$((i + 1))
			[ $i -lt 500 ] || die "a tracer never ran"
		done
	done
}

# start_TOOL: start it with stdout to /dev/null; sets TOOL_PID and TOOL_IDS.
# The peers' stderr (their lost-event notes) goes to $PEER_ERR.TOOL if set.
start_reapertrace() {
	before=$(prog_ids)
	err=$(mktemp)
	"$TRACER" "$@" >/dev/null 2>"$err" &
	TOOL_PID=$!
	i=0
	until grep -q "reapertrace: tracing" "$err"; do
		kill -0 "$TOOL_PID" 2>/dev/null || { cat "$err" >&2; die "reapertrace failed"; }
		sleep 0.02
		i=$((i + 1))
		[ $i -lt 1500 ] || die "reapertrace did not start"
	done
	rm -f "$err"
	TOOL_IDS=$(new_ids_after "$before")
}

start_exitsnoop() {
	before=$(prog_ids)
	err=/dev/null
	[ -z "${PEER_ERR:-}" ] || err=$PEER_ERR.exitsnoop
	"$EXITSNOOP" >/dev/null 2>"$err" &
	TOOL_PID=$!
	TOOL_IDS=$(new_ids_after "$before") || die "exitsnoop loaded nothing"
}

start_bpftrace() {
	before=$(prog_ids)
	err=/dev/null
	[ -z "${PEER_ERR:-}" ] || err=$PEER_ERR.bpftrace
	BPFTRACE_STRLEN=16 "$BPFTRACE" -e "$BPFTRACE_PROG" >/dev/null 2>"$err" &
	TOOL_PID=$!
	TOOL_IDS=$(new_ids_after "$before") || die "bpftrace loaded nothing"
}

start_empty() {
	before=$(prog_ids)
	"$BUILD/rt-bench-hold" "$BUILD/bench/empty.bpf.o" >/dev/null &
	TOOL_PID=$!
	TOOL_IDS=$(new_ids_after "$before") || die "rt-bench-hold loaded nothing from empty.bpf.o"
}

stop_pid() {
	[ -n "$1" ] || return 0
	kill -INT "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# The script's own extra cleanup, if it defines one after sourcing this.
cleanup_more() { :; }

restore() {
	for p in $pids; do stop_pid "$p"; done
	cleanup_more
	sysctl -q kernel.bpf_stats_enabled="$old_stats"
}

# From here on, on exit however it comes: stop the processes in $pids, run
# cleanup_more, and put kernel.bpf_stats_enabled back as it was.
restore_on_exit() {
	old_stats=$(sysctl -n kernel.bpf_stats_enabled)
	pids=
	trap restore EXIT
	trap 'exit 1' INT TERM
}

# Per-program deltas between two snapshots, limited to the ids in $3:
# "name run_cnt run_time_ns" lines.
deltas() {
	printf '%s\n--\n%s\n' "$1" "$2" | awk -v ids="$3" '
		BEGIN { n = split(ids, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		$0 == "--" { second = 1; next }
		!($1 in want) { next }
		!second { t0[$1] = $3; c0[$1] = $4; next }
		{ print $2, $4 - c0[$1], $3 - t0[$1] }'
}

machine_line() {
	echo "kernel $(uname -r); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
