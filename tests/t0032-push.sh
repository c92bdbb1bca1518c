#!/bin/sh
# herald's git hooks on a real `git push` over file:// into a bare
# repository, with a real receiver on 127.0.0.1: the baseline ref, what a
# push announces (and what it must not), force-pushes, several refs,
# receivers that are down or hang, broken posts, pre-receive rejection,
# the per-target summary, branch deletion, concurrent pushes, a path with
# spaces, and no secret in anything the pusher sees.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N [TITLE]: a new published post (dated 2020) in the clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"${2:-Post number $1}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# requests [PATH_PREFIX]: how many requests the receiver logged
requests() {
	python3 - "$TRASH/r.log" "${1:-/}" <<-\PY
	import json, os, sys
	n = 0
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        if json.loads(line)["path"].startswith(sys.argv[2]):
	            n += 1
	print(n)
	PY
}

# delivered: "TYPE TITLE" of each webhook request, in order
delivered() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        r = json.loads(line)
	        if r["path"].startswith("/hooks/"):
	            b = json.loads(r["body"])
	            print(b["type"], (b.get("data") or {}).get("title"))
	PY
}

# restart ARGS...: a fresh receiver answering as ARGS say (an empty log),
# the webhook target of server.git pointed at it
restart() {
	(cd "$TRASH" && stop_receiver r && start_receiver r "$@" &&
	 git -C "$SERVER" config herald.hook.url "$url/hooks/SECRETPATH")
}

# Deliveries asserted right after a push must not depend on how fast a
# loaded or sanitized machine is: the server's budget is 30 s, not the
# default 3 s (the budget itself is tested with herald.hookBudget 1).
BUDGET=30

# settle: back to the plain server (one webhook target, no lint, the
# generous budget, default limits), the outbox drained and a fresh receiver
# answering 200, so one test's failure does not spill into the next
settle() {
	for k in herald.hook.timeout herald.lint herald.maxAnnounce; do
		git -C "$SERVER" config --unset "$k"
	done
	git -C "$SERVER" config herald.hookBudget $BUDGET
	for s in chat broken; do
		git -C "$SERVER" config --remove-section "herald.$s" 2>/dev/null
	done
	install_hooks "$SERVER" &&
	restart --respond 200 &&
	herald -C "$SERVER" deliver --all >/dev/null 2>&1 &&
	restart --respond 200
}

# baseline [GITDIR] [BRANCH]: the object id of refs/herald/heads/BRANCH
baseline() {
	git -C "${1:-$SERVER}" rev-parse -q --verify "refs/herald/heads/${2:-main}"
}

test_expect_success 'setup: a bare server with the hooks and a webhook target, a clone' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.secret "$SECRET" &&
	git -C server.git config herald.hookBudget $BUDGET &&
	restart --respond 200 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1
'

test_expect_success 'the first push sets the baseline and announces nothing' '
	cd work &&
	push first origin main &&
	grep "herald: watching refs/heads/main from [0-9a-f]\{7\} on; nothing announced" ../first.push &&
	test "$(requests)" = 0 &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'pushing a new post announces it' '
	cd work &&
	post 2 "Hello from a push" &&
	push new origin main &&
	test "$(requests)" = 1 &&
	grep "herald: announced \"Hello from a push\" to hook" ../new.push &&
	test "$(delivered)" = "post.new Hello from a push" &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'undrafting (out of _drafts/, or draft: true removed) announces undrafted' '
	cd work &&
	mkdir -p _drafts &&
	printf -- "---\ntitle: From the drafts\ndate: 2020-03-01\n---\nA long enough body for rename detection to follow.\n" >_drafts/idea.md &&
	printf -- "---\ntitle: Flagged draft\ndate: 2020-03-01\ndraft: true\n---\nNot ready.\n" >_posts/2020-03-01-flagged.md &&
	commit_all "two drafts" &&
	push drafts origin main &&
	test "$(requests)" = 1 &&
	git mv _drafts/idea.md _posts/2020-03-30-idea.md &&
	printf -- "---\ntitle: Flagged draft\ndate: 2020-03-01\n---\nNot ready.\n" >_posts/2020-03-01-flagged.md &&
	commit_all "publish the drafts" &&
	push undraft origin main &&
	test "$(requests)" = 3 &&
	delivered | sed 1d | sort >../actual &&
	printf "post.undrafted Flagged draft\npost.undrafted From the drafts\n" >../expect &&
	test_cmp ../expect ../actual &&
	grep "announced \"From the drafts\" to hook" ../undraft.push &&
	grep "announced \"Flagged draft\" to hook" ../undraft.push
'

test_expect_success 'a typo fix in a published post announces nothing by default' '
	cd work &&
	sed -i "s/The body/The whole body/" _posts/2020-03-01-post-2.md &&
	commit_all "typo" &&
	push typo origin main &&
	test "$(requests)" = 3 &&
	! grep "announced" ../typo.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'a force-push is a net diff, not a replay; re-adding a post does not announce it twice' '
	cd work &&
	post 3 "Soon dropped" &&
	push p3 origin main &&
	test "$(requests)" = 4 &&
	dropped=$(git rev-parse HEAD) &&
	# a rewritten history (one root commit) without the last post: a replay
	# would announce post 1, which was never announced
	rewritten=$(git commit-tree -m rewritten "HEAD~1^{tree}") &&
	git reset -q --hard "$rewritten" &&
	push force -f origin main &&
	test "$(requests)" = 4 &&
	! grep "announced" ../force.push &&
	test "$(baseline)" = "$rewritten" &&
	git cherry-pick "$dropped" >/dev/null &&
	push readd origin main &&
	test "$(requests)" = 4 &&
	! grep "announced" ../readd.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(delivered | grep -c "Soon dropped")" = 1
'

test_expect_success 'two branches and a tag at once: only the watched branch; a second watched branch gets its own baseline' '
	cd work &&
	post 4 "On main" &&
	git checkout -q -b other && post 5 "On other" &&
	git checkout -q -b side main && post 6 "On side" &&
	git checkout -q main && git tag v1 &&
	push three origin main other side v1 &&
	test "$(requests)" = 5 &&
	test "$(delivered | tail -1)" = "post.new On main" &&
	test "$(baseline)" = "$(git rev-parse main)" &&
	! baseline "$SERVER" other && ! baseline "$SERVER" side &&
	! git -C ../server.git for-each-ref refs/herald | grep -v "refs/herald/heads/main$" &&
	git -C ../server.git config herald.branch main &&
	git -C ../server.git config --add herald.branch other &&
	git checkout -q other && post 7 "Other, first watched push" &&
	push other1 origin other &&
	grep "watching refs/heads/other from" ../other1.push &&
	test "$(requests)" = 5 &&
	test "$(baseline "$SERVER" other)" = "$(git rev-parse other)" &&
	post 8 "Other, second watched push" &&
	push other2 origin other &&
	test "$(requests)" = 6 &&
	test "$(delivered | tail -1)" = "post.new Other, second watched push" &&
	test "$(baseline "$SERVER" other)" = "$(git rev-parse other)" &&
	test "$(baseline)" = "$(git rev-parse main)" &&
	git checkout -q main
'

test_expect_success 'receiver down during the push: the push succeeds, the delivery waits in the outbox' '
	cd work &&
	port=$(cat ../r.port) &&
	(cd "$TRASH" && stop_receiver r) &&
	git -C ../server.git config herald.hook.url "http://127.0.0.1:$port/hooks/SECRETPATH" &&
	post 9 "While down" &&
	push down origin main &&
	grep "herald: 1 delivery queued, will retry" ../down.push &&
	herald -C ../server.git outbox list >../list.out &&
	grep "pending (1)" ../list.out &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	(cd "$TRASH" && start_receiver r --port "$port" --respond 200) &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	herald -C ../server.git deliver --all >../deliver2.out 2>&1 &&
	test "$(requests)" = 1 &&
	test "$(delivered)" = "post.new While down" &&
	herald -C ../server.git outbox list >../list.out &&
	grep "pending (0)" ../list.out
'

test_expect_success 'a hanging receiver: the push returns within the hook budget, the delivery stays queued' '
	cd work &&
	restart --respond hang &&
	git -C ../server.git config herald.hookBudget 1 &&
	git -C ../server.git config herald.hook.timeout 5 &&
	post 10 "Into the void" &&
	start=$(date +%s) &&
	push hang origin main &&
	end=$(date +%s) &&
	echo "push took $((end - start)) s" &&
	test $((end - start)) -le 3 &&
	herald -C ../server.git outbox list >../list.out &&
	grep "pending (1)" ../list.out &&
	grep "queued, will retry" ../hang.push &&
	git -C ../server.git config herald.hookBudget $BUDGET &&
	git -C ../server.git config --unset herald.hook.timeout &&
	restart --respond 200 &&
	herald -C ../server.git deliver --all >../deliver.out 2>&1 &&
	herald -C ../server.git outbox list >../list.out &&
	grep "pending (0)" ../list.out
'

test_expect_success 'a broken post does not stop the others; the hook exits 0' '
	cd work &&
	settle &&
	printf "#!/bin/sh\n\"\$HERALD\" hook post-receive\necho \$? >\"%s\"\n" "$TRASH/post-receive.rc" \
		>../server.git/hooks/post-receive &&
	printf -- "---\ntitle: [unclosed\ndate: 2020-03-01\n---\nBroken.\n" >_posts/2020-03-01-broken.md &&
	post 11 "Fine despite a neighbour" &&
	push broken origin main &&
	install_hooks ../server.git &&
	test "$(cat ../post-receive.rc)" = 0 &&
	test "$(requests)" = 1 &&
	test "$(delivered)" = "post.new Fine despite a neighbour" &&
	grep "announced \"Fine despite a neighbour\" to hook" ../broken.push &&
	grep "_posts/2020-03-01-broken.md:[0-9]*:[0-9]*: error:" ../broken.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	git rm -q _posts/2020-03-01-broken.md && commit_all "drop the broken post" &&
	push unbroken origin main
'

test_expect_success 'herald.lint=reject: pre-receive refuses a push with a bad post' '
	cd work &&
	settle &&
	git -C ../server.git config herald.lint reject &&
	before=$(git -C ../server.git rev-parse main) &&
	printf -- "---\ntitle: ok\ntitle: twice\ndate: [2020\n---\nBad.\n" >_posts/2020-03-01-bad.md &&
	post 12 "Never pushed" &&
	test_expect_code 1 push refused origin main &&
	grep "_posts/2020-03-01-bad.md:[0-9]*:[0-9]*: error:" ../refused.push &&
	grep "push refused" ../refused.push &&
	test "$(git -C ../server.git rev-parse main)" = "$before" &&
	test "$(baseline)" = "$before" &&
	test "$(requests)" = 0 &&
	git reset -q --hard origin/main &&
	git -C ../server.git config --unset herald.lint
'

test_expect_success 'herald.maxAnnounce=3 and five new posts: one summary message to a slack target' '
	cd work &&
	settle &&
	git -C ../server.git config herald.maxAnnounce 3 &&
	git -C ../server.git config herald.chat.kind slack &&
	git -C ../server.git config herald.chat.url "http://127.0.0.1:$(cat ../r.port)/slack/SLACKSECRET" &&
	for i in 13 14 15 16 17; do post $i || return 1; done &&
	push five origin main &&
	test "$(requests /slack/)" = 1 &&
	test "$(requests /hooks/)" = 1 &&
	grep "announced \"5 posts\" to chat" ../five.push &&
	git -C ../server.git config --remove-section herald.chat &&
	git -C ../server.git config --unset herald.maxAnnounce
'

test_expect_success 'deleting the branch forgets its baseline; pushing it again sets a new one, announcing nothing' '
	cd work &&
	settle &&
	git -C ../server.git config receive.denyDeletes false &&
	git -C ../server.git config receive.denyDeleteCurrent ignore &&
	push delete origin :main &&
	! git -C ../server.git rev-parse -q --verify refs/heads/main &&
	! baseline &&
	grep "refs/heads/main deleted; its baseline is forgotten" ../delete.push &&
	post 18 "Pushed after the deletion" &&
	push again origin main &&
	grep "watching refs/heads/main from" ../again.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(requests)" = 0
'

test_expect_success 'concurrent pushes to two watched branches: each post once, both baselines moved' '
	settle &&
	git clone -q server.git work2 &&
	(cd work2 && git checkout -q other) &&
	(cd work && post 19 "Concurrent on main") &&
	(cd work2 && post 20 "Concurrent on other") &&
	{ (cd work && git push origin main >../c1.push 2>&1) & } && p1=$! &&
	{ (cd work2 && git push origin other >../c2.push 2>&1) & } && p2=$! &&
	wait $p1 && wait $p2 &&
	cat c1.push c2.push &&
	test "$(requests)" = 2 &&
	delivered | sort >actual &&
	printf "post.new Concurrent on main\npost.new Concurrent on other\n" >expect &&
	test_cmp expect actual &&
	test "$(baseline)" = "$(git -C work rev-parse HEAD)" &&
	test "$(baseline "$SERVER" other)" = "$(git -C work2 rev-parse HEAD)"
'

test_expect_success 'a server repository whose path contains spaces' '
	git init -q --bare "server repo.git" &&
	install_hooks "server repo.git" &&
	git -C "server repo.git" config herald.spaced.kind webhook &&
	git -C "server repo.git" config herald.spaced.url "http://127.0.0.1:$(cat r.port)/hooks/SECRETPATH" &&
	git clone -q "server repo.git" "work 3" 2>/dev/null &&
	cd "work 3" &&
	post 21 "First in spaces" &&
	push spaced1 origin main &&
	grep "watching refs/heads/main" ../spaced1.push &&
	test "$(baseline "$TRASH/server repo.git")" = "$(git rev-parse HEAD)" &&
	post 22 "Second in spaces" &&
	push spaced2 origin main &&
	grep "announced \"Second in spaces\" to spaced" ../spaced2.push &&
	test "$(delivered | tail -1)" = "post.new Second in spaces" &&
	test "$(baseline "$TRASH/server repo.git")" = "$(git rev-parse HEAD)"
'

test_expect_success 'an unusable target is logged in $GIT_DIR/herald/log; no url path or secret reaches the pusher' '
	cd work &&
	settle &&
	git -C ../server.git config herald.broken.kind slack &&
	git -C ../server.git config herald.broken.urlFile "$TRASH/no-such-url-file" &&
	post 23 "With a broken target" &&
	push unusable origin main &&
	grep "announced \"With a broken target\" to hook" ../unusable.push &&
	grep "broken" ../unusable.push &&
	grep "target .broken." ../server.git/herald/log &&
	git -C ../server.git config --remove-section herald.broken &&
	ls ../*.push &&
	! grep -e SECRETPATH -e SLACKSECRET -e "$SECRET" ../*.push &&
	! grep -r -e SECRETPATH -e SLACKSECRET -e "$SECRET" ../server.git/herald "../server repo.git/herald"
'

test_done
