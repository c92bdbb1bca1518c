# Front matter parsing (issue "Every front matter people use"): throughput of
# reading and parsing every post, YAML and the same posts in TOML, next to
# git cat-file --batch reading the same blobs.
section_parse() {
	section "parse: YAML and TOML front matter throughput, 10,000 posts"
	noted parse python3 "$BENCH/parse.py" "$HERALD" "$OUT/parse" "$BIG" 3
}
SECTIONS="$SECTIONS parse"
