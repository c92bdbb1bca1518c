#!/bin/sh
# What a push carries decides what posts say, never who is notified or
# where a link goes: through a real `git push` into a bare server with
# herald's hooks and a real receiver — a pushed `.herald.yml` with a
# javascript: base_url, hostile titles and summaries for Mattermost, Slack,
# Discord and Google Chat, the admin's herald.baseUrl; and the Markdown
# outputs (notes.md, digest.md) of a hostile title.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# fresh: an empty receiver log, every target of the server pointed at it
fresh() {
	(cd "$TRASH" && stop_receiver r && start_receiver r --respond 200 &&
	 for k in mattermost slack discord googlechat teams webhook; do
		git -C "$SERVER" config herald.$k.url "$url/$k" || exit 1
	 done)
}

# check: python over the bodies the receiver got, as `bodies` {path: [json]}
check() {
	python3 - "$TRASH/r.log" "$@" 3<&0 <<-\PY
	import json, os, re, sys
	bodies = {}
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    bodies.setdefault(r["path"].strip("/"), []).append(json.loads(r["body"]))
	args = sys.argv[2:]
	exec(os.fdopen(3).read())
	PY
}

TITLE='.@channel _@all x-@here :@here (@everyone) <!channel> <!subteam^S1|t> <@U123> <users/all> **bold** [l](https://e.example)'

test_expect_success 'setup: a bare server with the hooks and six targets, a clone, the baseline' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	for k in mattermost slack discord googlechat teams webhook; do
		git -C server.git config herald.$k.kind $k || return 1
	done &&
	git -C server.git config herald.webhook.secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw &&
	fresh &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	write_post _posts/2020-03-01-first.md <<-\EOF &&
	---
	title: First
	date: 2020-03-01
	---
	Body.
	EOF
	commit_all first &&
	push first origin main &&
	grep "nothing announced" ../first.push
'

test_expect_success 'a pushed javascript: base_url reaches no body; lint names the file and line' '
	cd work &&
	printf "title: Blog\nbase_url: \"javascript:alert(1)//x\"\n" >.herald.yml &&
	write_post _posts/2020-03-02-second.md <<-\EOF &&
	---
	title: Second
	date: 2020-03-02
	---
	Body with a [link](javascript:alert(2)) and ![pic](javascript:alert(3)).
	EOF
	commit_all "a new base url" &&
	push js origin main &&
	wait_lines ../r.log 6 &&
	check <<-\PY &&
	assert len(bodies) == 6, bodies.keys()
	for k, bs in bodies.items():
	    for b in bs:
	        assert "javascript" not in json.dumps(b).lower(), (k, b)
	w = bodies["webhook"][0]["data"]
	assert w["title"] == "Second" and w["url"] is None, w
	assert "javascript" not in w["summary_markdown"], w["summary_markdown"]
	PY
	test_expect_code 1 herald -C "$SERVER" lint >../lint.out 2>../lint.err &&
	grep "^\.herald\.yml:2:1: error: the base url is not an absolute http or https url" ../lint.out
'

test_expect_success 'digest and feeds of that revision: no javascript: href' '
	cd work &&
	herald digest --since 2020-01-01 --format html >../d.html &&
	herald digest --since 2020-01-01 --format atom >../d.atom &&
	herald digest --since 2020-01-01 --format json >../d.json &&
	herald digest --since 2020-01-01 --format md >../d.md &&
	! grep -i "javascript" ../d.html ../d.atom ../d.json ../d.md
'

test_expect_success 'the admin pins herald.baseUrl: it wins over the pushed one' '
	fresh &&
	git -C "$SERVER" config herald.baseUrl https://pinned.example/blog &&
	cd work &&
	write_post _posts/2020-03-03-third.md <<-\EOF &&
	---
	title: Third
	date: 2020-03-03
	---
	Body.
	EOF
	commit_all third &&
	push pinned origin main &&
	wait_lines ../r.log 6 &&
	check <<-\PY
	w = bodies["webhook"][0]["data"]
	assert w["url"] == "https://pinned.example/blog/2020/03/03/third/", w["url"]
	assert "pinned.example/blog/2020/03/03/third/" in json.dumps(bodies["slack"][0])
	PY
'

test_expect_success 'hostile titles, summaries and tags notify no one, per platform' '
	fresh &&
	cd work &&
	printf "title: Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	python3 - "$TITLE" <<-\PY &&
	import json, sys
	t = sys.argv[1]
	open("_posts/2020-03-04-hostile.md", "w").write(
	    "---\ntitle: %s\nsubtitle: %s\ntags: [\"@here\", \"x-@all\"]\ndate: 2020-03-04\n---\n%s and ![i](javascript:alert(1))\n"
	    % (json.dumps(t), json.dumps(t), t))
	PY
	commit_all hostile &&
	push hostile origin main &&
	wait_lines ../r.log 6 &&
	check <<-\PY
	ZW = "\u200b"
	def strings(v):
	    if isinstance(v, str): yield v
	    elif isinstance(v, dict):
	        for x in v.values(): yield from strings(x)
	    elif isinstance(v, list):
	        for x in v: yield from strings(x)
	def live_at(s):
	    # an @ before a word, not after a letter or digit, not defused
	    return re.search(r"(?<![A-Za-z0-9])@(?!%s|\s|$)" % ZW, s)
	for s in strings(bodies["mattermost"][0]):
	    assert not live_at(s), ("mattermost", s)
	for b in bodies["discord"]:
	    for e in b["embeds"]:
	        for s in strings(e):
	            assert not live_at(s), ("discord", s)
	    assert b["allowed_mentions"] == {"parse": []}, b
	for s in strings(bodies["slack"][0]):
	    assert "<!" not in s and "<@" not in s, ("slack", s)
	    assert not re.search(r"@(channel|here|everyone)", s, re.I), ("slack", s)
	for s in strings(bodies["googlechat"][0]):
	    assert not re.search("<(?!%s)" % ZW, s), ("googlechat", s)
	card = bodies["teams"][0]["attachments"][0]["content"]["body"]
	assert card[0]["text"].startswith(".@channel \\_@all"), card[0]["text"]
	assert "\\*\\*bold\\*\\* \\[l\\](https://e.example)" in card[0]["text"], card[0]["text"]
	for k, bs in bodies.items():
	    for b in bs:
	        d = dict(b)
	        if "data" in d:
	            d["data"] = dict(d["data"]); d["data"].pop("front_matter")
	        assert "javascript" not in json.dumps(d), (k, d)
	# the text is still there to read
	mm = bodies["mattermost"][0]["text"]
	assert "channel" in mm and "everyone" in mm and "bold" in mm, mm
	PY
'

test_expect_success 'notes.md and digest.md: a hostile title is text, not live HTML' '
	cd work &&
	write_post _posts/2020-03-05-img.md <<-\EOF &&
	---
	title: "<img src=x onerror=alert(1)> & [x](javascript:alert(2))"
	tags: ["<b>t</b>"]
	date: 2020-03-05
	---
	Summary *text* and <script>alert(3)</script> more.
	EOF
	commit_all img &&
	herald notes >../notes.md &&
	herald digest --since HEAD~1 --format md >../digest.md &&
	for f in ../notes.md ../digest.md; do
		grep -F "\\<img src=x onerror=alert\\(1\\)\\> \\& \\[x\\]\\(javascript:alert\\(2\\)\\)" $f &&
		! grep -E "(^|[^\\\\])<(img|script|b>)" $f || return 1
	done &&
	grep -F "\\<b\\>t\\</b\\>" ../digest.md &&
	grep -F "Summary *text* and alert(3) more." ../digest.md
'

test_done
