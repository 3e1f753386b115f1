#!/bin/sh
# Install what the benchmarks need on Debian 12 (bookworm), beyond
# scripts/deps.sh: the peers measured side by side (libbpf-tools' exitsnoop,
# bpftrace) and gnuplot for the plot. Only what is missing. Run as root.
set -eu

"$(dirname "$0")/../deps.sh"

packages="libbpf-tools bpftrace gnuplot-nox"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "bench deps: missing packages:$missing; run as root" >&2
	exit 1
fi
echo "bench deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
