#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Records the fixtures of tests/unit/test_replay.c: the tracer's input
# (REAPERTRACE_RECORD) and its output while the scenarios run, once as text
# and once as JSON, each with -T --zombie-age 0.05. As root, from the
# repository root, after make:
#
#	flock /tmp/reapertrace-host.lock tests/data/record.sh
#
# The replay test then checks that the pipeline turns each recording into
# that output, byte for byte. Re-record only when the output is meant to
# change (and say why in the commit); the recordings' format version
# (user/recording.h) changes with the record layouts.
set -euo pipefail

bin=build/reapertrace
scenario=build/rt-scenario
dir=tests/data
quick="orphan_subreaper origin_chain orphan_ns_init container zombie_orphan sigchld_ignore
       zombie_to_ignorer thread_handoff threads_exit_group forking_thread_first
       nested_subreapers exit_codes stop_continue subreaper_toggle pdeathsig init_sigdrop
       init_sighandled ns_teardown init_reaper_handoff subreaper_adopts crowd_exits"
# Held 1.3 s each, so that --zombie-age sees their zombies at a check.
held="never_reaping zombie_keeper leaky_parents ns_snapshot leader_exits_first"

record() { # NAME OUTPUT-SUFFIX tracer options...
	local name=$1 suffix=$2 tmp
	shift 2
	tmp=$(mktemp -d)
	REAPERTRACE_RECORD=$tmp/rec TZ=UTC $bin "$@" >"$tmp/out" 2>"$tmp/err" &
	local tracer=$!
	sleep 2.5 # attached (the tests' tracer waits for its "tracing" line)
	for s in $quick; do
		$scenario "$s" >/dev/null
	done
	for s in $held; do
		(sleep 1.3; echo) | $scenario "$s" >/dev/null
	done
	sleep 0.5
	kill -INT $tracer
	wait $tracer
	gzip -9nc "$tmp/rec" >"$dir/$name.rec.gz"
	# The features record comes from the loader, not from the recording.
	grep -v '^{"event":"features"' "$tmp/out" | gzip -9nc >"$dir/$name.$suffix.gz"
	tail -1 "$tmp/err"
	rm -rf "$tmp"
}

record trace-text txt -T --zombie-age 0.05
record trace-json jsonl -j -T --zombie-age 0.05
