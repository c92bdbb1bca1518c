#!/bin/sh
# The platforms' own rules through a real announce to the receiver: Matrix
# defuses "@room" and Telegram "@name" in everything they send (a link's
# destination left as it is), and ntfy shows a post's subtitle.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'stop_receiver r' EXIT

test_expect_success 'setup: a post that mentions the room, and three targets' '
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	printf "title: Kinds\nbase_url: https://blog.example.com\n" >.herald.yml &&
	mkdir _posts &&
	cat >_posts/2020-03-30-hello.md <<-\EOT &&
	---
	title: Hello @room and .@Room
	subtitle: ask @alice or mail@example.com
	tags: [one]
	---
	Ping @room, @ROOM and @bob; see [the page](https://example.com/@room).
	EOT
	commit_all "hello" &&
	git config herald.matrix.kind matrix &&
	git config herald.matrix.url "$url/_matrix/client/v3/rooms/!room:example.org" &&
	git config herald.matrix.token SECRETTOKEN &&
	git config herald.telegram.kind telegram &&
	git config herald.telegram.url "$url/telegram" &&
	git config herald.telegram.chatId 12345 &&
	git config herald.ntfy.kind ntfy &&
	git config herald.ntfy.url "$url/blogtopic"
'

test_expect_success 'announce delivers to the three' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	grep "3 delivered" ../err &&
	test $(wc -l <../r.log) = 3
'

test_expect_success 'no mention survives, links and e-mail addresses do, ntfy has the subtitle' '
	python3 - r.log <<-\PY
	import json, re, sys
	Z = "\u200b"
	b = {}
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    kind = "matrix" if r["path"].startswith("/_matrix") else \
	           "ntfy" if r["path"] == "/" else r["path"].split("/")[1]
	    b[kind] = json.loads(r["body"])
	assert sorted(b) == ["matrix", "ntfy", "telegram"], sorted(b)
	m = b["matrix"]
	text = re.sub(r"<[^>]*>", "", m["formatted_body"])
	for t in (m["body"], text):
	    assert not re.search(r"@room", t, re.I), t
	    assert "@" + Z + "room" in t and "@" + Z + "ROOM" in t, t
	assert m["m.mentions"] == {}, m
	assert "href=\"https://example.com/@room\"" in m["formatted_body"], m["formatted_body"]
	t = b["telegram"]["text"]
	visible = re.sub(r"<[^>]*>", "", t)
	assert not re.search(r"(^|[^A-Za-z0-9])@[^\s\u200b]", visible), visible
	assert "@" + Z + "alice" in visible and "@" + Z + "bob" in visible, visible
	assert "mail@example.com" in visible, visible
	assert "href=\"https://example.com/@room\"" in t, t
	n = b["ntfy"]
	assert n["message"].startswith("ask @alice or mail@example.com\n\nPing @room"), n["message"]
	assert n["title"] == "Hello @room and .@Room", n
	PY
'

test_expect_success 'a kind option from the environment: CHAT_ID, USERNAME' '
	cd blog &&
	url="http://127.0.0.1:$(cat ../r.port)" &&
	HERALD_TARGET_TG_ENV_KIND=telegram HERALD_TARGET_TG_ENV_URL="$url/tgenv" \
	HERALD_TARGET_TG_ENV_CHAT_ID=777 HERALD_TARGET_DC_ENV_KIND=discord \
	HERALD_TARGET_DC_ENV_URL="$url/dcenv" HERALD_TARGET_DC_ENV_USERNAME=envbot \
		herald announce --now $NOW >../out2 2>../err2 &&
	grep "2 delivered" ../err2 &&
	python3 - ../r.log <<-\PY
	import json, sys
	b = {}
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    b[r["path"]] = json.loads(r["body"])
	assert b["/tgenv"]["chat_id"] == "777", b["/tgenv"]
	assert b["/dcenv"]["username"] == "envbot", b["/dcenv"]
	PY
'

test_expect_success 'without its chat id a telegram target is unusable, and says why' '
	cd blog &&
	url="http://127.0.0.1:$(cat ../r.port)" &&
	HERALD_TARGET_TG_BARE_KIND=telegram HERALD_TARGET_TG_BARE_URL="$url/tgbare" \
		herald targets tg-bare >../targets.out 2>&1;
	grep "telegram needs herald.tg-bare.chatId" ../targets.out
'

test_done
