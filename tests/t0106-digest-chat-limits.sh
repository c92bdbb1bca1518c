#!/bin/sh
# A daily digest at the platforms' limits: twelve posts whose titles,
# subtitles, summaries and tags are each longer than any platform takes
# (non-ASCII, emoji that count two UTF-16 units) go to every chat kind as
# one compact list, and each body is within what its platform documents —
# Slack's 50 blocks and 3000-character sections, Discord's 6000 characters
# in 10 embeds, Mattermost's 16383, Teams' 28 KB card, Telegram's 4096,
# Matrix's 65536-byte event, ntfy's 4096-byte message, Mastodon's instance
# limit (the local instance refuses a status over it) and Bluesky's 300
# graphemes and 3000 bytes.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"

trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

tick() {
	herald -C "$TRASH/server.git" tick --now "$1" >"$TRASH/out" 2>"$TRASH/err"
}

test_expect_success 'setup: every chat kind with a daily digest, twelve posts over every limit' '
	start_receiver r --respond 200 --max-seconds 300 && echo "$url" >url &&
	RECEIVER="$TEST_DIR/lib/mastodon.py" start_receiver m --token tok_SECRET \
		--statuses "$TRASH/statuses" --max-characters 500 --max-seconds 300 &&
	echo "$url" >murl &&
	start_pds pds --max-seconds 600 && echo "$url" >purl &&
	printf "tok_SECRET\n" >token && printf "%s\n" "$PDS_PASSWORD" >password &&
	chmod 600 token password &&
	git init -q --bare server.git &&
	url=$(cat url) &&
	for k in slack discord mattermost teams googlechat telegram; do
		git -C server.git config herald.$k.kind $k &&
		git -C server.git config herald.$k.url "$url/$k" || exit 1
	done &&
	git -C server.git config herald.telegram.chatId 12345 &&
	git -C server.git config herald.matrix.kind matrix &&
	git -C server.git config herald.matrix.url "$url/_matrix/client/v3/rooms/!room:example.org" &&
	git -C server.git config herald.matrix.token SECRETTOKEN &&
	git -C server.git config herald.ntfy.kind ntfy &&
	git -C server.git config herald.ntfy.url "$url/blogtopic" &&
	git -C server.git config herald.mastodon.kind mastodon &&
	git -C server.git config herald.mastodon.url "$(cat murl)" &&
	git -C server.git config herald.mastodon.tokenFile "$TRASH/token" &&
	git -C server.git config herald.bluesky.kind bluesky &&
	git -C server.git config herald.bluesky.url "$(cat purl)" &&
	git -C server.git config herald.bluesky.handle "$PDS_HANDLE" &&
	git -C server.git config herald.bluesky.passwordFile "$TRASH/password" &&
	for k in slack discord mattermost teams googlechat telegram matrix ntfy mastodon bluesky; do
		git -C server.git config herald.$k.events none &&
		git -C server.git config herald.$k.digest daily || exit 1
	done &&
	herald -C server.git targets >out 2>err &&
	! grep -i "unusable\|skipped\|problem" out err &&
	tick 2026-12-01T10:00:00Z &&
	test "$(grep -c "counting posts from now" out)" = 10 &&
	git clone -q server.git blog 2>/dev/null &&
	cd blog &&
	printf "title: \"T\303\251st Bl\303\266g \360\237\216\211\"\nbase_url: https://blog.example.com\n" >.herald.yml &&
	python3 - <<-\PY &&
	import os
	os.makedirs("_posts", exist_ok=True)
	word = "W\u00f6rd \U0001f389 \u00e9t\u00e9 "
	for i in range(1, 13):
	    title = ("Post %02d " % i) + word * 40
	    sub = "Subtitle " + word * 30
	    tags = ", ".join("tag%02d%s" % (j, "x" * 30) for j in range(20))
	    summary = ("A *long* summary with a [link](https://example.com/%d) " % i + word * 10) * 12
	    with open("_posts/2026-12-01-p%02d.md" % i, "w", encoding="utf-8") as f:
	        f.write("---\ntitle: \"%s\"\nsubtitle: \"%s\"\ndate: 2026-12-01 12:%02d\ntags: [%s]\n---\n%s\n\nMore.\n"
	                % (title, sub, i, tags, summary))
	PY
	commit_all twelve && git push -q origin main
'

test_expect_success 'one digest to each, every body within its platform'"'"'s limits' '
	tick 2026-12-02T09:00:00Z &&
	cat err &&
	grep "10 deliveries queued, 10 delivered" err &&
	test "$(wc -l <statuses)" = 1 &&
	test "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" pds.records)" = 1 &&
	python3 - r.log statuses pds.records <<-\PY
	import json, sys, unicodedata
	u16 = lambda s: len(s.encode("utf-16-le")) // 2
	reqs = {}
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    kind = "matrix" if r["path"].startswith("/_matrix") else r["path"].split("/")[1]
	    kind = "ntfy" if r["path"] == "/" else kind
	    assert kind not in reqs, kind
	    reqs[kind] = r
	assert sorted(reqs) == sorted(["slack", "discord", "mattermost", "teams", "googlechat",
	                               "telegram", "matrix", "ntfy"]), sorted(reqs)
	b = {k: json.loads(r["body"]) for k, r in reqs.items()}
	raw = {k: r["body"].encode("utf-8") for k, r in reqs.items()}
	h = "Today on T\u00e9st Bl\u00f6g \U0001f389: 12 new posts"
	s = b["slack"]
	assert len(s["blocks"]) <= 50, len(s["blocks"])
	for x in s["blocks"]:
	    if x["type"] == "section":
	        assert u16(x["text"]["text"]) <= 3000, u16(x["text"]["text"])
	    if x["type"] == "header":
	        assert u16(x["text"]["text"]) <= 150, x
	    if x["type"] == "context":
	        assert all(u16(e["text"]) <= 2000 for e in x["elements"]), x
	assert u16(s["text"]) <= 40000 and h in s["text"], s["text"][:200]
	assert "and 2 more" in json.dumps(s, ensure_ascii=False)
	d = b["discord"]
	assert u16(d["content"]) <= 2000 and len(d["embeds"]) <= 10, d["content"]
	tot = u16(d["content"])
	for e in d["embeds"]:
	    assert u16(e["title"]) <= 256 and u16(e.get("description", "")) <= 4096, e["title"]
	    assert u16(e["author"]["name"]) <= 256 and u16(e.get("footer", {}).get("text", "")) <= 2048
	    tot += u16(e["title"]) + u16(e.get("description", "")) + u16(e["author"]["name"]) \
	        + u16(e.get("footer", {}).get("text", "")) \
	        + sum(u16(f["name"]) + u16(f["value"]) for f in e.get("fields", []))
	assert tot <= 6000, tot
	assert u16(b["mattermost"]["text"]) <= 16383, u16(b["mattermost"]["text"])
	assert len(raw["teams"]) <= 28 * 1024, len(raw["teams"])
	assert u16(b["googlechat"]["text"]) <= 4096, u16(b["googlechat"]["text"])
	t = b["telegram"]
	assert u16(t["text"]) <= 4096 and t["text"].startswith("<b>"), u16(t["text"])
	assert len(raw["matrix"]) <= 65536 and u16(b["matrix"]["body"]) <= 65536, len(raw["matrix"])
	n = b["ntfy"]
	assert len(n["message"].encode()) <= 4096 and len(n["title"].encode()) <= 4096, len(n["message"].encode())
	[st] = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
	assert st["status"].startswith(h), st["status"][:100]
	[rec] = json.load(open(sys.argv[3], encoding="utf-8")).values()
	text = rec["text"]
	assert not any(unicodedata.combining(c) for c in text)
	assert len(text) <= 300 and len(text.encode()) <= 3000, (len(text), text)
	assert text.startswith(h), text[:100]
	PY
'

test_done
