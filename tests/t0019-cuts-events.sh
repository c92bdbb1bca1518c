#!/bin/sh
# UTF-8-safe cuts (announce's lines, payload titles: never inside a
# character or a grapheme, terminal columns counted), `events = all`
# meaning every public event, and the warning for a webhook secret
# without whsec_.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# bodies PATH: JSON bodies the receiver got at PATH, one a line
bodies() {
	python3 - "$TRASH/r.log" "$1" <<-\PY
	import json, sys
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    if r["path"] == sys.argv[2]:
	        print(r["body"])
	PY
}

test_expect_success 'setup: posts whose titles are flags, accents and CJK' '
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	printf "title: Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	python3 - <<-\PY &&
	import os
	os.makedirs("_posts", exist_ok=True)
	flags = "\U0001F1E9\U0001F1EA" * 150          # 150 German flags: 300 code points
	accents = "e\u0301" * 60 + "x"              # e + combining acute, 121 code points
	cjk = "\u65e5\u672c\u8a9e\u306e\u8a18\u4e8b" * 10  # 60 wide characters
	for i, t in enumerate((flags, accents, cjk), 1):
	    open("_posts/2020-03-0%d-p%d.md" % (i, i), "w", encoding="utf-8").write(
	        "---\ntitle: \"%s\"\ndate: 2020-03-0%d\n---\nBody.\n" % (t, i))
	PY
	commit_all posts &&
	for k in slack discord teams; do
		git config herald.$k.kind $k &&
		git config herald.$k.url "$url/$k" || return 1
	done
'

test_expect_success 'announce lines: titles cut at a grapheme, within 40 columns' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	test "$(grep -c " 200 " ../out)" = 9 &&
	python3 - <<-\PY
	import unicodedata
	raw = open("../out", "rb").read()
	text = raw.decode("utf-8")          # strict: no cut inside a character
	for line in text.splitlines():
	    if " 200 " not in line:
	        continue
	    title = line[34:].rsplit(" 200 ", 1)[0]
	    ri = sum(1 for c in title if 0x1F1E6 <= ord(c) <= 0x1F1FF)
	    assert ri % 2 == 0, ("a flag cut in half", line)
	    assert not title.startswith("\u0301") and "x\u0301" not in title, line
	    # a flag (two regional indicators) takes two columns
	    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else
	               1 if 0x1F1E6 <= ord(c) <= 0x1F1FF else
	               0 if unicodedata.combining(c) else 1 for c in title.rstrip())
	    assert cols <= 40, (cols, line)
	    assert title.rstrip().endswith("\u2026"), line
	PY
'

test_expect_success 'payload titles: whole graphemes, within the platform limits' '
	cd blog &&
	bodies /slack >../slack && bodies /discord >../discord && bodies /teams >../teams &&
	python3 - <<-\PY
	import json
	for k in ("slack", "discord", "teams"):
	    for line in open("../" + k, encoding="utf-8"):
	        b = json.loads(line)
	        def strings(v):
	            if isinstance(v, str): yield v
	            elif isinstance(v, dict):
	                for x in v.values(): yield from strings(x)
	            elif isinstance(v, list):
	                for x in v: yield from strings(x)
	        for s in strings(b):
	            ri = sum(1 for c in s if 0x1F1E6 <= ord(c) <= 0x1F1FF)
	            assert ri % 2 == 0, (k, "a flag cut in half", s[:80])
	            assert "\u2026\u0301" not in s, (k, "an accent cut from its letter")
	    d = [json.loads(l) for l in open("../discord", encoding="utf-8")]
	    for b in d:
	        for e in b["embeds"]:
	            assert len(e["title"].encode("utf-16-le")) // 2 <= 256, e["title"]
	PY
'

test_expect_success 'events = all: every public event, no draft events' '
	url="http://127.0.0.1:$(cat "$TRASH/r.port")" &&
	cd blog &&
	git config herald.everything.kind webhook &&
	git config herald.everything.url "$url/all" &&
	git config herald.everything.events all &&
	git config herald.drafts.kind webhook &&
	git config herald.drafts.url "$url/drafts" &&
	git config herald.drafts.events "all draft" &&
	herald targets >../targets.out &&
	grep "^everything .* new undrafted moved updated unpublished deleted scheduled$" ../targets.out &&
	grep "^drafts .* new undrafted moved updated unpublished deleted scheduled draft$" ../targets.out &&
	write_post _drafts/secret.md <<-\EOF &&
	---
	title: A secret draft
	---
	Not yet.
	EOF
	commit_all "a draft" &&
	herald announce --now $NOW >../out 2>../err &&
	test -z "$(bodies /all)" &&
	bodies /drafts >../drafts &&
	grep "\"post.draft\"" ../drafts &&
	grep "A secret draft" ../drafts
'

test_expect_success 'herald targets warns about a webhook secret without whsec_' '
	cd blog &&
	git config herald.everything.secret plain-secret-value &&
	git config herald.drafts.secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw &&
	herald targets >../targets.out &&
	block() { awk -v t="$1" '\''/^[^ ]/ { on = index($0, t " ") == 1 } on'\'' ../targets.out; } &&
	block everything | grep "warning: secret 1 has no whsec_ prefix" &&
	! block drafts | grep "warning" &&
	! grep "plain-secret-value" ../targets.out
'

test_done
