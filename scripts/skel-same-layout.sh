#!/bin/sh
# Fail unless two skeletons made by `bpftool gen skeleton` from the same
# source describe the same maps, programs and globals in the same layout,
# so that the tracer may open the second one's object through the first
# one's skeleton (user/trace/trace.c). Everything before the embedded object must
# match once the second skeleton's name is replaced by the first's.
#
# Usage: scripts/skel-same-layout.sh MAIN.skel.h OTHER.skel.h
set -eu
[ $# -eq 2 ] || { echo "usage: $0 MAIN.skel.h OTHER.skel.h" >&2; exit 2; }

# The skeleton's name: what precedes "__elf_bytes" in its definition.
name() { sed -n 's/^static inline const void \*\(.*\)__elf_bytes(size_t \*sz)$/\1/p' "$1"; }
# Its text up to the embedded object, with @name spelled as @2.
head_as() { awk '/__elf_bytes\(size_t \*sz\)$/ { exit } { print }' "$1" | sed "s/$(name "$1")/$2/g"; }

main=$(name "$1")
other=$(name "$2")
if [ -z "$main" ] || [ -z "$other" ]; then
	echo "$0: cannot find the skeletons' names" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head_as "$1" "$main" >"$tmp/main"
head_as "$2" "$main" | sed "s/$(echo "$other" | tr '[:lower:]' '[:upper:]')/$(echo "$main" | tr '[:lower:]' '[:upper:]')/g" >"$tmp/other"
if ! diff -u "$tmp/main" "$tmp/other" >&2; then
	echo "$0: $2 does not lay out its object as $1 does" >&2
	exit 1
fi
