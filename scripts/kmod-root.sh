#!/bin/sh
# Build a kernel module against headers that the host cannot use: Debian's
# headers from trixie on run kbuild tools (modpost, objtool) linked against
# glibc 2.38 or newer, and their configuration calls gcc-14 or newer with
# flags that bookworm's gcc-12 does not know. Such headers get a minimal
# Debian root that has that compiler and glibc (mmdebstrap --variant=minbase
# SUITE, with gcc-N, make, libc6-dev, libelf-dev and dwarves), cached in
# $RT_VM_CACHE/kmod-root/SUITE-gcc-N and made only when missing, and the build
# runs chrooted in it, in a private mount namespace (unshare -m) where /proc
# (objtool reads it), /dev and the directories the build needs are mounted:
# they go away with the namespace, whatever happens to the build.
#
#   scripts/kmod-root.sh need KDIR         exit 0 if KDIR needs a root, else 1
#   scripts/kmod-root.sh path KDIR         make the root if missing, print it
#   scripts/kmod-root.sh run KDIR DIR... -- COMMAND...
#                                          run COMMAND in the root, with KDIR's
#                                          package tree and each DIR mounted
#                                          at the same paths
#
# The need is read from the headers: one of their tools does not run with
# the host's libc (ldd says "not found"), or the compiler their
# include/config/auto.conf names is not on the host and is newer than the
# host's gcc (an older one, as gcc-10 for Debian's 5.10, is replaced by the
# host's gcc). The suite is the oldest of trixie and sid that has that gcc-N
# (its own package lists, in $RT_VM_CACHE/kmod-root/apt): trixie for gcc-14
# (the trixie-backports kernels), sid for gcc-16 (sid's own 7.2 and
# experimental's release candidate, seen 2026-12-03).
set -eu

CACHE=${RT_VM_CACHE:-/var/cache/reapertrace/vm}

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

conf() {
	sed -n "s/^$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$1/include/config/auto.conf" 2>/dev/null
}

# gcc's version as the kernel's CONFIG_GCC_VERSION writes it: 140200.
host_gcc_version() {
	${CC:-gcc} -dumpfullversion 2>/dev/null |
		awk -F. '{ printf "%d\n", $1 * 10000 + $2 * 100 + $3 }'
}

tools_run_here() {
	for t in "$1"/scripts/basic/fixdep "$1"/scripts/mod/modpost* "$1"/tools/objtool/objtool; do
		[ -f "$t" ] || continue
		# Only what is for this machine (Debian ships objtool.real-ARCH too).
		file -L "$t" 2>/dev/null | grep -q 'ELF 64-bit LSB.*x86-64' || continue
		if ldd "$t" 2>&1 | grep -q 'not found'; then
			echo "kmod-root: $t does not run here: $(ldd "$t" 2>&1 | grep 'not found' | head -n 1)" >&2
			return 1
		fi
	done
	return 0
}

need() {
	kdir=$1
	[ -f "$kdir/include/config/auto.conf" ] || return 1
	tools_run_here "$kdir" || return 0
	cc=$(conf "$kdir" CONFIG_CC_VERSION_TEXT | cut -d' ' -f1)
	[ -n "$cc" ] || return 1
	command -v "$cc" >/dev/null 2>&1 && return 1
	kv=$(conf "$kdir" CONFIG_GCC_VERSION)
	hv=$(host_gcc_version)
	[ -n "$kv" ] && [ -n "$hv" ] && [ "$kv" -gt "$hv" ] && {
		echo "kmod-root: $kdir wants $cc ($kv), the host has gcc $hv" >&2
		return 0
	}
	return 1
}

mirror() {
	sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
		/etc/apt/sources.list.d/debian.sources | head -n 1
}

# Private package lists of trixie and sid (not those of fetch-kernels.sh,
# which other copies of that script may rewrite for other suites).
APT=$CACHE/kmod-root/apt
apt_lists() {
	if [ ! -f "$APT/sources.list" ] || ! ls "$APT/lists/"*_Packages* >/dev/null 2>&1; then
		mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
		for s in trixie sid; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) $s main"
		done >"$APT/sources.list"
		echo "kmod-root: apt-get update (trixie sid)" >&2
		apt-get -q -o Dir::Etc::SourceList="$APT/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APT/lists" \
			-o Dir::Cache="$APT/cache" -o Debug::NoLocking=1 \
			-o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false \
			update >/dev/null
	fi
}

# The oldest suite that has PACKAGE: one whose root is made already, else
# the first in the package lists.
suite_with() {
	for s in trixie sid; do
		[ -x "$CACHE/kmod-root/$s-$1/usr/bin/$1" ] && {
			echo "$s"
			return 0
		}
	done
	apt_lists
	for s in trixie sid; do
		if apt-cache -o Dir::Etc::SourceList="$APT/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APT/lists" \
			-o Dir::Cache="$APT/cache" madison "$1" 2>/dev/null | grep -q " $s/main"; then
			echo "$s"
			return 0
		fi
	done
	echo "kmod-root: neither trixie nor sid has $1" >&2
	return 1
}

path() {
	kdir=$1
	kv=$(conf "$kdir" CONFIG_GCC_VERSION)
	[ -n "$kv" ] || {
		echo "kmod-root: $kdir names no CONFIG_GCC_VERSION" >&2
		return 1
	}
	gcc=gcc-$((kv / 10000))
	suite=$(suite_with "$gcc")
	root=$CACHE/kmod-root/$suite-$gcc
	mkdir -p "$CACHE/kmod-root"
	# One maker at a time; the others wait and then find it made.
	exec 9>"$CACHE/kmod-root/.lock"
	flock 9
	if [ ! -x "$root/usr/bin/$gcc" ] || [ ! -x "$root/usr/bin/make" ]; then
		command -v mmdebstrap >/dev/null || {
			echo "kmod-root: no mmdebstrap (scripts/deps.sh --vm installs it)" >&2
			return 1
		}
		echo "kmod-root: making $root ($suite, $gcc)" >&2
		rm -rf "$root.tmp"
		# The mirror may be a snapshot whose sid Release has expired.
		mmdebstrap --quiet --variant=minbase \
			--aptopt='Acquire::Check-Valid-Until "false"' \
			--include="$gcc,make,libc6-dev,libelf-dev,dwarves" \
			"$suite" "$root.tmp" "$(mirror)" >&2
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	exec 9>&-
	echo "$root"
}

# The top of the unpacked packages that KDIR is in (DIR/usr/src/linux-headers-X
# gives DIR: -common and kbuild are next to it), else KDIR itself.
tree_of() {
	case $1 in
	*/usr/src/*) echo "${1%%/usr/src/*}" ;;
	*) echo "$1" ;;
	esac
}

run() {
	kdir=$(cd "$1" && pwd)
	shift
	dirs=$(tree_of "$kdir")
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		dirs="$dirs $(cd "$1" && pwd)"
		shift
	done
	[ "$#" -gt 0 ] || usage
	shift
	root=$(path "$kdir")
	cwd=$(pwd)
	# Everything below runs in its own mount namespace: the mounts end with it.
	# shellcheck disable=SC2016 # expanded by the inner shells
	exec unshare --mount --propagation private sh -euc '
		root=$1
		dirs=$2
		cwd=$3
		shift 3
		mount -t proc proc "$root/proc"
		mount --bind /dev "$root/dev"
		for d in $dirs; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 /bin/sh -c "cd \"\$0\" || cd /; exec \"\$@\"" "$cwd" "$@"
	' kmod-root "$root" "$dirs" "$cwd" "$@"
}

[ "$#" -ge 2 ] || usage
cmd=$1
shift
case $cmd in
need) need "$1" ;;
path) path "$1" ;;
run) run "$@" ;;
*) usage ;;
esac
