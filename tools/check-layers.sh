#!/bin/sh
# Fails when an #include points up the layers of src/ (doc/design.md):
# lib < read < render < deliver < hook < cmd. A header belongs to the layer
# of the source file of the same name (include/herald/X.h goes with
# src/LAYER/X.c or src/LAYER/*/X.c); headers with no source file are named
# in NOSRC below. Prints each offending line as FILE:LINE: and exits 1.
set -eu
cd "${1:-.}"
LAYERS="lib read render deliver hook cmd"
NOSRC="banned=lib command=cmd"

{
	echo "LAYERS $LAYERS"
	for p in $NOSRC; do echo "MAP ${p%%=*} ${p#*=}"; done
	find src -name '*.c' | sort | awk -F/ '{ n = $NF; sub(/\.c$/, "", n); print "MAP", n, $2 }'
	for f in $(find src -name '*.c' | sort) include/herald/*.h; do
		grep -Hn '^#include "herald/' "$f" || true
	done
} | awk '
$1 == "LAYERS" { for (i = 2; i <= NF; i++) rank[$i] = i - 1; order = $0; sub(/^LAYERS /, "", order); next }
$1 == "MAP" { layer[$2] = $3; next }
{
	split($0, a, ":"); file = a[1]; line = a[2]
	h = $0; sub(/.*"herald\//, "", h); sub(/\.h".*/, "", h)
	if (file ~ /^src\//) { split(file, p, "/"); own = p[2] }
	else { n = file; sub(/.*\//, "", n); sub(/\.h$/, "", n); own = layer[n] }
	if (own == "") { print file ": no src/*/" n ".c; name its layer in NOSRC of tools/check-layers.sh"; bad = 1; next }
	if (!(h in layer)) { print file ":" line ": herald/" h ".h has no src/*/" h ".c; name its layer in NOSRC of tools/check-layers.sh"; bad = 1; next }
	if (rank[layer[h]] > rank[own]) {
		print file ":" line ": " own " includes herald/" h ".h of layer " layer[h] " (arrows point down: " order ")"
		bad = 1
	}
}
END {
	if (bad) exit 1
	print "check-layers: every #include points down (" order ")"
}'
