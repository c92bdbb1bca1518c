#!/bin/sh
# kind = mastodon when things go wrong: a 5xx retried with the same
# Idempotency-Key, an answer lost after the status was made (the retry gets
# the same status, none is made twice), a 429 that waits for Mastodon's
# X-RateLimit-Reset, a 422 dead at once with Mastodon's reason; and a real
# `git push` into a bare repository with herald's hooks posting once.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
RECEIVER="$TEST_DIR/lib/mastodon.py"

TOKEN=tok_retry_SECRET
SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N [TITLE]: a new post in the current clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"${2:-Post number $1}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh instance answering as ARGS say, the blog's
# target on it, no limit kept from before; ends in blog/
restart() {
	cd "$TRASH" && stop_receiver m && rm -f statuses m.log blog/.git/herald/mastodon-limits.json &&
	start_receiver m --token "$TOKEN" --statuses "$TRASH/statuses" "$@" &&
	cd "$TRASH/blog" && git config herald.toot.url "$url"
}

# keys: the Idempotency-Key of each status request, one a line
keys() {
	python3 - "$TRASH/m.log" <<-\PY
	import json, sys
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if r["path"] == "/api/v1/statuses":
	        print(r["headers"].get("idempotency-key", "(none)"))
	PY
}

made() {
	if [ -f "$TRASH/statuses" ]; then wc -l <"$TRASH/statuses" | tr -d " "; else echo 0; fi
}

pending_id() {
	herald outbox list | sed -n "s/^  \(msg_[a-z0-9]*\) .*/\1/p" | head -1
}

test_expect_success 'setup: a blog with a mastodon target' '
	printf "%s\n" "$TOKEN" >token && chmod 600 token &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	git config herald.toot.kind mastodon &&
	git config herald.toot.tokenFile "$TRASH/token" &&
	restart
'

test_expect_success 'a 500 is retried with the same Idempotency-Key; one status' '
	cd blog &&
	restart --respond 500,ok &&
	post 1 &&
	herald announce >../out 2>../err &&
	grep " 500 *retry in" ../out &&
	test "$(made)" = 0 &&
	id=$(pending_id) && test -n "$id" &&
	herald deliver --all >../out 2>../err &&
	grep "1 delivered" ../err &&
	keys >../keys &&
	printf "%s\n%s\n" "$id" "$id" >../keys.want &&
	test_cmp ../keys.want ../keys &&
	test "$(made)" = 1 &&
	# the second run fits to the limit the first one read and kept
	test "$(grep -c /api/v2/instance ../m.log)" = 1
'

test_expect_success 'the answer lost after the status was made: the retry makes none' '
	cd blog &&
	# libcurl itself sends a request again once when a reused connection
	# dies unanswered: lose both, so the retry of herald is what follows
	restart --respond lost,lost,ok &&
	post 2 &&
	herald announce >../out 2>../err &&
	grep "retry in" ../out &&
	test "$(made)" = 1 &&
	id=$(pending_id) && test -n "$id" &&
	herald deliver --all >../out 2>../err &&
	grep "1 delivered" ../err &&
	test "$(made)" = 1 &&
	keys >../keys &&
	test "$(wc -l <../keys)" -ge 2 &&
	test "$(sort -u ../keys)" = "$id" &&
	herald outbox list | grep "pending (0)"
'

test_expect_success 'a 429 waits for X-RateLimit-Reset (no Retry-After)' '
	cd blog &&
	restart --respond 429:3000,ok &&
	post 3 &&
	herald announce >../out 2>../err &&
	grep -E " 429 *retry in (49|50)m" ../out &&
	herald deliver >../out 2>../err &&
	grep "1 not yet due" ../err &&
	test "$(made)" = 0 &&
	herald deliver --all >../out 2>../err &&
	test "$(made)" = 1
'

test_expect_success 'a 429 with Retry-After and a later reset: the reset' '
	cd blog &&
	restart --respond retry429:300,ok &&
	post 4 &&
	herald announce >../out 2>../err &&
	grep -E " 429 *retry in (9|10)m" ../out &&
	herald deliver --all >../out 2>../err &&
	test "$(made)" = 1
'

test_expect_success 'a 422 is dead at once, with Mastodon'"'"'s reason' '
	cd blog &&
	restart --respond 422 &&
	post 5 &&
	herald announce >../out 2>../err &&
	grep " 422 *dead: HTTP 422 from http://127.0.0.1: Validation failed: scripted" ../out &&
	herald outbox list | grep "dead (1)" &&
	! grep -r "$TOKEN" ../out ../err .git/herald
'

test_expect_success 'a real push through the hooks posts the new post once' '
	cd "$TRASH" &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hookBudget 30 &&
	git -C server.git config herald.toot.kind mastodon &&
	git -C server.git config herald.toot.tokenFile "$TRASH/token" &&
	git -C server.git config herald.toot.visibility unlisted &&
	restart && cd "$TRASH" &&
	git -C server.git config herald.toot.url "$url" &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 &&
	git push -q origin main >../first.push 2>&1 &&
	test "$(made)" = 0 &&
	post 2 "Hello from a push" &&
	git push origin main >../push.out 2>&1 &&
	cat ../push.out &&
	grep "herald: announced \"Hello from a push\" to toot" ../push.out &&
	test "$(made)" = 1 &&
	grep "\"status\": \"New post: Hello from a push" ../statuses &&
	grep "\"visibility\": \"unlisted\"" ../statuses &&
	! grep "$TOKEN" ../push.out ../first.push &&
	git push origin main >../again.out 2>&1 &&
	herald -C "$SERVER" deliver --all >../deliver.out 2>&1 &&
	test "$(made)" = 1 &&
	test "$(grep -c /api/v1/statuses ../m.log)" = 1
'

test_done
