#!/bin/sh
# follow on real pushes to a local Mastodon instance (tests/lib/mastodon.py:
# PUT and DELETE /api/v1/statuses/ID) and a local PDS (tests/lib/pds.py:
# deleteRecord): publish, fix the title (Mastodon edits its status; Bluesky
# posts are not edited), move the post (its url changes: one edit, and the
# announcement goes with it), unpublish (one deletion each); a hostile
# answer's id is never put in a url; no token in anything the pusher sees.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"

TOKEN=tok_follow_SECRET
SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# page PATH TITLE [EXTRA-FRONT-MATTER]: a post at PATH in the clone, committed
page() {
	mkdir -p "$(dirname "$1")" &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n%b---\nThe body of this post, long enough to say something.\n" \
		"$2" "${3:-}" >"$1" &&
	commit_all "$1: $2"
}

# toots: what the instance did to statuses, one line each ("made TEXT",
# "edit ID TEXT", "deleted ID"), the text's first line
toots() {
	python3 - "$TRASH/statuses" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1], encoding="utf-8"):
	        d = json.loads(line)
	        if d.get("deleted"):
	            print("deleted", d["id"])
	        elif "edit" in d:
	            print("edit", d["id"], d["edit"].split("\n")[0], "visibility=%s" % d.get("visibility"))
	        else:
	            print("made", d["id"], d["status"].split("\n")[0])
	PY
}

# sky: the records the PDS holds, "RKEY TEXT-FIRST-LINE"
sky() {
	python3 - "$TRASH/pds.records" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for k, v in sorted(json.load(open(sys.argv[1], encoding="utf-8")).items()):
	        print(k, v["text"].split("\n")[0])
	PY
}

test_expect_success 'setup: a server with a mastodon and a bluesky target that follow their posts' '
	printf "%s\n" "$TOKEN" >token && chmod 600 token &&
	printf "%s\n" "$PDS_PASSWORD" >password && chmod 600 password &&
	RECEIVER="$TEST_DIR/lib/mastodon.py" start_receiver m --token "$TOKEN" \
		--statuses "$TRASH/statuses" --max-seconds 600 &&
	murl=$url &&
	start_pds pds --max-seconds 600 &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hookBudget 30 &&
	git -C server.git config herald.toot.kind mastodon &&
	git -C server.git config herald.toot.url "$murl" &&
	git -C server.git config herald.toot.tokenFile "$TRASH/token" &&
	git -C server.git config herald.toot.visibility unlisted &&
	git -C server.git config herald.toot.follow "edit retract" &&
	git -C server.git config herald.sky.kind bluesky &&
	git -C server.git config herald.sky.url "$url" &&
	git -C server.git config herald.sky.handle "$PDS_HANDLE" &&
	git -C server.git config herald.sky.passwordFile "$TRASH/password" &&
	git -C server.git config herald.sky.follow retract &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	page _posts/2020-03-01-zero.md "Zero" &&
	push first origin main &&
	test -z "$(toots)$(sky)"
'

test_expect_success 'a new post: one status, one record, both ids kept' '
	cd work &&
	page _posts/2020-03-01-hello.md "Helo" &&
	push new origin main &&
	toots >../toots && test $(wc -l <../toots) = 1 && grep "^made [0-9]* New post: Helo$" ../toots &&
	sky >../sky && test $(wc -l <../sky) = 1 &&
	grep "^toot	remote	_posts/2020-03-01-hello.md	[0-9]*	" ../server.git/herald/ledger &&
	grep "^sky	remote	_posts/2020-03-01-hello.md	at://$PDS_DID/app.bsky.feed.post/[a-z2-7]*	" ../server.git/herald/ledger
'

test_expect_success 'fixing the title edits the status (its visibility untouched); the Bluesky post stays' '
	cd work &&
	page _posts/2020-03-01-hello.md "Hello" &&
	push fix origin main &&
	id=$(sed -n "s/^made \([0-9]*\) .*/\1/p" ../toots) &&
	toots | sed 1d >../edits &&
	test "$(cat ../edits)" = "edit $id New post: Hello visibility=None" &&
	python3 -c "import json,sys; assert any(json.loads(l)[\"method\"]==\"PUT\" and json.loads(l)[\"path\"]==\"/api/v1/statuses/\"+sys.argv[2] for l in open(sys.argv[1]))" ../m.log "$id" &&
	sky >../sky2 && test_cmp ../sky ../sky2
'

test_expect_success 'moving the post changes its url: one edit, and the announcement goes with it' '
	cd work &&
	git mv _posts/2020-03-01-hello.md _posts/2020-03-01-hello-again.md &&
	commit_all "rename" &&
	push move origin main &&
	toots | sed 1,2d >../edits &&
	test $(wc -l <../edits) = 1 &&
	grep "^edit [0-9]* New post: Hello visibility=None$" ../edits &&
	python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; b=json.loads([r for r in l if r[\"method\"]==\"PUT\"][-1][\"body\"]); assert \"hello-again\" in b[\"status\"], b" ../m.log &&
	grep "^toot	new	_posts/2020-03-01-hello-again.md	msg_" ../server.git/herald/ledger &&
	grep "^toot	remote	_posts/2020-03-01-hello-again.md	[0-9]*	" ../server.git/herald/ledger &&
	grep "^sky	remote	_posts/2020-03-01-hello-again.md	at://" ../server.git/herald/ledger
'

test_expect_success 'unpublishing deletes the status and the record, once' '
	cd work &&
	page _posts/2020-03-01-hello-again.md "Hello" "draft: true\n" &&
	push unpublish origin main &&
	toots | sed 1,3d >../gone &&
	test "$(cat ../gone)" = "deleted $(sed -n "s/^made \([0-9]*\) .*/\1/p" ../toots)" &&
	test -z "$(sky)" &&
	calls ../pds.log | grep -c "deleteRecord 200" >../n && test "$(cat ../n)" = 1 &&
	test $(grep -c "	retracted	_posts/2020-03-01-hello-again.md	" ../server.git/herald/ledger) = 2
'

test_expect_success 'a deletion of a status that is gone already counts as done' '
	cd work &&
	page _posts/2020-03-01-two.md "Two" &&
	push two origin main &&
	id=$(toots | sed -n "s/^made \([0-9]*\) New post: Two$/\1/p") && test -n "$id" &&
	curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$(cat ../m.port)/api/v1/statuses/$id" >/dev/null &&
	git rm -q _posts/2020-03-01-two.md && commit_all "delete two" &&
	push deltwo origin main &&
	test -z "$(ls ../server.git/herald/outbox)" &&
	test -z "$(ls ../server.git/herald/dead 2>/dev/null)" &&
	herald -C ../server.git status >../status
'

test_expect_success 'no token, password or url path in anything the pusher saw' '
	! grep -l "$TOKEN\|$PDS_PASSWORD\|accessJwt" *.push
'

test_done
