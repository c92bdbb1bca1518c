#!/bin/sh
# herald tick: scheduled posts are announced once their time has come, once
# only; a push the hook could not process is caught up.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

trap 'stop_receiver r' EXIT

requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log" | tr -d " "; else echo 0; fi
}

test_expect_success 'setup: a server with a baseline and a scheduled post' '
	start_receiver r --respond 200 &&
	git init -q --bare server.git &&
	git -C server.git config herald.site.kind webhook &&
	git -C server.git config herald.site.url "$url/hook" &&
	git clone -q server.git blog 2>/dev/null && cd blog &&
	mkdir _posts &&
	printf -- "---\ntitle: Old\ndate: 2020-01-01\n---\nOld.\n" >_posts/2020-01-01-old.md &&
	printf -- "---\ntitle: Soon\ndate: 2026-12-01\n---\nSoon.\n" >_posts/2026-12-01-soon.md &&
	commit_all "two posts" &&
	git push -q origin main &&
	git -C ../server.git update-ref refs/herald/heads/main main
'

test_expect_success 'before its date: tick announces nothing' '
	herald -C server.git tick --now 2026-11-26T00:00:00Z >out 2>err &&
	test "$(requests)" = 0 &&
	test -s server.git/herald/last-tick
'

test_expect_success 'after its date: tick announces it as new, once' '
	herald -C server.git tick --now 2026-12-02T00:00:00Z >out 2>err &&
	test "$(requests)" = 1 &&
	grep "post.new" r.log && grep "Soon" r.log &&
	herald -C server.git tick --now 2026-12-03T00:00:00Z >out 2>err &&
	test "$(requests)" = 1
'

test_expect_success 'a push the hook never saw is caught up by tick' '
	cd blog &&
	printf -- "---\ntitle: Missed\ndate: 2020-02-02\n---\nMissed.\n" >_posts/2020-02-02-missed.md &&
	commit_all "missed" &&
	git push -q origin main &&
	cd .. &&
	test "$(git -C server.git rev-parse refs/herald/heads/main)" != "$(git -C server.git rev-parse main)" &&
	herald -C server.git tick --now 2026-12-04T00:00:00Z >out 2>err &&
	test "$(requests)" = 2 &&
	grep "Missed" r.log &&
	test "$(git -C server.git rev-parse refs/herald/heads/main)" = "$(git -C server.git rev-parse main)"
'

test_expect_success 'a post scheduled then published by its date is not announced twice' '
	cd blog &&
	printf -- "---\ntitle: Later\ndate: 2026-12-10\n---\nLater.\n" >_posts/2026-12-10-later.md &&
	commit_all "later" &&
	git push -q origin main &&
	cd .. &&
	herald -C server.git tick --now 2026-12-05T00:00:00Z >out 2>err &&
	test "$(requests)" = 2 &&
	herald -C server.git tick --now 2026-12-11T00:00:00Z >out 2>err &&
	test "$(requests)" = 3 &&
	herald -C server.git announce --now 2026-12-11T00:00:00Z main~1..main >out 2>err &&
	test "$(requests)" = 3
'

test_expect_success 'an expiryDate that passes is reported by tick as unpublished' '
	git -C server.git config herald.site.events "new unpublished" &&
	cd blog &&
	printf -- "---\ntitle: Brief\ndate: 2020-01-05\nexpiryDate: 2026-12-20\n---\nBrief.\n" >_posts/2020-01-05-brief.md &&
	commit_all "brief" &&
	git push -q origin main &&
	cd .. &&
	herald -C server.git tick --now 2026-12-12T00:00:00Z >out 2>err &&
	before=$(requests) &&
	herald -C server.git tick --now 2026-12-21T00:00:00Z >out 2>err &&
	grep "unpublished: \"Brief\"" out &&
	test "$(requests)" = $((before + 1)) &&
	tail -n 1 r.log | grep "post.unpublished"
'

test_expect_success 'herald.maxAnnounce is a count: "10m" is an error, not 600' '
	cd blog &&
	printf -- "---\ntitle: Counted\ndate: 2020-01-06\n---\nCounted.\n" >_posts/2020-01-06-counted.md &&
	commit_all "counted" &&
	git push -q origin main &&
	cd .. &&
	before=$(requests) &&
	base=$(git -C server.git rev-parse refs/herald/heads/main) &&
	git -C server.git config herald.maxAnnounce 10m &&
	! herald -C server.git tick --now 2026-12-22T00:00:00Z >out 2>err &&
	grep "herald: error: herald.maxAnnounce: .10m. is not a count" err &&
	test "$(requests)" = "$before" &&
	test "$(git -C server.git rev-parse refs/herald/heads/main)" = "$base" &&
	git -C server.git config herald.maxAnnounce 1 &&
	herald -C server.git tick --now 2026-12-22T00:00:00Z >out 2>err &&
	test "$(requests)" = $((before + 1)) &&
	tail -n 1 r.log | grep "Counted" &&
	git -C server.git config --unset herald.maxAnnounce
'

test_done
