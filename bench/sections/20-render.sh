# Rendering (issue "Rendering", issue 13 goal 4): the digest of the whole BIG
# history in every format, next to `scan --all --json` alone. Goals: each
# digest within 1.2x the scan's time, peak RSS under 64 MiB.
section_render() {
	section "render: digest of the whole history in every format vs scan --all"
	[ -f "$RES/scanall_big.json" ] ||
		measure scanall_big --capture -- "$HERALD" -C "$BIG" scan --all HEAD --json
	for fmt in md html atom json; do
		measure "digest_$fmt" -- "$HERALD" -C "$BIG" digest --since 1970-01-01 --format "$fmt"
		ratio "13.4" "digest --format $fmt / scan --all" "digest_$fmt" scanall_big "scan" "<=" 1.2
		limit "13.4m" "  peak RSS, digest --format $fmt" "digest_$fmt" rss "<" 64
	done
}
SECTIONS="$SECTIONS render"
