#!/bin/sh
# Every benchmark, one after the other, each taking the host lock only for
# itself (others' tests can run in between), then the plot. Figures go to
# stdout and to bench/results/*.tsv; bench/README.md says what they mean.
# `make bench` installs the peers, builds and runs this. Root.
set -eu
here=$(dirname "$0")
export RESULTS="${RESULTS:-bench/results}"
mkdir -p "$RESULTS"

step() {
	echo
	echo "== $*"
	"$@"
}

step "$here/consumer.sh"
step "$here/hotpath.sh"
step "$here/peers.sh"
step "$here/parts.sh"
step "$here/overhead.sh"
step "$here/startup.sh"
step "$here/metrics.sh"
# one storm size per lock
rm -f "$RESULTS/burst.tsv"
for n in ${BURST_SIZES:-20000 50000 100000 200000}; do
	step "$here/burst.sh" "$n"
done
step "$here/plot.sh"
