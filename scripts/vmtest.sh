#!/bin/sh
# Run the whole test suite (build/rt-tests, module tests included) inside
# virtme-ng on Debian's own kernels.
#
#   scripts/vmtest.sh [KERNEL...] [-- TEST-FILTER...]
#
# KERNEL is 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm-backports), 6.18
# or 7.3 (trixie-backports), 7.2 (sid), or next (experimental's release
# candidate), each the newest of its series in the package lists
# (scripts/fetch-kernels.sh); default: 5.10 6.1 6.12 6.18 7.2 7.3. Filters
# after -- go to build/rt-tests (substrings of test names). Each kernel's
# TAP comes under a "=== kernel ..." heading and ends with the suite's own
# "N passed, N failed, N skipped"; a table follows.
# Exit status 1 if any kernel failed or did not boot. The table gives wall
# seconds and cpu-s, the CPU seconds QEMU used (the work, whatever else
# the machine was doing).
#
# Environment:
#   RT_VM_CACHE     kernels and virtme-ng (default /var/cache/reapertrace/vm)
#   RT_VM_KVM=1     use KVM (default: --disable-kvm, software emulation)
#   RT_VM_CPUS      vCPUs (default 1 without KVM, 2 with)
#   RT_VM_MEM       guest memory (default 4G)
#   RT_VM_TIMEOUT   seconds one kernel may take in all (default 5400)
#   RT_TEST_TIMEOUT seconds per test inside the guest (default 1800)
#   RT_STORM_SCALE  divide the storm tests' sizes (default 20 without KVM, 1 with)
#   RT_VM_KMOD=0    do not build the module (its tests skip)
#   RT_VM_LOCK      lock file held while a guest runs, one at a time
#                   (default /tmp/reapertrace-vm.lock)
#   RT_VM_TRACER=0  do not run the tracer alone first (by default the guest
#                   runs `reapertrace -v -d 1`, then with REAPERTRACE_LEGACY=1,
#                   and keeps their stderr, libbpf's and the verifier's logs,
#                   in build/vmtest/RELEASE.tracer-{btf,legacy}.log)
#   RT_VM_REPEAT    run the suite (or the tests named) this many times in one
#                   boot, for a rare failure (default 1; the exit status is
#                   the last failing run's)
#   RT_VM_PATHS     REAPERTRACE_PATHS for the guest's suite (fallback: every
#                   BPF hook on its last path; default: unset)
#   RT_VM_DOCKER=1  run the Docker tests in the guest too (default: skipped,
#                   RT_DOCKER=0: under software emulation dockerd takes 8-34 s
#                   to answer and the four tests took 472 s on 6.1)
set -eu

cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=$REPO/build/vmtest
CACHE=${RT_VM_CACHE:-/var/cache/reapertrace/vm}
export RT_VM_CACHE="$CACHE"

kernels=""
while [ "$#" -gt 0 ]; do
	case $1 in
	--)
		shift
		break
		;;
	-h | --help)
		sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		kernels="$kernels $1"
		shift
		;;
	esac
done
[ -n "$kernels" ] || kernels="5.10 6.1 6.12 6.18 7.2 7.3"
# What is left in "$@" are the filters for rt-tests.

log() { echo "vmtest: $*" >&2; }

# vng: an installed one, else the unpacked virtme-ng (run with Debian's
# python3, which has the modules it needs; python3 on PATH may not).
find_vng() {
	if command -v vng >/dev/null 2>&1; then
		VNG="vng"
		return
	fi
	v=$CACHE/virtme-ng
	PATH=$v/usr/bin:$PATH
	PYTHONPATH=$v/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
	export PATH PYTHONPATH
	VNG="/usr/bin/python3 $v/usr/bin/vng"
}

# Build the module for one kernel if the Makefile has a kmod target; print
# the .ko's path (nothing if there is no target). Returns 1 if it failed.
build_kmod() {
	release=$1
	kdir=$2
	grep -q '^kmod:' Makefile || return 0
	# The kmod target picks the compiler (Debian's headers name the one
	# the kernel was built with, gcc-10 for 5.10; the host's gcc will do)
	# and, for headers that need gcc 14+ and glibc 2.38+, builds in
	# scripts/kmod-root.sh's trixie or sid root.
	if ! make --no-print-directory kmod KDIR="$kdir" >"$OUT/kmod-$release.log" 2>&1; then
		sed 's/^/# kmod: /' "$OUT/kmod-$release.log" | tail -n 30
		return 1
	fi
	ko=$REPO/build/kmod/$release/reapertrace.ko
	if [ ! -f "$ko" ]; then
		echo "# kmod: make kmod KDIR=$kdir did not make $ko"
		return 1
	fi
	echo "$ko"
}

# The script the guest runs: make what the suite needs present, then run it.
write_guest_script() {
	cat >"$OUT/guest.sh" <<'EOF'
#!/bin/bash
# Runs inside the virtme-ng guest (written by scripts/vmtest.sh).
repo=$1
kmod=$2
out=$3
shift 3
echo "vmtest-guest: $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
# The 20,000-orphan storm needs room for 20,000 more tasks.
sysctl -qw kernel.pid_max=4194304
[ "$(cat /proc/sys/kernel/threads-max)" -ge 100000 ] || sysctl -qw kernel.threads-max=100000
ulimit -u unlimited 2>/dev/null || true
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
export PATH
grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null ||
	echo "# vmtest-guest: no cgroup2 mount (filter_cgroup will skip)"
command -v bpftool >/dev/null || echo "# vmtest-guest: no bpftool on PATH"
echo "# vmtest-guest: pid_max $(cat /proc/sys/kernel/pid_max)," \
	"threads-max $(cat /proc/sys/kernel/threads-max), RLIMIT_NPROC $(ulimit -u)," \
	"RT_KMOD=${kmod:-unset}, RT_TEST_TIMEOUT=$RT_TEST_TIMEOUT"
cd "$repo" || exit 125
# The tracer alone, both objects, before the suite: whether each loads here,
# with libbpf's and the verifier's messages kept ($out is writable).
if [ "${RT_VM_TRACER:-1}" = 1 ]; then
	for obj in btf legacy; do
		f=$out/$(uname -r).tracer-$obj
		if [ "$obj" = legacy ]; then
			REAPERTRACE_LEGACY=1 timeout 600 "$repo/build/reapertrace" -v -d 1 >"$f.out" 2>"$f.log"
		else
			env -u REAPERTRACE_LEGACY timeout 600 "$repo/build/reapertrace" -v -d 1 >"$f.out" 2>"$f.log"
		fi
		rc=$?
		echo "# vmtest-guest: reapertrace -v -d 1 ($obj object): exit $rc," \
			"$(wc -l <"$f.out") lines out, $(wc -l <"$f.log") lines in $f.log"
		[ "$rc" = 0 ] || grep -E '^libbpf: prog|failed|refused|Permission|denied' "$f.log" |
			tail -n 3 | sed 's/^/# vmtest-guest:   /'
	done
fi
if [ -n "$kmod" ]; then
	export RT_KMOD="$kmod"
else
	unset RT_KMOD
fi
# A test that makes no progress for RT_VM_STALL seconds (default 300): show
# what every task waits on, on stderr (build/vmtest/RELEASE.vng.log).
tap=/tmp/vmtest-guest.tap
: >"$tap"
(
	while sleep 60; do
		age=$(($(date +%s) - $(stat -c %Y "$tap")))
		[ "$age" -ge "${RT_VM_STALL:-300}" ] || continue
		{
			echo "vmtest-guest: no TAP line for $age s after: $(tail -n 1 "$tap")"
			# shellcheck disable=SC2009 # all tasks but kernel threads
			ps -eo pid,ppid,stat,etimes,wchan:32,args | grep -v ' \[.*\]$'
			for p in $(pgrep -f 'rt-tests|reapertrace|rt-'); do
				echo "--- $p $(cat "/proc/$p/comm") stack:"
				cat "/proc/$p/stack" 2>/dev/null
			done
		} >&2
		touch "$tap"
	done
) &
watchdog=$!
rc=0
for round in $(seq "${RT_VM_REPEAT:-1}"); do
	[ "${RT_VM_REPEAT:-1}" = 1 ] || echo "# vmtest-guest: round $round"
	RT_BIN=$repo/build/reapertrace "$repo/build/rt-tests" "$@" | tee -a "$tap"
	r=${PIPESTATUS[0]}
	[ "$r" = 0 ] || rc=$r
done
kill "$watchdog" 2>/dev/null
echo "vmtest-guest: rt-tests exit $rc"
exit "$rc"
EOF
	chmod +x "$OUT/guest.sh"
}

# Copy stdin to stdout and to FILE, and to FILE.times with the time each
# line came (seconds since the epoch), to see how long each test took.
stamp() {
	: >"$1"
	: >"$1.times"
	while IFS= read -r l; do
		printf '%s\n' "$l"
		printf '%s\n' "$l" >>"$1"
		printf '%s %s\n' "$(date +%s)" "$l" >>"$1.times"
	done
}

# CPU seconds of this shell's waited-for children (QEMU's time ends up here
# through vng) from the output of `times`, which must run in this shell,
# not in a $(subshell).
cpu_of() {
	tail -n 1 "$1" | tr 'ms' '  ' | awk '{ printf "%d\n", $1 * 60 + $2 + $3 * 60 + $4 }'
}

# Quote each argument for the guest's shell.
quote() {
	for a in "$@"; do
		printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
}

mkdir -p "$OUT"
log "building the tracer and the tests"
make --no-print-directory all >&2
# shellcheck disable=SC2086
fetched=$(scripts/fetch-kernels.sh $kernels)
find_vng
write_guest_script
# Kernel messages that fail a kernel's run (its console, saved by --verbose).
CONSOLE_BAD='BUG:|WARNING:|Oops|soft lockup|hard LOCKUP|detected stalls|blocked for more than|Call Trace|general protection|list_(add|del) corruption|refcount_t:|kmemleak'
kvm="--disable-kvm"
[ "${RT_VM_KVM:-0}" = 1 ] && kvm=""
# Under software emulation a fork takes ~100 times longer: the storms are
# scaled down (20,000 orphans / 50,000 cycles divided by this), and say so.
storm_scale=${RT_STORM_SCALE:-20}
[ -z "$kvm" ] && storm_scale=${RT_STORM_SCALE:-1}
# One vCPU under software emulation: with two, the kernel's live patching
# of tracepoint sites (text_poke_bp, done at every BPF attach and module
# load) raced with the other vCPU executing them: an "Oops: int3" in
# __schedule on 6.12 and a soft lockup in do_exit on 6.1, never with KVM.
cpus=${RT_VM_CPUS:-1}
[ -z "$kvm" ] && cpus=${RT_VM_CPUS:-2}
filters=$(quote "$@")
docker=0
[ "${RT_VM_DOCKER:-0}" = 1 ] && docker=1

vmlock=${RT_VM_LOCK:-/tmp/reapertrace-vm.lock}
summary=$OUT/summary
: >"$summary"
status=0
notes=""
for k in $kernels; do
	line=$(echo "$fetched" | awk -v k="$k" '$1 == k')
	release=$(echo "$line" | cut -d' ' -f2)
	vmlinuz=$(echo "$line" | cut -d' ' -f3)
	kdir=$(echo "$line" | cut -d' ' -f4)
	echo "=== kernel $k ($release) ==="
	# One guest on the machine at a time, whoever starts it (the CPU is
	# scarce and two TCG guests slow each other's tests into timeouts).
	exec 8>"$vmlock"
	if ! flock -n 8; then
		log "waiting for $vmlock (another guest is running)"
		flock 8
	fi
	start=$(date +%s)
	times >"$OUT/times"
	cpu0=$(cpu_of "$OUT/times")
	result=""
	ko=""
	if [ "${RT_VM_KMOD:-1}" = 0 ]; then
		echo "# vmtest: RT_VM_KMOD=0: the module is not built; its tests will skip"
	elif [ "$kdir" = - ]; then
		echo "# vmtest: the mirror has no headers for $release: the module is not built; its tests will skip"
		notes="$notes$k: no headers for $release in the mirror: the module's tests skipped
"
	elif grep -q '^kmod:' Makefile; then
		if ! ko=$(build_kmod "$release" "$kdir"); then
			echo "$ko"
			ko=""
			result="kmod-build-failed"
		fi
	else
		echo "# vmtest: no kmod target in the Makefile; module tests will skip"
	fi
	tap=$OUT/$release.tap
	# The guest's stdout is the TAP; --verbose sends the kernel's console
	# (oopses, the OOM killer) with vng's own messages to the .vng.log.
	# shellcheck disable=SC2086
	timeout --foreground -k 30 "${RT_VM_TIMEOUT:-5400}" \
		$VNG --run "$vmlinuz" $kvm --verbose --cpus "$cpus" \
		--memory "${RT_VM_MEM:-4G}" --rwdir "$OUT=$OUT" \
		--exec "RT_TEST_TIMEOUT=${RT_TEST_TIMEOUT:-1800} RT_STORM_SCALE=$storm_scale RT_VM_TRACER=${RT_VM_TRACER:-1} RT_VM_REPEAT=${RT_VM_REPEAT:-1} RT_DOCKER=$docker REAPERTRACE_PATHS=${RT_VM_PATHS:-} $OUT/guest.sh '$REPO' '$ko' '$OUT'$filters" \
		</dev/null 2>"$OUT/$release.vng.log" | sed -u 's/\r$//' | stamp "$tap" || true
	secs=$(($(date +%s) - start))
	flock -u 8
	times >"$OUT/times"
	cpu=$(($(cpu_of "$OUT/times") - cpu0))
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$tap" | tail -n 1)
	if ! grep -q '^vmtest-guest: ' "$tap"; then
		result="no-boot"
		tail -n 20 "$OUT/$release.vng.log" | sed 's/^/# vng: /'
	elif [ -z "$counts" ]; then
		result="no-result"
	elif ! grep -q '^vmtest-guest: rt-tests exit 0$' "$tap"; then
		result=${result:-FAIL}
	else
		result=${result:-PASS}
	fi
	# The kernel's own log, whatever the tests saw: any oops, warning,
	# lockup or stall during the run fails the kernel.
	if grep -E "$CONSOLE_BAD" "$OUT/$release.vng.log" >"$OUT/$release.console-bad"; then
		sed 's/^/# console: /' "$OUT/$release.console-bad" | head -n 20
		[ "$result" = PASS ] && result="FAIL-console"
	fi
	[ "$result" = PASS ] || status=1
	# shellcheck disable=SC2086 # "N passed, N failed, N skipped" -> $1 $3 $5
	set -- $counts
	printf '%-6s %-24s %-18s %6s %6s %7s %7s %7s\n' "$k" "$release" "$result" \
		"${1:--}" "${3:--}" "${5:--}" "$secs" "$cpu" >>"$summary"
done

echo "=== summary ==="
printf '%-6s %-24s %-18s %6s %6s %7s %7s %7s\n' kernel release result passed failed skipped seconds cpu-s
cat "$summary"
[ -z "$notes" ] || printf '%s' "$notes"
exit $status
