#!/bin/sh
# kind = bluesky through a real `git push` into a bare repository with
# herald's hooks: a new post is posted once (one session, one record), a
# re-push, a typo fix and a force-push that re-adds it post nothing more,
# and neither the pusher nor the server's files see the app password or a
# session token. A post whose front matter names a picture elsewhere (an
# url not on the site) gets a card without a thumbnail: herald fetches
# nothing a push names.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N TITLE: a new published post with a picture in the clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\nfeaturedImgPath: http://169.254.169.254/latest/meta-data/x.png\n---\nThe body of post %s, see https://example.com/.\n" \
		"$2" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# records: how many records the PDS holds
records() {
	python3 -c "import json, os, sys; print(len(json.load(open(sys.argv[1]))) if os.path.exists(sys.argv[1]) else 0)" "$TRASH/pds.records"
}

test_expect_success 'setup: a bare server with the hooks and a bluesky target, a clone' '
	start_pds pds &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	printf "%s\n" "$PDS_PASSWORD" >password && chmod 600 password &&
	git -C server.git config herald.sky.kind bluesky &&
	git -C server.git config herald.sky.url "$url" &&
	git -C server.git config herald.sky.handle "$PDS_HANDLE" &&
	git -C server.git config herald.sky.passwordFile "$TRASH/password" &&
	git -C server.git config herald.hookBudget 30 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 "First" &&
	push first origin main &&
	test "$(records)" = 0
'

test_expect_success 'pushing a new post posts it once: one session, one record' '
	cd work &&
	post 2 "Hello from a push" &&
	push new origin main &&
	grep "herald: announced \"Hello from a push\" to sky" ../new.push &&
	calls ../pds.log >../calls &&
	printf "POST com.atproto.server.createSession 200\nPOST com.atproto.repo.createRecord 200\n" >../want &&
	test_cmp ../want ../calls &&
	test "$(records)" = 1 &&
	python3 - ../pds.records <<-\PY
	import json, sys
	[rec] = json.load(open(sys.argv[1], encoding="utf-8")).values()
	assert rec["text"].startswith("New post: Hello from a push\n\n"), rec["text"]
	ext = rec["embed"]["external"]
	assert ext["uri"] == "https://blog.example.com/2020/03/01/post-2/", ext
	assert "thumb" not in ext, ext
	PY
'

test_expect_success 'a re-push, a typo fix and a force-push that re-adds the post post nothing more' '
	cd work &&
	push again origin main &&
	sed -i "s/The body/The whole body/" _posts/2020-03-01-post-2.md &&
	commit_all "typo" &&
	push typo origin main &&
	added=$(git rev-parse HEAD~1) &&
	git reset -q --hard HEAD~2 &&
	push drop -f origin main &&
	git cherry-pick "$added" >/dev/null &&
	push readd -f origin main &&
	test "$(records)" = 1 &&
	test "$(calls ../pds.log | grep -c createRecord)" = 1 &&
	! grep "announced" ../again.push ../typo.push ../drop.push ../readd.push
'

test_expect_success 'the pusher and the server files never see the password or a token' '
	for f in *.push; do
		! grep -e "$PDS_PASSWORD" -e "acc-[0-9]" -e "ref-[0-9]" "$f" || return 1
	done &&
	! grep -r -e "$PDS_PASSWORD" -e "acc-[0-9]" -e "ref-[0-9]" server.git
'

test_done
