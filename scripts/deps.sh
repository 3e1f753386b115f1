#!/bin/sh
# Install what building, running and testing reapertrace needs on Debian 12
# (bookworm), and nothing that is already there. Run as root.
#
#   scripts/deps.sh        build and host tests (golang-go: the Go program of
#                          the go_exit_group scenario, which skips without it)
#   scripts/deps.sh --vm   also what scripts/vmtest.sh needs: QEMU and what
#                          the unpacked virtme-ng runs with (Debian's python3
#                          modules, file, kmod's depmod, busybox for its
#                          initramfs, udev that names its virtio ports),
#                          and what builds a module (make, gcc, pahole for
#                          its BTF; scripts/kmod-root.sh's trixie/sid root,
#                          for headers that need gcc-14+ and glibc 2.38+, is
#                          made with mmdebstrap, which the host tests
#                          install too)
#   scripts/deps.sh --bench  also the peers the benchmarks measure
#                          (libbpf-tools' exitsnoop, bpftrace) and gnuplot
#
# The host tests also scrape --metrics with a private Prometheus of their own
# (tests/lib/prometheus.c: Debian's prometheus, with promtool), check the
# DaemonSet manifest against the Kubernetes API models (python3-kubernetes:
# scripts/check-k8s-manifest.py), build the container image
# (deploy/image/build.sh: mmdebstrap) and run real containers
# (tests/lib/docker.c): Debian's docker.io (dockerd, containerd, runc, tini)
# and busybox-static for the image. The tests start a private dockerd of
# their own and never use a system one, so the install must not start one
# either: without a policy-rc.d of the machine's, a temporary one refuses to
# start docker, containerd and prometheus during the install (whether init
# is systemd or not; systemd still enables the units for the next boot).
# docker.io installs /usr/bin/docker; a `docker` earlier on PATH (the
# machine image ships /usr/local/bin/docker, not Debian's) is left alone:
# the tests call /usr/bin/docker by its path.
set -eu

packages="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libmicrohttpd-dev pkg-config libcap2-bin"
packages="$packages golang-go docker.io busybox-static prometheus python3-kubernetes python3-yaml"
packages="$packages mmdebstrap util-linux debian-archive-keyring"
for arg in "$@"; do
	case $arg in
	--vm)
		packages="$packages qemu-system-x86 python3 python3-argcomplete python3-requests"
		packages="$packages python3-pkg-resources file kmod udev dwarves"
		;;
	--bench) packages="$packages libbpf-tools bpftrace gnuplot-nox" ;;
	*)
		echo "deps: unknown option '$arg': expected --vm or --bench" >&2
		exit 2
		;;
	esac
done

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing; run as root: sudo scripts/deps.sh" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	trap 'rm -f $policy' EXIT
	printf '#!/bin/sh\n# deps.sh: no docker or containerd service during the install\n' >$policy
	# shellcheck disable=SC2016 # $1 is for the policy script
	printf 'case "$1" in docker* | containerd* | prometheus*) exit 101 ;; esac\nexit 0\n' >>$policy
	chmod 755 $policy
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
