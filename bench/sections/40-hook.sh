# Server hooks (issue "Server hooks"): the time `herald hook post-receive`
# adds to a push of one new post, delivery to a local receiver included, on
# the SMALL and the BIG repository. Goal: under 50 ms on both, within 1.5x.
section_hook() {
	section "hook: post-receive for a push of one new post, SMALL vs BIG"
	noted hook python3 "$BENCH/hook.py" "$HERALD" "$OUT/hook" "$SMALL" "$BIG" 7
}
SECTIONS="$SECTIONS hook"
