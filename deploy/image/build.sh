#!/bin/sh
# Build the reapertrace container image from Debian packages, offline of any
# registry: a Debian root made by mmdebstrap with the libraries the binary
# links against, the binary added at /usr/sbin/reapertrace, and the whole
# imported with `docker import` (no Dockerfile: there is no base image to
# pull).
#
#   deploy/image/build.sh [-t TAG] [BINARY]
#
#   BINARY   the reapertrace to put in (default build/reapertrace; `make`
#            builds it). It must link against Debian's libraries only.
#   -t TAG   the image's name (default reapertrace:VERSION, the version the
#            binary prints: what deploy/kubernetes names)
#
# The root's packages are what the binary needs: the package of every
# library in its DT_NEEDED (dpkg -S on this machine), from the suite and
# the sources this machine installs from (/etc/apt/sources.list.d/
# debian.sources, or MIRROR=URI), of variant essential (no apt) without
# documentation. That root is cached as a tarball in
# $RT_IMAGE_CACHE (default /var/cache/reapertrace/image), named by a hash of
# the suite, the sources and the packages, and made only when missing; the
# binary is appended to a copy of it, so a rebuild after `make` takes
# seconds.
#
# The image runs the tracer as its entrypoint; its default arguments serve
# metrics on every address of the node, port 9469, with no stream
# (`--metrics 0.0.0.0:9469 -q`). Run it with the host's PID namespace and
# the capabilities README.md's "Running it on a fleet" lists.
#
# Environment: DOCKER (default docker) and what it reads (DOCKER_HOST,
# DOCKER_CONFIG); MIRROR; RT_IMAGE_CACHE; SUITE (default the machine's own,
# from /etc/os-release).
set -eu

root=$(dirname "$0")/../..
CACHE=${RT_IMAGE_CACHE:-/var/cache/reapertrace/image}
DOCKER=${DOCKER:-docker}
SOURCES=/etc/apt/sources.list.d/debian.sources
tag=""

# The header above, on stdout for -h (exit 0), else on stderr (exit 2).
usage() {
	if [ "$1" -eq 0 ]; then
		sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
	else
		sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	fi
	exit "$1"
}

die() {
	echo "image: $*" >&2
	exit 1
}

while getopts t:h opt; do
	case $opt in
	t) tag=$OPTARG ;;
	h) usage 0 ;;
	*) usage 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage 2
binary=${1:-$root/build/reapertrace}

[ -x "$binary" ] || die "$binary: no such executable (run make first)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found: run scripts/deps.sh"
command -v "$DOCKER" >/dev/null || die "$DOCKER not found"
version=$("$binary" --version 2>/dev/null | sed -n '1s/^reapertrace \([^ ]*\).*/\1/p')
[ -n "$version" ] || die "$binary --version said no version"
[ -n "$tag" ] || tag=reapertrace:$version
suite=${SUITE:-$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)}
[ -n "$suite" ] || die "no VERSION_CODENAME in /etc/os-release: set SUITE"

# The Debian package of each library the binary names (DT_NEEDED), found
# where the dynamic linker finds it.
pkgs=""
for lib in $(readelf -d "$binary" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
	path=$(ldd "$binary" | awk -v l="$lib" '$1 == l && $2 == "=>" { print $3 }')
	[ -n "$path" ] || die "$binary needs $lib, which is not found here"
	pkg=""
	for p in "$path" "$(readlink -f "$path")"; do
		# merged /usr: dpkg knows either /lib/... or /usr/lib/...
		for q in "$p" "${p#/usr}" "/usr$p"; do
			pkg=$(dpkg -S "$q" 2>/dev/null | sed -n '1s/:.*//p')
			[ -z "$pkg" ] || break 2
		done
	done
	[ -n "$pkg" ] || die "$lib ($path) is not from a Debian package: build against Debian's libraries"
	case " $pkgs " in *" $pkg "*) ;; *) pkgs="${pkgs:+$pkgs }$pkg" ;; esac
done
[ -n "$pkgs" ] || die "$binary names no library: is it a dynamic executable?"
if [ -n "${MIRROR:-}" ]; then
	sources="deb $MIRROR $suite main"
elif [ -f "$SOURCES" ]; then
	sources=$SOURCES
else
	die "no $SOURCES: set MIRROR to a Debian mirror's URI"
fi

key=$({ echo "$suite $pkgs"; if [ -f "$sources" ]; then cat "$sources"; else echo "$sources"; fi; } |
	sha256sum | cut -c1-16)
base=$CACHE/base-$suite-$key.tar
if [ ! -f "$base" ]; then
	mkdir -p "$CACHE"
	echo "image: making the $suite root ($pkgs) in $base" >&2
	# Made next to its final name and renamed, so a cut build leaves no
	# tarball that looks whole.
	mmdebstrap --quiet --format=tar --variant=essential --include="$(echo "$pkgs" | tr ' ' ,)" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		"$suite" "$base.part" "$sources" || {
		rm -f "$base.part"
		die "mmdebstrap failed"
	}
	mv "$base.part" "$base"
fi

work=$(mktemp -d /tmp/reapertrace-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$base" "$work/root.tar"
install -D -m 0755 "$binary" "$work/add/usr/sbin/reapertrace"
tar --append -f "$work/root.tar" -C "$work/add" --owner=0 --group=0 --numeric-owner \
	./usr/sbin/reapertrace
echo "image: importing $tag ($(du -m "$work/root.tar" | cut -f1) MB)" >&2
"$DOCKER" import \
	--change 'ENTRYPOINT ["/usr/sbin/reapertrace"]' \
	--change 'CMD ["--metrics", "0.0.0.0:9469", "-q"]' \
	--change 'EXPOSE 9469/tcp' \
	--change "LABEL org.opencontainers.image.title=reapertrace org.opencontainers.image.version=$version" \
	--message "reapertrace $version on Debian $suite ($pkgs)" \
	"$work/root.tar" "$tag" >/dev/null
echo "$tag"
