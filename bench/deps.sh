#!/bin/sh
# Install what the benchmarks need on Debian 12 (bookworm): what building
# needs, the peers measured side by side (libbpf-tools' exitsnoop, bpftrace)
# and gnuplot for the plot. Only what is missing. Run as root.
set -eu
exec "$(dirname "$0")/../scripts/deps.sh" --bench
