#!/bin/sh
# Scheduled digests across a simulated week (herald tick --now): one digest
# per period with the posts published in it, a missed Monday caught up with
# one digest, never twice, never empty unless digestEmpty, and a target with
# `events = none` that gets only digests.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

trap 'stop_receiver r' EXIT
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

# digests: the bodies the receiver got on /weekly that it answered 200, one JSON a line
digests() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, sys
	try:
	    lines = open(sys.argv[1]).read().splitlines()
	except FileNotFoundError:
	    lines = []
	for line in lines:
	    r = json.loads(line)
	    if r["path"] == "/weekly" and r["response"] == "200":
	        print(r["body"])
	PY
}

# titles N: the titles of digest N (1-based), newest first, comma-separated
titles() {
	digests | sed -n "$1p" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(",".join(p["title"] for p in d["data"]["posts"]))'
}

tick() {
	herald -C "$TRASH/server.git" tick --now "$1" >"$TRASH/out" 2>"$TRASH/err"
}

push_post() { # push_post PATH TITLE DATE
	cd "$TRASH/blog" &&
	printf -- "---\ntitle: %s\ndate: %s\n---\n%s.\n" "$2" "$3" "$2" | write_post "$1" &&
	commit_all "$2" &&
	git push -q origin main &&
	cd "$TRASH"
}

test_expect_success 'setup: a server, a digest-only target and a per-post one' '
	start_receiver r --respond 200 --max-seconds 600 &&
	git init -q --bare server.git &&
	git -C server.git config herald.weekly.kind webhook &&
	git -C server.git config herald.weekly.url "$url/weekly" &&
	git -C server.git config herald.weekly.secret "$SECRET" &&
	git -C server.git config herald.weekly.events none &&
	git -C server.git config herald.weekly.digest "mon 09:00" &&
	git -C server.git config herald.posts.kind webhook &&
	git -C server.git config herald.posts.url "$url/posts" &&
	git clone -q server.git blog 2>/dev/null &&
	(cd blog && printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	 printf -- "---\ntitle: Old\ndate: 2020-01-01\n---\nOld.\n" | write_post _posts/2020-01-01-old.md &&
	 commit_all "old" && git push -q origin main) &&
	herald -C server.git targets >out 2>err &&
	! grep -i "unusable\|skipped\|problem" out err &&
	grep "^weekly .*(signed) (digest weekly mon 09:00 UTC)$" out
'

test_expect_success 'the first tick that sees the digest starts counting and sends nothing' '
	tick 2026-11-30T10:00:00Z &&
	grep "digest to weekly: counting posts from now; the first is due at 2026-12-07T09:00:00Z" out &&
	test -z "$(digests)" &&
	grep "^weekly	digest-start	/digest	" server.git/herald/ledger
'

test_expect_success 'posts pushed over the week, ticks before Monday 09:00: nothing yet' '
	push_post _posts/2026-12-01-alpha.md Alpha 2026-12-01 &&
	tick 2026-12-01T12:00:00Z &&
	push_post _posts/2026-12-03-beta.md Beta "2026-12-03 08:00" &&
	push_post _drafts/gamma.md Gamma 2026-12-04 &&
	tick 2026-12-03T12:00:00Z &&
	push_post _posts/2026-12-10-delta.md Delta "2026-12-10 12:00" &&
	tick 2026-12-07T08:59:59Z &&
	test -z "$(digests)"
'

test_expect_success 'Monday 09:00 has come: one digest with the week'"'"'s published posts' '
	tick 2026-12-07T09:30:00Z &&
	grep "digest to weekly: \"This week on Test Blog: 2 new posts\"" out &&
	test "$(digests | wc -l)" = 1 &&
	test "$(titles 1)" = "Beta,Alpha" &&
	digests | sed -n 1p >d1 &&
	test "$(json_get .type <d1)" = digest &&
	test "$(json_get .data.period <d1)" = weekly &&
	test "$(json_get .data.count <d1)" = 2 &&
	test "$(json_get .data.since <d1)" = 2026-11-30T10:00:00Z &&
	test "$(json_get .data.until <d1)" = 2026-12-07T09:30:00Z &&
	test "$(json_get .data.due <d1)" = 2026-12-07T09:00:00Z &&
	test "$(json_get .data.site.title <d1)" = "Test Blog" &&
	test "$(json_get .data.posts[0].url <d1)" = https://blog.example.com/2026/12/03/beta/
'

test_expect_success 'the digest is signed as every webhook (Standard Webhooks)' '
	python3 - "$TRASH/r.log" "$SECRET" <<-\PY
	import base64, hashlib, hmac, json, sys
	rs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
	r = [x for x in rs if x["path"] == "/weekly"][0]
	h = r["headers"]
	key = base64.b64decode(sys.argv[2].split("_", 1)[1])
	signed = (h["webhook-id"] + "." + h["webhook-timestamp"] + "." + r["body"]).encode()
	want = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
	assert want in h["webhook-signature"].split(" "), (want, h["webhook-signature"])
	assert h["webhook-id"].startswith("msg_"), h
	PY
'

test_expect_success 'ticking again, at the same time or later that week, sends nothing more' '
	tick 2026-12-07T09:30:00Z &&
	tick 2026-12-07T10:30:00Z &&
	tick 2026-12-11T10:30:00Z &&
	test "$(digests | wc -l)" = 1
'

test_expect_success 'events = none: no per-post announcement, while the other target has them' '
	! grep "\"path\": \"/weekly\".*post\\.new" r.log &&
	grep "\"path\": \"/posts\"" r.log | grep -q Delta
'

test_expect_success 'a missed Monday: one digest on the next tick, covering everything since' '
	push_post _posts/2026-12-08-epsilon.md Epsilon 2026-12-08 &&
	(cd blog && git mv _drafts/gamma.md _posts/2026-12-09-gamma.md &&
	 commit_all "gamma" && git push -q origin main) &&
	tick 2026-12-16T10:00:00Z &&
	test "$(digests | wc -l)" = 2 &&
	test "$(titles 2)" = "Delta,Epsilon,Gamma" &&
	digests | sed -n 2p >d2 &&
	test "$(json_get .data.due <d2)" = 2026-12-14T09:00:00Z &&
	test "$(json_get .data.since <d2)" = 2026-12-07T09:30:00Z &&
	tick 2026-12-16T11:00:00Z &&
	test "$(digests | wc -l)" = 2
'

test_expect_success 'a week with no post sends no digest' '
	tick 2026-12-21T09:05:00Z &&
	grep "digest to weekly: no new posts since the last one, none sent" out &&
	test "$(digests | wc -l)" = 2
'

test_expect_success 'a post updated or unpublished is not a new post for the digest' '
	(cd blog && printf -- "---\ntitle: Alpha again\ndate: 2026-12-01\n---\nAlpha.\n" >_posts/2026-12-01-alpha.md &&
	 git rm -q _posts/2026-12-03-beta.md && commit_all "edit" && git push -q origin main) &&
	tick 2026-12-28T09:05:00Z &&
	test "$(digests | wc -l)" = 2
'

test_expect_success 'digestEmpty = true sends a digest with no posts' '
	git -C server.git config herald.weekly.digestEmpty true &&
	tick 2027-01-04T09:05:00Z &&
	test "$(digests | wc -l)" = 3 &&
	digests | sed -n 3p >d3 &&
	test "$(json_get .data.count <d3)" = 0 &&
	test "$(json_get .data.headline <d3)" = "This week on Test Blog: no new posts"
'

test_expect_success 'herald outbox and status show digest deliveries like any other' '
	stop_receiver r && start_receiver r --respond 503 --max-seconds 600 &&
	git -C server.git config herald.weekly.url "$url/weekly" &&
	tick 2027-01-11T09:05:00Z &&
	herald -C server.git outbox list >list 2>&1 &&
	grep "weekly" list && grep "digest" list &&
	herald -C server.git status >st 2>&1;
	grep "weekly" st
'

test_expect_success 'a bad digest value makes the target unusable, naming the key and value' '
	git -C server.git config herald.weekly.digest "noon" &&
	herald -C server.git targets >out 2>&1;
	grep "digest: .noon." out &&
	git -C server.git config herald.weekly.digest "mon 09:00" &&
	git -C server.git config herald.weekly.timezone "Mars/Olympus" &&
	herald -C server.git targets >out 2>&1;
	grep "timezone: .Mars/Olympus. is not a time zone" out
'

test_done
