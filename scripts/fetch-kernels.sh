#!/bin/sh
# Fetch Debian's own kernels and virtme-ng into a cache, without touching the
# machine's apt setup: a private sources list (the mirror of
# /etc/apt/sources.list.d/debian.sources, suites bullseye bookworm
# bookworm-backports trixie trixie-backports sid experimental), private apt
# lists and cache, then `apt-get download` and `dpkg -x`.
#
#   scripts/fetch-kernels.sh [SERIES...]   (default: 5.10 6.1 6.12 6.18 7.2 7.3)
#
# SERIES and the suite it comes from:
#   5.10 bullseye, 6.1 bookworm, 6.12 bookworm-backports, 6.12-trixie trixie,
#   6.18 and 7.3 trixie-backports, 7.2 sid, next experimental (its newest
#   release candidate; not in the default list).
# The release (ABI name) is resolved from the package lists at run time:
# linux-image-amd64's dependency if it is of the series (always for next),
# else the newest linux-image-SERIES.N...-amd64 that the suite has. It
# unpacks the kernel (linux-image; from 7.x Debian splits it: linux-image-X
# is a metapackage, linux-binary-X holds usr/lib/modules/X/vmlinuz and
# linux-modules-X the modules, and lib/modules is made to point at
# usr/lib/modules, where virtme-ng looks), and linux-headers-X-amd64, -common
# and linux-kbuild into $RT_VM_CACHE/X/, and fixes the headers' symlinks so
# that KDIR=$RT_VM_CACHE/X/usr/src/linux-headers-X builds a module (with
# scripts/kmod-root.sh where the headers need a newer gcc and glibc than the
# host's). A series whose release has no headers in the mirror (6.18 in
# trixie-backports, seen 2026-12-03) is fetched without: KDIR is "-".
# It prints one line per series: "SERIES RELEASE VMLINUZ KDIR", and writes
# the same to $RT_VM_CACHE/SERIES.env. virtme-ng (trixie's 1.35) is unpacked
# into $RT_VM_CACHE/virtme-ng/; it boots 7.2, 7.3 and 7.3-rc7 with their
# modules as well (seen 2026-12-03), so sid's 1.41 is not needed. A second run reuses what is there; RT_VM_REFRESH=1
# updates the package lists and picks up a newer ABI.
#
# 6.12 comes from bookworm-backports, not trixie: it is the same 6.12 series
# built with bookworm's gcc-12, so its module builds on the host itself.
# 6.12-trixie fetches trixie's own kernel anyway.
set -eu

CACHE=${RT_VM_CACHE:-/var/cache/reapertrace/vm}
APT=$CACHE/apt

suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	6.12-trixie) echo trixie ;;
	6.18 | 7.3) echo trixie-backports ;;
	7.2) echo sid ;;
	next) echo experimental ;;
	*) return 1 ;;
	esac
}

mirror() {
	# The first URIs: line is the main archive (the next is -security).
	sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
		/etc/apt/sources.list.d/debian.sources | head -n 1
}

apt_() {
	apt-get -q -o Dir::Etc::SourceList="$APT/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APT/lists" \
		-o Dir::Cache="$APT/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false "$@"
}

apt_cache() {
	apt-cache -o Dir::Etc::SourceList="$APT/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APT/lists" \
		-o Dir::Cache="$APT/cache" "$@"
}

apt_setup() {
	uri=$(mirror)
	[ -n "$uri" ] || {
		echo "fetch-kernels: no URIs: line in /etc/apt/sources.list.d/debian.sources" >&2
		exit 1
	}
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$CACHE/debs"
	cat >"$APT/sources.list.new" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri experimental main
EOF
	if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" ||
		! ls "$APT/lists/"*_Packages* >/dev/null 2>&1 ||
		[ "${RT_VM_REFRESH:-0}" = 1 ]; then
		mv "$APT/sources.list.new" "$APT/sources.list"
		echo "fetch-kernels: apt-get update ($uri: bullseye bookworm bookworm-backports trixie trixie-backports sid experimental)" >&2
		apt_ update >/dev/null
	else
		rm -f "$APT/sources.list.new"
	fi
}

# The version of PACKAGE in SUITE (empty if none).
version_in() {
	apt_cache madison "$1" | awk -v s=" $2/" 'index($0, s) && $0 ~ /Packages/ { print $3; exit }'
}

# The names PACKAGE=VERSION depends on, one a line.
depends_of() {
	apt_cache show "$1=$2" | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',' '\n' | sed 's/^ *//; s/ .*//; s/|.*//'
}

# Download PACKAGE=VERSION into debs/ (once) and print the .deb's path.
fetch_deb() {
	# apt names the file NAME_VERSION_ARCH.deb, the epoch left out.
	glob="$1_$(echo "$2" | sed 's/^[0-9]*://')_*.deb"
	f=$(find "$CACHE/debs" -maxdepth 1 -name "$glob" | head -n 1)
	if [ -z "$f" ]; then
		(cd "$CACHE/debs" && apt_ download "$1=$2" >/dev/null)
		f=$(find "$CACHE/debs" -maxdepth 1 -name "$glob" | head -n 1)
	fi
	echo "$f"
}

fetch_vng() {
	dir=$CACHE/virtme-ng
	[ -x "$dir/usr/bin/vng" ] && return 0
	v=$(version_in virtme-ng trixie)
	[ -n "$v" ] || {
		echo "fetch-kernels: no virtme-ng in trixie" >&2
		exit 1
	}
	deb=$(fetch_deb virtme-ng "$v")
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg -x "$deb" "$dir.tmp"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	echo "fetch-kernels: virtme-ng $v in $dir" >&2
}

# Make every absolute symlink under DIR point into ROOT instead of /.
fix_links() {
	root=$1
	find "$2" -type l | while read -r l; do
		t=$(readlink "$l")
		case $t in
		/*) ln -sfn "$root$t" "$l" ;;
		esac
	done
}

# The newest release of SERIES that SUITE has, by its linux-image-X-amd64
# packages: linux-image-amd64's own dependency if it is of that series
# (next: whatever it is), else the newest linux-image-SERIES.N...-amd64.
release_of() {
	series=$1
	suite=$2
	mv=$(version_in linux-image-amd64 "$suite")
	rel=""
	if [ -n "$mv" ]; then
		rel=$(depends_of linux-image-amd64 "$mv" | sed -n 's/^linux-image-//p' | head -n 1)
		# Debian's 5.10 image is linux-image-5.10.0-NN-amd64-unsigned.
		rel=${rel%-unsigned}
	fi
	case $series in
	next) ;;
	6.12-trixie) ;;
	*)
		case $rel in
		"$series".* | "$series"-*) ;;
		*)
			esc=$(echo "$series" | sed 's/\./\\./g')
			best="" bestv=""
			for p in $(apt_cache pkgnames "linux-image-$series." |
				grep -E "^linux-image-$esc\.[0-9]+(\+deb[0-9]+)?-amd64$"); do
				v=$(version_in "$p" "$suite")
				[ -n "$v" ] || continue
				if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then
					best=$p
					bestv=$v
				fi
			done
			rel=${best#linux-image-}
			;;
		esac
		;;
	esac
	echo "$rel"
}

fetch_series() {
	series=$1
	suite=$(suite_of "$series") || {
		echo "fetch-kernels: unknown kernel series $series (5.10, 6.1, 6.12, 6.18, 7.2, 7.3, next or 6.12-trixie)" >&2
		exit 2
	}
	envf=$CACHE/$series.env
	if [ -s "$envf" ] && [ "${RT_VM_REFRESH:-0}" != 1 ]; then
		# shellcheck disable=SC1090 # RELEASE, VMLINUZ, KDIR
		. "$envf"
		if [ -f "$VMLINUZ" ] && { [ "$KDIR" = - ] || [ -f "$KDIR/Makefile" ]; }; then
			# shellcheck disable=SC2153 # set by $envf
			echo "$series $RELEASE $VMLINUZ $KDIR"
			return 0
		fi
	fi
	release=$(release_of "$series" "$suite")
	[ -n "$release" ] || {
		echo "fetch-kernels: no $series kernel (linux-image-$series.*-amd64) in $suite" >&2
		exit 1
	}
	img=linux-image-$release
	kv=$(version_in "$img" "$suite")
	if [ -z "$kv" ]; then
		img=linux-image-$release-unsigned
		kv=$(version_in "$img" "$suite")
	fi
	[ -n "$kv" ] || {
		echo "fetch-kernels: $suite has no $img" >&2
		exit 1
	}
	pkgs="$img=$kv"
	# From 7.x the image is a metapackage: the kernel is in linux-binary-X,
	# the modules in linux-modules-X.
	for d in $(depends_of "$img" "$kv"); do
		case $d in
		linux-binary-"$release" | linux-modules-"$release")
			pkgs="$pkgs $d=$(version_in "$d" "$suite")"
			;;
		esac
	done
	hdr=linux-headers-$release
	hv=$(version_in "$hdr" "$suite")
	if [ -n "$hv" ]; then
		pkgs="$pkgs $hdr=$hv"
		for d in $(depends_of "$hdr" "$hv"); do
			case $d in
			linux-headers-*-common* | linux-kbuild-*)
				pkgs="$pkgs $d=$(version_in "$d" "$suite")"
				;;
			esac
		done
	else
		echo "fetch-kernels: $suite has no $hdr: no module can be built for $release" >&2
	fi

	root=$CACHE/$release
	rm -rf "$root.tmp" && mkdir -p "$root.tmp"
	for p in $pkgs; do
		deb=$(fetch_deb "${p%%=*}" "${p#*=}")
		[ -n "$deb" ] || {
			echo "fetch-kernels: could not download $p" >&2
			exit 1
		}
		dpkg -x "$deb" "$root.tmp"
	done
	# virtme-ng looks for the modules in lib/modules next to the kernel;
	# trixie's and later packages put them in usr/lib/modules.
	if [ -d "$root.tmp/usr/lib/modules" ] && [ ! -e "$root.tmp/lib/modules" ]; then
		mkdir -p "$root.tmp/lib"
		ln -s ../usr/lib/modules "$root.tmp/lib/modules"
	fi
	rm -rf "$root" && mv "$root.tmp" "$root"
	# Now that the folder has its final name, point the absolute links
	# (lib/modules/X/build, the headers' scripts and tools) into it.
	fix_links "$root" "$root"

	VMLINUZ=$root/boot/vmlinuz-$release
	[ -f "$VMLINUZ" ] || VMLINUZ=$root/usr/lib/modules/$release/vmlinuz
	KDIR=-
	if [ -n "$hv" ]; then
		KDIR=$root/usr/src/linux-headers-$release
		# "include /usr/src/...-common/Makefile", and from 7.x also
		# "KBUILD_OUTPUT=/usr/src/...".
		sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
			-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" "$KDIR/Makefile"
	fi
	if [ ! -f "$VMLINUZ" ] || { [ "$KDIR" != - ] && [ ! -f "$KDIR/Makefile" ]; }; then
		echo "fetch-kernels: $pkgs did not give a vmlinuz and $KDIR/Makefile" >&2
		exit 1
	fi
	printf 'RELEASE=%s\nVMLINUZ=%s\nKDIR=%s\n' "$release" "$VMLINUZ" "$KDIR" >"$envf"
	echo "fetch-kernels: $series: $pkgs in $root" >&2
	echo "$series $release $VMLINUZ $KDIR"
}

[ "$#" -gt 0 ] || set -- 5.10 6.1 6.12 6.18 7.2 7.3
mkdir -p "$CACHE"
apt_setup
fetch_vng
for s in "$@"; do
	fetch_series "$s"
done
