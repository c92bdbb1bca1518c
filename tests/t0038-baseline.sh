#!/bin/sh
# The push baseline (refs/herald/heads/*) through real pushes into a bare
# repository with herald's hooks: under `git push -o herald.dry-run` no
# update moves, creates or forgets it, a branch deletion included; without
# the option the same pushes do.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && [ -f r.pid ] && stop_receiver r' EXIT

post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"${2:-Post number $1}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

requests() {
	python3 - "$TRASH/r.log" <<-\PY
	import os, sys
	print(sum(1 for _ in open(sys.argv[1])) if os.path.exists(sys.argv[1]) else 0)
	PY
}

# baseline [BRANCH]: the object id of refs/herald/heads/BRANCH on the server
baseline() {
	git -C "$SERVER" rev-parse -q --verify "refs/herald/heads/${1:-main}"
}

test_expect_success 'setup: a bare server with the hooks installed, push options on, a clone' '
	git init -q --bare server.git &&
	herald -C server.git install >/dev/null &&
	git -C server.git config receive.advertisePushOptions true &&
	git -C server.git config receive.denyDeletes false &&
	for b in main side third; do
		git -C server.git config --add herald.branch $b || return 1
	done &&
	git -C server.git config herald.hook.kind webhook &&
	# deliveries asserted right after a push must not depend on the
	# speed of a sanitized build on a loaded machine
	git -C server.git config herald.hookBudget 30 &&
	git -C server.git config herald.hook.secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw &&
	start_receiver r --respond 200 &&
	git -C server.git config herald.hook.url "$url/hooks/x" &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 &&
	push first origin main &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	git checkout -q -b side &&
	post 2 &&
	push side origin side &&
	test "$(baseline side)" = "$(git rev-parse HEAD)" &&
	git checkout -q main
'

test_expect_success 'a dry-run push of a new post sends nothing and leaves the baseline' '
	cd work &&
	before=$(baseline) &&
	post 3 "Only a rehearsal" &&
	push dry -o herald.dry-run origin main &&
	test "$(git -C ../server.git rev-parse main)" = "$(git rev-parse HEAD)" &&
	test "$(baseline)" = "$before" &&
	test "$(requests)" = 0
'

test_expect_success 'a dry-run push of a new branch does not start watching it' '
	cd work &&
	git checkout -q -b third &&
	push third -o herald.dry-run origin third &&
	grep "watching refs/heads/third from" ../third.push &&
	! baseline third &&
	git checkout -q main
'

test_expect_success 'a dry-run deletion of a branch keeps its baseline' '
	cd work &&
	before=$(baseline side) &&
	push dry-delete -o herald.dry-run origin --delete side &&
	! git -C ../server.git rev-parse -q --verify refs/heads/side &&
	grep "refs/heads/side deleted; its baseline is kept (dry run)" ../dry-delete.push &&
	test "$(baseline side)" = "$before"
'

test_expect_success 'the same deletion without the option forgets it' '
	cd work &&
	git push -q origin side:side 2>/dev/null &&
	push delete origin --delete side &&
	grep "refs/heads/side deleted; its baseline is forgotten" ../delete.push &&
	! baseline side
'

test_expect_success 'the dry-run post is announced by the next real push' '
	cd work &&
	post 4 &&
	push real origin main &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(requests)" = 2
'

test_done
