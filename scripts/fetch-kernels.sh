#!/bin/sh
# Fetch Debian's own kernels and virtme-ng into a cache, without touching the
# machine's apt setup: a private sources list (the mirror of
# /etc/apt/sources.list.d/debian.sources, suites bullseye bookworm trixie),
# private apt lists and cache, then `apt-get download` and `dpkg -x`.
#
#   scripts/fetch-kernels.sh [SERIES...]     (default: 5.10 6.1 6.12)
#
# Per series (5.10 = bullseye, 6.1 = bookworm, 6.12 = bookworm-backports,
# 6.12-trixie = trixie; see below) it resolves the
# current ABI name from the package lists (linux-image-amd64's dependency),
# unpacks linux-image, linux-headers-X-amd64, -common and linux-kbuild into
# $RT_VM_CACHE/X/ and fixes the headers' symlinks so that
# KDIR=$RT_VM_CACHE/X/usr/src/linux-headers-X builds a module. It prints one
# line per series: "SERIES RELEASE VMLINUZ KDIR", and writes the same to
# $RT_VM_CACHE/SERIES.env. virtme-ng (trixie) is unpacked into
# $RT_VM_CACHE/virtme-ng/. A second run reuses what is there; RT_VM_REFRESH=1
# updates the package lists and picks up a newer ABI.
#
# 6.12 comes from bookworm-backports, not trixie: trixie's linux-kbuild tools
# (objtool, modpost) need glibc 2.38 and its headers call gcc-14, so no
# module can be built against them on a Debian 12 host. The backport is the
# same 6.12 series built with bookworm's gcc-12. 6.12-trixie fetches trixie's
# own kernel anyway (it boots; the module tests skip).
set -eu

CACHE=${RT_VM_CACHE:-/var/cache/reapertrace/vm}
APT=$CACHE/apt

suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	6.12-trixie) echo trixie ;;
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
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
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
EOF
	if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" ||
		! ls "$APT/lists/"*_Packages* >/dev/null 2>&1 ||
		[ "${RT_VM_REFRESH:-0}" = 1 ]; then
		mv "$APT/sources.list.new" "$APT/sources.list"
		echo "fetch-kernels: apt-get update ($uri: bullseye bookworm bookworm-backports trixie)" >&2
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

fetch_series() {
	series=$1
	suite=$(suite_of "$series") || {
		echo "fetch-kernels: unknown kernel series $series (5.10, 6.1, 6.12 or 6.12-trixie)" >&2
		exit 2
	}
	envf=$CACHE/$series.env
	if [ -s "$envf" ] && [ "${RT_VM_REFRESH:-0}" != 1 ]; then
		# shellcheck disable=SC1090 # RELEASE, VMLINUZ, KDIR
		. "$envf"
		if [ -f "$VMLINUZ" ] && [ -f "$KDIR/Makefile" ]; then
			# shellcheck disable=SC2153 # set by $envf
			echo "$series $RELEASE $VMLINUZ $KDIR"
			return 0
		fi
	fi
	mv=$(version_in linux-image-amd64 "$suite")
	img=$(depends_of linux-image-amd64 "$mv" | grep '^linux-image-' | head -n 1)
	[ -n "$img" ] || {
		echo "fetch-kernels: cannot resolve linux-image-amd64 in $suite" >&2
		exit 1
	}
	release=${img#linux-image-}
	# Debian's 6.1 flavour says 6.1.0-NN-amd64; the unsigned image is the
	# one with the same name (no -unsigned suffix in bookworm and later).
	release=${release%-unsigned}
	kv=$(version_in "linux-image-$release" "$suite")
	if [ -z "$kv" ]; then
		img=linux-image-$release-unsigned
		kv=$(version_in "$img" "$suite")
	fi
	hdr=linux-headers-$release
	hv=$(version_in "$hdr" "$suite")
	if [ -z "$kv" ] || [ -z "$hv" ]; then
		echo "fetch-kernels: $suite has no $img / $hdr" >&2
		exit 1
	fi
	pkgs="$img=$kv $hdr=$hv"
	for d in $(depends_of "$hdr" "$hv"); do
		case $d in
		linux-headers-*-common* | linux-kbuild-*)
			pkgs="$pkgs $d=$(version_in "$d" "$suite")"
			;;
		esac
	done

	root=$CACHE/$release
	rm -rf "$root.tmp" && mkdir -p "$root.tmp"
	for p in $pkgs; do
		deb=$(fetch_deb "${p%%=*}" "${p#*=}")
		dpkg -x "$deb" "$root.tmp"
	done
	rm -rf "$root" && mv "$root.tmp" "$root"
	# Now that the folder has its final name, point the absolute links
	# (lib/modules/X/build, the headers' scripts and tools) into it.
	fix_links "$root" "$root"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$release/Makefile"

	VMLINUZ=$root/boot/vmlinuz-$release
	KDIR=$root/usr/src/linux-headers-$release
	if [ ! -f "$VMLINUZ" ] || [ ! -f "$KDIR/Makefile" ]; then
		echo "fetch-kernels: $pkgs did not give $VMLINUZ and $KDIR/Makefile" >&2
		exit 1
	fi
	printf 'RELEASE=%s\nVMLINUZ=%s\nKDIR=%s\n' "$release" "$VMLINUZ" "$KDIR" >"$envf"
	echo "fetch-kernels: $series: $pkgs in $root" >&2
	echo "$series $release $VMLINUZ $KDIR"
}

[ "$#" -gt 0 ] || set -- 5.10 6.1 6.12
mkdir -p "$CACHE"
apt_setup
fetch_vng
for s in "$@"; do
	fetch_series "$s"
done
