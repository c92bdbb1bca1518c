# Rendering (issue "Rendering"): the digest of the whole BIG history in every
# format, next to `scan --all --json` alone. Goal: rendering adds less than
# the scan itself, so each digest takes under twice the scan's time.
section_render() {
	section "render: digest of the whole history in every format vs scan --all"
	[ -f "$RES/scanall_big.json" ] ||
		measure scanall_big --capture -- "$HERALD" -C "$BIG" scan --all HEAD --json
	for fmt in md html atom json; do
		measure "digest_$fmt" -- "$HERALD" -C "$BIG" digest --since 1970-01-01 --format "$fmt"
		ratio "r-$fmt" "digest --format $fmt / scan --all" "digest_$fmt" scanall_big "scan" "<" 2
		limit "r-$fmt-mem" "  peak RSS, digest --format $fmt" "digest_$fmt" rss "<" 1024
	done
}
SECTIONS="$SECTIONS render"
