#!/bin/sh
# Scheduled digests in a target's time zone (Monday 09:00 in Tokyo is
# Monday 00:00 UTC), and on every chat kind: one compact list under the
# digest's headline, within the platform's limits.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

trap 'stop_receiver r' EXIT

# count PATH: requests to PATH the receiver accepted
count() {
	python3 - "$TRASH/r.log" "$1" <<-\PY
	import json, sys
	try:
	    lines = open(sys.argv[1]).read().splitlines()
	except FileNotFoundError:
	    lines = []
	print(sum(1 for l in lines if json.loads(l)["path"] == sys.argv[2]))
	PY
}

tick() {
	herald -C "$TRASH/server.git" tick --now "$1" >"$TRASH/out" 2>"$TRASH/err"
}

test_expect_success 'setup: targets in Tokyo and New York' '
	start_receiver r --respond 200 --max-seconds 600 &&
	echo "$url" >url &&
	git init -q --bare server.git &&
	git -C server.git config herald.tokyo.kind webhook &&
	git -C server.git config herald.tokyo.url "$url/tokyo" &&
	git -C server.git config herald.tokyo.events none &&
	git -C server.git config herald.tokyo.digest "mon 09:00" &&
	git -C server.git config herald.tokyo.timezone Asia/Tokyo &&
	git -C server.git config herald.ny.kind webhook &&
	git -C server.git config herald.ny.url "$url/ny" &&
	git -C server.git config herald.ny.events none &&
	git -C server.git config herald.ny.digest "Sunday 22:00" &&
	git -C server.git config herald.ny.timezone America/New_York &&
	git clone -q server.git blog 2>/dev/null &&
	(cd blog && printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	 commit_all config && git push -q origin main) &&
	tick 2026-11-28T00:00:00Z &&
	grep "digest to tokyo: counting posts from now; the first is due at 2026-11-30T00:00:00Z" out &&
	grep "digest to ny: counting posts from now; the first is due at 2026-11-30T03:00:00Z" out &&
	(cd blog && printf -- "---\ntitle: Zoned\ndate: 2026-11-28\n---\nZ.\n" | write_post _posts/2026-11-28-zoned.md &&
	 commit_all zoned && git push -q origin main)
'

test_expect_success 'Tokyo: not at 08:59:59 local, at 09:00:00 local (00:00 UTC)' '
	tick 2026-11-29T23:59:59Z &&
	test "$(count /tokyo)" = 0 &&
	tick 2026-11-30T00:00:00Z &&
	test "$(count /tokyo)" = 1 &&
	grep "due.*2026-11-30T00:00:00Z" r.log &&
	test "$(count /ny)" = 0
'

test_expect_success 'New York: Sunday 22:00 local is Monday 03:00 UTC' '
	tick 2026-11-30T02:59:00Z &&
	test "$(count /ny)" = 0 &&
	tick 2026-11-30T03:00:00Z &&
	test "$(count /ny)" = 1 &&
	test "$(count /tokyo)" = 1
'

test_expect_success 'setup: a daily digest on every chat kind, twelve posts in a day' '
	url=$(cat url) &&
	for k in slack discord mattermost teams googlechat telegram; do
		git -C server.git config herald.$k.kind $k &&
		git -C server.git config herald.$k.url "$url/$k" &&
		git -C server.git config herald.$k.events none &&
		git -C server.git config herald.$k.digest daily || exit 1
	done &&
	git -C server.git config herald.telegram.chatId 12345 &&
	git -C server.git config herald.matrix.kind matrix &&
	git -C server.git config herald.matrix.url "$url/_matrix/client/v3/rooms/!room:example.org" &&
	git -C server.git config herald.matrix.token SECRETTOKEN &&
	git -C server.git config herald.matrix.events none &&
	git -C server.git config herald.matrix.digest daily &&
	git -C server.git config herald.ntfy.kind ntfy &&
	git -C server.git config herald.ntfy.url "$url/blogtopic" &&
	git -C server.git config herald.ntfy.events none &&
	git -C server.git config herald.ntfy.digest daily &&
	tick 2026-12-01T10:00:00Z &&
	test "$(grep -c "counting posts from now" out)" = 8 &&
	cd blog &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
		printf -- "---\ntitle: \"Post $i @everyone <!channel> @room\"\ndate: 2026-12-01 12:$i\n---\n%s\n" \
			"A summary that is long enough to be shown, with *emphasis* and a [link](https://example.com/$i)." |
			write_post _posts/2026-12-01-p$i.md || exit 1
	done &&
	commit_all twelve && git push -q origin main
'

test_expect_success 'at 09:00 each chat kind gets one digest: headline, ten posts, "and 2 more"' '
	: >r.log &&
	tick 2026-12-02T09:00:00Z &&
	grep "8 deliveries queued, 8 delivered" err &&
	python3 - r.log <<-\PY
	import json, sys
	reqs = {}
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    kind = r["path"].split("/")[1]
	    if r["path"].startswith("/_matrix"):
	        kind = "matrix"
	    if r["path"] == "/":
	        kind = "ntfy"
	    assert kind not in reqs, kind
	    reqs[kind] = r
	assert sorted(reqs) == sorted(["slack", "discord", "mattermost", "teams", "googlechat",
	                               "telegram", "matrix", "ntfy"]), sorted(reqs)
	h = "Today on Test Blog: 12 new posts"
	b = {k: json.loads(r["body"]) for k, r in reqs.items()}
	s = b["slack"]
	assert s["text"] == h and s["blocks"][0]["text"]["text"] == h, s
	assert "and 2 more" in s["blocks"][-1]["elements"][0]["text"], s["blocks"][-1]
	assert all(len(x["text"]["text"]) <= 3000 for x in s["blocks"] if x["type"] == "section")
	assert "<!channel>" not in json.dumps(s), s
	d = b["discord"]
	assert d["content"] == h + " (\u2026and 2 more)", d["content"]
	assert len(d["embeds"]) == 10 and d["allowed_mentions"] == {"parse": []}
	assert sum(len(e["title"]) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
	           + len(e["author"]["name"]) for e in d["embeds"]) + len(d["content"]) <= 6000
	assert "@everyone" not in json.dumps(d, ensure_ascii=False), d
	assert h in b["mattermost"]["text"]
	assert h in json.dumps(b["teams"]), b["teams"]
	assert b["googlechat"]["text"].startswith("*" + h + "*"), b["googlechat"]
	t = b["telegram"]
	assert t["chat_id"] == "12345" and t["text"].startswith("<b>" + h + "</b>"), t
	assert len(t["text"]) <= 4096 and "and 2 more" in t["text"]
	m = b["matrix"]
	assert m["body"].startswith(h) and m["m.mentions"] == {} and "@room" not in m["body"], m
	n = b["ntfy"]
	assert n["title"] == h and n["message"].count("\n") == 10 and n["click"] == "https://blog.example.com", n
	assert len(n["message"].encode()) <= 4096
	PY
'

test_expect_success 'the next tick that day sends no second digest' '
	: >r.log &&
	tick 2026-12-02T15:00:00Z &&
	test ! -s r.log
'

test_done
