#!/bin/sh
# One real request per kind of target, checked as each platform expects it:
# method, path, query, headers and the JSON body's shape.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'stop_receiver r' EXIT

test_expect_success 'setup: one target of every kind, all on the receiver' '
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	printf "title: Kinds\nbase_url: https://blog.example.com\n" >.herald.yml &&
	mkdir _posts &&
	cat >_posts/2020-03-30-hello.md <<-\EOT &&
	---
	title: Hello <b>world</b> & "friends" @everyone
	tags: [one, two]
	---
	A *first* paragraph with a [link](https://example.com/x).
	EOT
	commit_all "hello" &&
	for k in slack discord mattermost teams googlechat telegram webhook; do
		git config herald.$k.kind $k &&
		git config herald.$k.url "$url/$k/TOKENPATH?key=k1" || return 1
	done &&
	git config herald.telegram.chatId 12345 &&
	git config herald.matrix.kind matrix &&
	git config herald.matrix.url "$url/_matrix/client/v3/rooms/!room:example.org" &&
	git config herald.matrix.token SECRETTOKEN &&
	git config herald.ntfy.kind ntfy &&
	git config herald.ntfy.url "$url/blogtopic" &&
	herald targets >../targets.out &&
	test $(grep -vc "^ " ../targets.out) = 9
'

test_expect_success 'announce sends one request to each of the nine' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	grep "9 delivered" ../err &&
	test $(wc -l <../r.log) = 9 &&
	! grep -e TOKENPATH -e SECRETTOKEN ../out ../err ../targets.out
'

test_expect_success 'each request is what its platform expects' '
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
	    reqs[kind] = r
	assert sorted(reqs) == sorted(["slack", "discord", "mattermost", "teams", "googlechat",
	                               "telegram", "webhook", "matrix", "ntfy"]), sorted(reqs)
	for k, r in reqs.items():
	    assert r["headers"]["content-type"].startswith("application/json"), (k, r["headers"])
	    assert r["headers"]["user-agent"].startswith("herald/"), k
	b = {k: json.loads(r["body"]) for k, r in reqs.items()}
	title = "Hello <b>world</b> & \"friends\" @everyone"
	# Slack: text fallback, blocks, mrkdwn escaping
	assert b["slack"]["text"] and b["slack"]["blocks"], b["slack"]
	s = json.dumps(b["slack"])
	assert "&lt;b&gt;" in s and "<b>" not in s, s
	# Discord: an embed, and no mention can ping anyone
	e = b["discord"]["embeds"][0]
	assert e["url"] == "https://blog.example.com/2020/03/30/hello/", e
	assert b["discord"]["allowed_mentions"] == {"parse": []}, b["discord"]
	assert len(e["title"]) <= 256 and len(e.get("description", "")) <= 4096
	# Mattermost
	assert "Hello" in b["mattermost"]["text"]
	# Teams: an Adaptive Card in a message
	att = b["teams"]["attachments"][0]
	assert att["contentType"] == "application/vnd.microsoft.card.adaptive", att
	assert att["content"]["type"] == "AdaptiveCard"
	# Google Chat: text, and the delivery id as requestId next to the url key
	assert b["googlechat"]["text"]
	q = reqs["googlechat"]["query"]
	assert "key=k1" in q and "requestId=msg_" in q, q
	# Telegram: HTML subset, escaped, to the chat
	assert str(b["telegram"]["chat_id"]) == "12345" and b["telegram"]["parse_mode"] == "HTML"
	assert "&lt;b&gt;" in b["telegram"]["text"], b["telegram"]["text"]
	assert len(b["telegram"]["text"]) <= 4096
	# Matrix: PUT to send/m.room.message/<txn>, a notice with HTML, bearer token
	m = reqs["matrix"]
	assert m["method"] == "PUT", m["method"]
	assert "/send/m.room.message/msg_" in m["path"], m["path"]
	assert m["headers"]["authorization"] == "Bearer SECRETTOKEN"
	assert b["matrix"]["msgtype"] == "m.notice" and b["matrix"]["format"] == "org.matrix.custom.html"
	assert "<script" not in b["matrix"]["formatted_body"]
	# ntfy: JSON publish to the server root, the topic from the url
	n = b["ntfy"]
	assert n["topic"] == "blogtopic" and n["click"].startswith("https://blog.example.com/"), n
	# Generic webhook
	assert b["webhook"]["type"] == "post.new" and b["webhook"]["data"]["title"] == title
	assert "webhook-id" in reqs["webhook"]["headers"] and "webhook-signature" not in reqs["webhook"]["headers"]
	PY
'

test_expect_success 'batch = true sends one message for several posts' '
	cd blog &&
	git config herald.slack.batch true &&
	for k in discord mattermost teams googlechat telegram webhook matrix ntfy; do
		git config herald.$k.events updated || return 1
	done &&
	for i in 1 2 3; do
		printf -- "---\ntitle: Batch %s\n---\nBody.\n" $i >_posts/2020-04-0$i-batch.md || return 1
	done &&
	commit_all "three posts" &&
	before=$(wc -l <../r.log) &&
	herald announce --now $NOW >../out 2>../err &&
	test $(($(wc -l <../r.log) - before)) = 1 &&
	tail -n 1 ../r.log | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); b=json.loads(r[\"body\"]); s=json.dumps(b); assert r[\"path\"].startswith(\"/slack/\") and all((\"Batch %d\" % i) in s for i in (1,2,3)), s"
'

test_done
