#!/bin/sh
# herald announce and herald deliver against a real receiver on 127.0.0.1:
# signed webhooks, the ledger, retries, dead letters and replay, timeouts,
# a crash in the middle of a batch, and no secret in any output.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
trap 'for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N: a new post in the blog, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: Post number %s\ndate: 2020-03-%02d\ntags: [t%s]\n---\nThe body of post %s.\n" \
		"$1" "$1" "$1" "$1" >"_posts/2020-03-$(printf %02d "$1")-post-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh receiver (from the trash folder, where its files
# live) answering as ARGS say, and the target pointed at it; ends in blog/
restart() {
	cd "$TRASH" && stop_receiver r && start_receiver r "$@" &&
	cd "$TRASH/blog" && git config herald.hook.url "$url/hooks/SECRETPATH"
}

# requests LOG: how many requests the receiver logged
requests() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d " "; else echo 0; fi
}

# verify LOG N: request N (1-based) carries a valid Standard Webhooks signature
verify() {
	python3 - "$1" "$2" "$SECRET" <<-\PY
	import base64, hashlib, hmac, json, sys
	lines = open(sys.argv[1]).read().splitlines()
	r = json.loads(lines[int(sys.argv[2]) - 1])
	h = r["headers"]
	key = base64.b64decode(sys.argv[3].split("_", 1)[1])
	signed = (h["webhook-id"] + "." + h["webhook-timestamp"] + "." + r["body"]).encode()
	want = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
	assert want in h["webhook-signature"].split(" "), (want, h["webhook-signature"])
	gh = "sha256=" + hmac.new(sys.argv[3].encode(), r["body"].encode(), hashlib.sha256).hexdigest()
	assert h["x-hub-signature-256"] == gh
	body = json.loads(r["body"])
	assert body["type"].startswith("post."), body
	assert "timestamp" in body and "data" in body
	PY
}

test_expect_success 'setup: a blog and a webhook target' '
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 &&
	git config herald.hook.kind webhook &&
	git config herald.hook.url "$url/hooks/SECRETPATH" &&
	git config herald.hook.secret "$SECRET"
'

test_expect_success 'targets lists the target, url shown as scheme and host only' '
	cd blog &&
	herald targets >../targets.out &&
	grep "^hook  *webhook  *http://127.0.0.1 *new undrafted (signed)" ../targets.out &&
	! grep SECRETPATH ../targets.out
'

test_expect_success 'announce delivers a signed new-post webhook' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 1 &&
	verify ../r.log 1 &&
	python3 -c "import json,sys; r=json.loads(open(\"../r.log\").readline()); b=json.loads(r[\"body\"]); assert b[\"type\"]==\"post.new\" and b[\"data\"][\"title\"]==\"Post number 1\" and r[\"path\"]==\"/hooks/SECRETPATH\", b" &&
	grep "1 delivered" ../err
'

test_expect_success 'announcing the same range again sends nothing (ledger)' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 1 &&
	grep "1 skipped" ../err
'

test_expect_success 'a revert and re-apply of the post announces nothing new' '
	cd blog &&
	git revert --no-edit HEAD >/dev/null && test_tick &&
	git revert --no-edit HEAD >/dev/null &&
	herald announce --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 1
'

test_expect_success '--force announces again, with the same webhook-id' '
	cd blog &&
	herald announce --force --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 2 &&
	python3 -c "import json; l=[json.loads(x) for x in open(\"../r.log\")]; assert l[0][\"headers\"][\"webhook-id\"]==l[1][\"headers\"][\"webhook-id\"]"
'

test_expect_success '--dry-run prints the request and sends nothing' '
	cd blog &&
	post 2 &&
	herald announce --dry-run --now $NOW >../dry.out 2>../dry.err &&
	test "$(requests ../r.log)" = 2 &&
	grep "^POST http://127.0.0.1 " ../dry.out &&
	grep "\"post.new\"" ../dry.out &&
	! grep SECRETPATH ../dry.out ../dry.err &&
	herald outbox list >../list.out &&
	grep "pending (0)" ../list.out
'

test_expect_success 'a 500 is retried: the delivery stays in the outbox' '
	cd blog &&
	restart --respond 500,200 &&
	herald announce --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 1 &&
	grep " 500 *retry in" ../out &&
	herald outbox list >../list.out &&
	grep "pending (1)" ../list.out &&
	herald deliver --all >../out 2>../err &&
	test "$(requests ../r.log)" = 2 &&
	grep "delivered" ../out &&
	herald outbox list >../list.out &&
	grep "pending (0)" ../list.out
'

test_expect_success 'a 404 is dead at once; outbox retry replays it with the same id' '
	cd blog &&
	restart --respond 404,200 &&
	post 3 &&
	test_expect_code 0 herald announce --now $NOW >../out 2>../err &&
	grep " 404 *dead" ../out &&
	herald outbox list >../list.out &&
	grep "dead (1)" ../list.out &&
	id=$(sed -n "s/^  \(msg_[a-z0-9]*\) .*/\1/p" ../list.out | head -1) &&
	herald outbox show "$id" >../show.out &&
	grep "last try.*404" ../show.out &&
	herald outbox retry "$id" &&
	herald deliver >../out 2>../err &&
	test "$(requests ../r.log)" = 2 &&
	python3 -c "import json; l=[json.loads(x) for x in open(\"../r.log\")]; assert l[0][\"headers\"][\"webhook-id\"]==l[1][\"headers\"][\"webhook-id\"]==\"$id\""
'

test_expect_success 'a 429 with Retry-After waits at least that long' '
	cd blog &&
	restart --respond 429:7200 &&
	post 4 &&
	herald announce --now $NOW >../out 2>../err &&
	grep " 429 *retry in 2h" ../out &&
	herald deliver >../out 2>../err &&
	test "$(requests ../r.log)" = 1 &&
	grep "1 not yet due" ../err &&
	herald outbox drop "$(herald outbox list | sed -n "s/^  \(msg_[a-z0-9]*\) .*/\1/p" | head -1)"
'

test_expect_success 'receiver down for the first run, up for the second: delivered once' '
	cd blog &&
	restart --respond 200 &&
	port=$(cat ../r.port) && (cd "$TRASH" && stop_receiver r) &&
	git config herald.hook.url "http://127.0.0.1:$port/hooks/SECRETPATH" &&
	post 5 &&
	herald announce --now $NOW >../out 2>../err &&
	grep "retry" ../out &&
	! grep SECRETPATH ../out ../err &&
	(cd "$TRASH" && start_receiver r --port "$port" --respond 200) &&
	herald deliver --all >../out 2>../err &&
	herald deliver --all >../out2 2>../err2 &&
	test "$(requests ../r.log)" = 1
'

test_expect_success 'a hanging receiver times out within the limit' '
	cd blog &&
	restart --respond hang &&
	git config herald.hook.timeout 2 &&
	post 6 &&
	start=$(date +%s) &&
	herald announce --now $NOW >../out 2>../err &&
	end=$(date +%s) &&
	test $((end - start)) -le 6 &&
	grep -i "timeout\|timed out" ../out &&
	git config --unset herald.hook.timeout &&
	herald outbox list | grep "pending (1)"
'

test_expect_success 'kill -9 in the middle of a batch: every delivery arrives, none is lost' '
	cd blog &&
	restart --respond hang &&
	git config herald.hook.timeout 1 &&
	for i in 10 11 12 13 14 15 16 17; do
		mkdir -p _posts &&
		printf -- "---\ntitle: Batch %s\n---\nBody %s.\n" $i $i >_posts/2020-04-$i-b.md || return 1
	done &&
	commit_all "eight posts" &&
	herald announce --max-time 0.1 --now $NOW >../out 2>../err &&
	herald outbox list >../list.out &&
	pending=$(sed -n "s/^pending (\([0-9]*\))/\1/p" ../list.out) &&
	test "$pending" -ge 8 &&
	# the program itself, not the herald function of test-lib: killing
	# the shell that runs a function leaves the program running
	{ "$HERALD" deliver --all --max-time 60 >../out 2>&1 & pid=$!; } &&
	wait_lines ../r.log 2 && kill -9 $pid &&
	{ wait $pid || true; } &&
	! kill -0 $pid 2>/dev/null &&
	sent=$(requests ../r.log) &&
	test "$sent" -ge 2 && test "$sent" -lt "$pending" &&
	git config --unset herald.hook.timeout &&
	restart --respond 200 &&
	herald deliver --all >../out 2>&1 &&
	herald outbox list >../list.out &&
	grep "pending (0)" ../list.out &&
	python3 -c "
import json
l = [json.loads(x) for x in open(\"../r.log\")]
ids = {r[\"headers\"][\"webhook-id\"] for r in l}
assert len(l) == len(ids) == $pending, (len(l), len(ids), $pending)
"
'

test_expect_success 'two deliver runs at once send each delivery once' '
	cd blog &&
	restart --respond 200 &&
	for i in 20 21 22 23 24 25; do
		printf -- "---\ntitle: Twice %s\n---\nBody %s.\n" $i $i >_posts/2020-05-$i-c.md || return 1
	done &&
	commit_all "six posts" &&
	herald announce --queue-only --now $NOW >../out 2>../err &&
	test "$(requests ../r.log)" = 0 &&
	{ herald deliver --all >../d1 2>&1 & } && p1=$! &&
	{ herald deliver --all >../d2 2>&1 & } && p2=$! &&
	wait $p1 && wait $p2 &&
	test "$(requests ../r.log)" = 6
'

test_expect_success 'plain http to another host is refused unless allowHttp' '
	cd blog &&
	git config herald.remote.kind slack &&
	git config herald.remote.url http://hooks.example.com/services/XYZ &&
	test_expect_code 1 herald targets >../t.out &&
	grep "plain http to hooks.example.com is refused" ../t.out &&
	! grep XYZ ../t.out &&
	git config herald.remote.allowHttp true &&
	herald targets >../t.out &&
	git config --remove-section herald.remote
'

test_expect_success 'no output, log or outbox file holds the secret or the url path' '
	! grep -r "SECRETPATH" ../*.out ../*.err ../out ../err 2>/dev/null &&
	! grep -r "$SECRET" ../*.out ../*.err .git/herald 2>/dev/null &&
	! grep -r "SECRETPATH" .git/herald 2>/dev/null
'

test_done
