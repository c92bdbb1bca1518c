#!/bin/sh
# follow = edit retract on real pushes into a bare server with herald's
# hooks, against local receivers that answer as Discord, Telegram and
# Matrix do (message ids, 404 for a message that is gone): publish, fix
# the title (one edit each), change what no announcement shows (nothing),
# unpublish (one deletion each), republish (announced again), delete; an
# edit or a retraction while the announcement still waits in the outbox;
# an announcement made before ids were kept; kill -9 between the steps.
# (A retry the hook makes on its own while the receiver still fails may add
# requests; what the tests count is what reached the platform.)
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# page N TITLE [EXTRA-FRONT-MATTER]: post N in the clone, committed
page() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n%b---\nThe body of post %s, long enough to say something.\n" \
		"$2" "${3:-}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1: $2"
}

# reqs NAME: "METHOD PATH[?QUERY] SUMMARY" of each request receiver NAME logged
reqs() {
	python3 - "$TRASH/$1.log" <<-\PY
	import json, os, re, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        r = json.loads(line)
	        b = json.loads(r["body"]) if r["body"] else {}
	        if "text" in b:
	            b["text"] = re.sub("<[^>]*>", "", b["text"])
	        path = r["path"].split("/hook", 1)[-1] or "/"
	        q = "?" + r["query"] if r["query"] else ""
	        if "embeds" in b:
	            what = b["embeds"][0].get("title", "")
	        elif "text" in b:
	            what = b["text"].split("\n")[0]
	        elif "m.new_content" in b:
	            what = "replace " + b["m.relates_to"]["event_id"] + " " + b["body"].split("\n")[0]
	        elif "body" in b:
	            what = b["body"].split("\n")[0]
	        else:
	            what = json.dumps(b, sort_keys=True) if b else "-"
	        print(r["method"], path + q, what)
	PY
}

# last_body NAME KEY: KEY of the JSON body of NAME's last request (as JSON)
last_body() {
	python3 - "$TRASH/$1.log" "$2" <<-\PY
	import json, sys
	r = json.loads(open(sys.argv[1]).readlines()[-1])
	print(json.dumps(json.loads(r["body"]).get(sys.argv[2])))
	PY
}

# remote_of TARGET POST: the message id the server's ledger keeps for it
remote_of() {
	awk -F "	" -v t="$1" -v p="$2" '$1 == t && $2 == "remote" && $3 == p { id = $4 } END { print id }' \
		"$SERVER/herald/ledger"
}

# count NAME: how many requests receiver NAME logged
count() {
	if [ -f "$TRASH/$1.log" ]; then wc -l <"$TRASH/$1.log" | tr -d " "; else echo 0; fi
}

# mark: the request counts now, so a step can look at what it added
mark() {
	for r in dc tg mx; do count $r >"$TRASH/$r.mark"; done
}

# since NAME: the requests NAME logged after the last mark
since() {
	reqs "$1" | tail -n "+$(( $(cat "$TRASH/$1.mark") + 1 ))"
}

# deliverers: pids of `herald deliver` running in the server (a hook's hand-off)
deliverers() {
	real=$(cd "$SERVER" && pwd -P)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$real" ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "deliver" && echo "${p#/proc/}"
	done
	return 0
}

test_expect_success 'setup: a server with three targets that follow their posts, a clone' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hookBudget 30 &&
	for r in dc tg mx; do : >$r.control; done &&
	start_receiver dc --api discord --respond 200 --control dc.control --max-seconds 900 &&
	git -C server.git config herald.dc.kind discord &&
	git -C server.git config herald.dc.url "$url/hook/api/webhooks/1/tok" &&
	git -C server.git config herald.dc.follow "edit retract" &&
	start_receiver tg --api telegram --respond 200 --control tg.control --max-seconds 900 &&
	git -C server.git config herald.tg.kind telegram &&
	git -C server.git config herald.tg.url "$url/hook/bot123:abc/sendMessage" &&
	git -C server.git config herald.tg.chatId 42 &&
	git -C server.git config herald.tg.follow "edit retract" &&
	start_receiver mx --api matrix --respond 200 --control mx.control --max-seconds 900 &&
	git -C server.git config herald.mx.kind matrix &&
	git -C server.git config herald.mx.url "$url/hook/_matrix/client/v3/rooms/!r:test" &&
	git -C server.git config herald.mx.token syt_secret &&
	git -C server.git config herald.mx.follow "edit retract" &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	page 0 "Already there" &&
	push first origin main &&
	test "$(count dc)$(count tg)$(count mx)" = 000
'

test_expect_success 'herald targets says what follows' '
	herald -C server.git targets >out &&
	grep "^dc .* new undrafted (follows: edit retract)$" out &&
	git -C server.git config herald.tg.url "http://127.0.0.1:$(cat tg.port)/hook/bot123:abc/sendPhoto" &&
	herald -C server.git targets >bad 2>&1;
	git -C server.git config herald.tg.url "http://127.0.0.1:$(cat tg.port)/hook/bot123:abc/sendMessage" &&
	grep "follow needs the url to end in /sendMessage" bad &&
	git -C server.git config herald.bad.kind slack &&
	git -C server.git config herald.bad.url https://hooks.slack.com/services/x &&
	git -C server.git config herald.bad.follow "edit" &&
	herald -C server.git targets >bad 2>&1;
	grep "follow: slack cannot edit what it posted" bad &&
	git -C server.git config herald.bad.kind bluesky &&
	herald -C server.git targets >bad 2>&1;
	grep "follow: bluesky cannot edit what it posted" bad &&
	git -C server.git config herald.bad.follow "edit sideways" &&
	herald -C server.git targets >bad 2>&1;
	grep "follow: .sideways. is not" bad &&
	git -C server.git config --remove-section herald.bad
'

test_expect_success 'a new post is announced once to each, and each message id is kept' '
	cd work && mark &&
	page 1 "Hello wrold" &&
	push new origin main &&
	test "$(since dc)" = "POST /api/webhooks/1/tok?wait=true Hello wrold" &&
	test "$(since tg)" = "POST /bot123:abc/sendMessage Hello wrold" &&
	since mx >../mx.out && grep "^PUT /_matrix/client/v3/rooms/!r:test/send/m.room.message/" ../mx.out &&
	test $(grep -c "	remote	_posts/2020-03-01-post-1.md	" ../server.git/herald/ledger) = 3
'

test_expect_success 'fixing the title edits each message once' '
	cd work && mark &&
	page 1 "Hello world" &&
	push fix origin main &&
	grep "herald: edited the announcement of \"Hello world\" to dc" ../fix.push &&
	since dc >../dc.out &&
	test $(wc -l <../dc.out) = 1 &&
	grep "^PATCH /api/webhooks/1/tok/messages/1[0-9]* Hello world$" ../dc.out &&
	since tg >../tg.out &&
	test $(wc -l <../tg.out) = 1 &&
	grep "^POST /bot123:abc/editMessageText Hello world$" ../tg.out &&
	test "$(last_body tg message_id)" = 2 &&
	since mx >../mx.out &&
	test $(wc -l <../mx.out) = 1 &&
	grep "^PUT /_matrix/client/v3/rooms/!r:test/send/m.room.message/.* replace \$ev[0-9]*:test \* " ../mx.out &&
	grep "Hello world" ../mx.out &&
	test -z "$(ls ../server.git/herald/outbox)"
'

test_expect_success 'a change no announcement shows (a tag) edits nothing' '
	cd work && mark &&
	page 1 "Hello world" "tags: [x]\n" &&
	push tag origin main &&
	test -z "$(since dc)$(since tg)$(since mx)"
'

test_expect_success 'kill -9 while the edit is sent, then delivered: the message edited, nothing lost' '
	cd work && mark &&
	git -C ../server.git config herald.background true &&
	echo hang >../dc.control &&
	page 1 "Hello, world" "tags: [x]\n" &&
	push hang origin main &&
	wait_lines ../dc.log $(( $(cat ../dc.mark) + 1 )) &&
	pids=$(deliverers) && test -n "$pids" &&
	kill -9 $pids && sleep 0.2 && test -z "$(deliverers)" &&
	echo 200 >../dc.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	since dc >../dc.out &&
	test $(wc -l <../dc.out) = 2 &&
	test $(grep -c "^PATCH /api/webhooks/1/tok/messages/1[0-9]* Hello, world$" ../dc.out) = 2 &&
	test -z "$(ls ../server.git/herald/outbox)" &&
	git -C ../server.git config --unset herald.background
'

test_expect_success 'unpublishing deletes each message once; the ledger says retracted' '
	cd work && mark &&
	page 1 "Hello, world" "tags: [x]\ndraft: true\n" &&
	push unpublish origin main &&
	grep "herald: retracted the announcement of \"Hello, world\" to tg" ../unpublish.push &&
	id=$(remote_of dc _posts/2020-03-01-post-1.md) &&
	test "$(since dc)" = "DELETE /api/webhooks/1/tok/messages/$id -" &&
	since tg >../tg.out &&
	grep "^POST /bot123:abc/deleteMessage {\"chat_id\": \"42\", \"message_id\": [0-9]*}$" ../tg.out &&
	since mx >../mx.out &&
	grep "^PUT /_matrix/client/v3/rooms/!r:test/redact/%24ev[0-9]*%3Atest/msg_" ../mx.out &&
	test $(grep -c "	retracted	_posts/2020-03-01-post-1.md	" ../server.git/herald/ledger) = 3
'

test_expect_success 'republished, the post is announced again; deleted, retracted again' '
	cd work && mark &&
	page 1 "Hello, world" &&
	push republish origin main &&
	test "$(since dc)" = "POST /api/webhooks/1/tok?wait=true Hello, world" &&
	test $(since tg | wc -l) = 1 && test $(since mx | wc -l) = 1 &&
	mark &&
	git rm -q _posts/2020-03-01-post-1.md && commit_all "delete post 1" &&
	push delete origin main &&
	since dc | grep "^DELETE /api/webhooks/1/tok/messages/" &&
	since tg | grep "^POST /bot123:abc/deleteMessage" &&
	since mx | grep "/redact/" &&
	test $(since dc | wc -l) = 1 && test $(since tg | wc -l) = 1 && test $(since mx | wc -l) = 1
'

test_expect_success 'kill -9 while a deletion is sent: it is sent again and done once' '
	cd work && mark &&
	page 2 "Short lived" &&
	push p2 origin main &&
	test $(since dc | wc -l) = 1 &&
	mark &&
	git -C ../server.git config herald.background true &&
	echo hang >../dc.control &&
	page 2 "Short lived" "draft: true\n" &&
	push p2gone origin main &&
	wait_lines ../dc.log $(( $(cat ../dc.mark) + 1 )) &&
	pids=$(deliverers) && test -n "$pids" &&
	kill -9 $pids && sleep 0.2 && test -z "$(deliverers)" &&
	echo 200 >../dc.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	test $(since dc | grep -c "^DELETE /api/webhooks/1/tok/messages/") = 2 &&
	test -z "$(ls ../server.git/herald/outbox)" &&
	git -C ../server.git config --unset herald.background
'

test_expect_success 'an edit while the announcement still waits changes it there: one message, the new title' '
	cd work && mark &&
	echo 503 >../dc.control &&
	page 3 "Frist" &&
	push p3 origin main &&
	test $(since dc | wc -l) = 1 &&
	page 3 "First" &&
	push p3fix origin main &&
	grep "the announcement of .*post-3.md. was still waiting in the outbox: changed" ../p3fix.push &&
	echo 200 >../dc.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	since dc | sed 1d | sort -u >../dc.out &&
	test "$(cat ../dc.out)" = "POST /api/webhooks/1/tok?wait=true First" &&
	test "$(last_body dc embeds | grep -o "\"title\": \"[^\"]*\"")" = "\"title\": \"First\"" &&
	test -z "$(ls ../server.git/herald/outbox)"
'

test_expect_success 'a retraction while the announcement still waits drops it: nothing is posted' '
	cd work && mark &&
	echo 503 >../dc.control &&
	page 4 "Oops" &&
	push p4 origin main &&
	page 4 "Oops" "draft: true\n" &&
	push p4gone origin main &&
	grep "the announcement of .*post-4.md. was still waiting in the outbox: dropped" ../p4gone.push &&
	echo 200 >../dc.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	test "$(since dc)" = "POST /api/webhooks/1/tok?wait=true Oops" &&
	test -z "$(ls ../server.git/herald/outbox)" &&
	grep "	retracted	_posts/2020-03-01-post-4.md	" ../server.git/herald/ledger
'

test_expect_success 'announced before ids were kept: an edit does nothing and says so' '
	cd work && mark &&
	git -C ../server.git config --unset herald.dc.follow &&
	page 5 "Before ids" &&
	push p5 origin main &&
	test "$(since dc)" = "POST /api/webhooks/1/tok Before ids" &&
	git -C ../server.git config herald.dc.follow "edit retract" &&
	mark &&
	page 5 "Before ids, edited" &&
	push p5fix origin main &&
	grep "dc: .*post-5.md. was announced before herald kept message ids" ../p5fix.push &&
	test -z "$(since dc)" &&
	test $(since tg | wc -l) = 1
'

test_expect_success 'herald status and herald outbox show follow-ups like any delivery' '
	cd work && mark &&
	echo 503 >../tg.control &&
	page 6 "Six" &&
	push p6 origin main &&
	echo 200 >../tg.control &&
	herald -C ../server.git deliver --all >/dev/null 2>&1 &&
	echo 503 >../tg.control &&
	page 6 "Six, edited" &&
	push p6fix origin main &&
	herald -C ../server.git outbox >../outbox.out &&
	grep "post.edit" ../outbox.out &&
	echo 200 >../tg.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	grep "post.edit" ../deliver.out &&
	herald -C ../server.git status >../status.out &&
	test -z "$(ls ../server.git/herald/outbox)"
'

test_expect_success 'a Telegram message deleted by hand: the retraction counts as done' '
	cd work &&
	page 7 "Seven" &&
	push p7 origin main &&
	id=$(remote_of tg _posts/2020-03-01-post-7.md) && test -n "$id" &&
	curl -sf -H "Content-Type: application/json" -d "{\"chat_id\": 42, \"message_id\": $id}" \
		"$(git -C ../server.git config herald.tg.url | sed "s,/sendMessage$,/deleteMessage,")" &&
	mark &&
	page 7 "Seven" "draft: true\n" &&
	push p7gone origin main &&
	since tg >../tg.out &&
	test $(wc -l <../tg.out) = 1 &&
	grep "^POST /bot123:abc/deleteMessage {\"chat_id\": \"42\", \"message_id\": $id}$" ../tg.out &&
	grep "herald: retracted the announcement of \"Seven\" to tg" ../p7gone.push &&
	test -z "$(ls ../server.git/herald/outbox)$(ls ../server.git/herald/dead)" &&
	awk -F "	" "\$1 == \"tg\" && \$2 == \"retracted\" && \$3 == \"_posts/2020-03-01-post-7.md\"" \
		../server.git/herald/ledger | grep . &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	test -z "$(since tg | sed 1d)"
'

test_expect_success 'a Telegram edit the message already shows (title changed and back while the edit waited) is done' '
	cd work &&
	page 8 "Eight" &&
	push p8 origin main &&
	test -n "$(remote_of tg _posts/2020-03-01-post-8.md)" &&
	echo 503 >../tg.control &&
	page 8 "Eight, edited" &&
	push p8fix origin main &&
	page 8 "Eight" &&
	push p8back origin main &&
	mark &&
	echo 200 >../tg.control &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	since tg >../tg.out &&
	test $(wc -l <../tg.out) = 1 &&
	grep "^POST /bot123:abc/editMessageText Eight$" ../tg.out &&
	grep "so already" ../deliver.out &&
	test -z "$(ls ../server.git/herald/outbox)$(ls ../server.git/herald/dead)"
'

test_expect_success 'no secret in anything the pusher saw' '
	! grep -l "syt_secret\|bot123:abc\|/tok" *.push
'

test_done
