#!/bin/sh
# herald ci as GitHub (and Forgejo/Gitea) Actions run it: a bare "origin",
# a fresh depth-1 clone with a detached HEAD for every job, the push event
# in GITHUB_EVENT_PATH, targets from HERALD_TARGET_* secrets, and herald's
# state in the origin's refs/herald/state. A real receiver on 127.0.0.1.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
ORIGIN="$TRASH/origin.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_REF GITHUB_SHA GITLAB_CI HERALD_TO \
	HERALD_FROM HERALD_REF HERALD_TOKEN GITHUB_TOKEN CI_JOB_TOKEN 2>/dev/null || true

# post N [TITLE]: a new published post in the author's clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"${2:-Post number $1}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# requests: how many requests the receiver logged
requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log" | tr -d " "; else echo 0; fi
}

# delivered: "TYPE TITLE" of each request, in order
delivered() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        b = json.loads(json.loads(line)["body"])
	        print(b["type"], (b.get("data") or {}).get("title"))
	PY
}

# event FILE BEFORE AFTER [REF]: a push event as GitHub writes it
event() {
	printf '{"before": "%s", "after": "%s", "ref": "%s", "repository": {"default_branch": "main", "full_name": "o/blog"}, "pusher": {"name": "a"}}\n' \
		"$2" "$3" "${4:-refs/heads/main}" >"$1"
}

# job NAME BEFORE AFTER [REF]: what a workflow run does: a fresh clone of
# AFTER alone, fetched with depth 1 as actions/checkout does, its HEAD
# detached, then `herald ci` with GitHub's variables; output in NAME.out
job() {
	n=$1 && shift
	rm -rf "$TRASH/$n" &&
	git init -q "$TRASH/$n" &&
	git -C "$TRASH/$n" remote add origin "file://$ORIGIN" &&
	git -C "$TRASH/$n" fetch -q --no-tags --depth=1 origin "+$2:refs/remotes/origin/main" &&
	git -C "$TRASH/$n" checkout -q --detach "$2" &&
	event "$TRASH/$n.event" "$1" "$2" "${3:-refs/heads/main}" &&
	(cd "$TRASH/$n" &&
	 GITHUB_EVENT_PATH="$TRASH/$n.event" GITHUB_REF="${3:-refs/heads/main}" GITHUB_SHA="$2" \
		herald ci >"$TRASH/$n.out" 2>&1)
	rc=$?
	sed -e "s/^/| $n: /" "$TRASH/$n.out"
	return $rc
}

zero=0000000000000000000000000000000000000000

test_expect_success 'setup: an origin, an author clone, a receiver, targets as CI secrets' '
	git init -q --bare origin.git &&
	git clone -q origin.git author 2>/dev/null &&
	start_receiver r --respond 200 --max-seconds 900 &&
	echo "HERALD_TARGET_HOOK_URL=$url/hooks/SECRETPATH" >env &&
	cd author &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 &&
	git push -q origin main
'
. "$TRASH/env"
export HERALD_TARGET_HOOK_KIND=webhook HERALD_TARGET_HOOK_SECRET="$SECRET" HERALD_TARGET_HOOK_URL

test_expect_success 'the first run sets the baseline in refs/herald/state and announces nothing' '
	job first $zero $(git -C author rev-parse HEAD) &&
	grep "herald: watching refs/heads/main from [0-9a-f]\{7\} on; nothing announced" first.out &&
	test "$(requests)" = 0 &&
	git -C origin.git rev-parse -q --verify refs/herald/state &&
	git -C origin.git show refs/herald/state:baselines >baselines &&
	echo "$(git -C author rev-parse HEAD) refs/heads/main" >expect &&
	test_cmp expect baselines &&
	test "$(git -C origin.git show refs/herald/state:version)" = 1
'

test_expect_success 'a push with a new post: announced once; a re-run from a fresh clone announces nothing' '
	(cd author && post 2 "Hello from CI" && git push -q origin main) &&
	job second $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	grep "herald: announced \"Hello from CI\" to hook" second.out &&
	test "$(delivered)" = "post.new Hello from CI" &&
	test "$(git -C origin.git rev-list --count refs/herald/state)" = 3 &&
	job rerun $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	grep "announced up to [0-9a-f]\{7\} already" rerun.out &&
	! grep "announced \"" rerun.out &&
	test "$(requests)" = 1 &&
	test "$(git -C origin.git rev-list --count refs/herald/state)" = 3
'

test_expect_success 'the state ref holds the ledger and the baseline, no url and no secret' '
	git -C origin.git show refs/herald/state:ledger >ledger &&
	grep "^hook	new	_posts/2020-03-01-post-2.md	msg_" ledger &&
	git -C origin.git ls-tree -r --name-only refs/herald/state >files &&
	printf "baselines\nledger\nstatus.json\nversion\n" >expect &&
	test_cmp expect files &&
	for c in $(git -C origin.git rev-list refs/herald/state); do
		git -C origin.git archive $c | tar -xO || return 1
	done >all-state &&
	! grep -e SECRETPATH -e "$SECRET" all-state
'

test_expect_success 'two pushes, their runs racing: each post is announced once' '
	(cd author && post 3 "Race one" && git push -q origin main) &&
	one=$(git -C author rev-parse HEAD) &&
	(cd author && post 4 "Race two" && git push -q origin main) &&
	two=$(git -C author rev-parse HEAD) &&
	{ job race1 $(git -C author rev-parse HEAD~2) $one & } && p1=$! &&
	{ job race2 $one $two & } && p2=$! &&
	{ job race3 $one $two & } && p3=$! &&
	wait $p1 && wait $p2 && wait $p3 &&
	delivered | sort >actual &&
	printf "post.new Hello from CI\npost.new Race one\npost.new Race two\n" >expect &&
	test_cmp expect actual &&
	git -C origin.git show refs/herald/state:baselines >baselines &&
	echo "$two refs/heads/main" >expect &&
	test_cmp expect baselines
'

test_expect_success 'a late re-run of an older push, in a clone that lacks the newer baseline, announces nothing' '
	tip=$(git -C origin.git rev-parse refs/herald/state) &&
	job late $(git -C author rev-parse HEAD~2) $(git -C author rev-parse HEAD~1) &&
	grep "refs/heads/main was announced up to $(git -C author rev-parse --short=7 HEAD), past $(git -C author rev-parse --short=7 HEAD~1)" late.out &&
	test "$(requests)" = 3 &&
	test "$(git -C origin.git rev-parse refs/herald/state)" = "$tip"
'

test_expect_success 'a receiver outage: the delivery stays in the ref; the next run, from another clone, delivers it' '
	port=$(cat r.port) &&
	stop_receiver r &&
	(cd author && post 5 "While down" && git push -q origin main) &&
	job down $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	grep "1 delivery queued; the next run retries" down.out &&
	git -C origin.git ls-tree --name-only refs/herald/state:outbox >pending &&
	test "$(wc -l <pending)" = 1 &&
	git -C origin.git show refs/herald/state:status.json | json_get ".targets.hook.failures" >failures &&
	test "$(cat failures)" = 1 &&
	start_receiver r --port "$port" --respond 200 --max-seconds 900 &&
	sleep 6 &&
	(cd author && post 6 "After the outage" && git push -q origin main) &&
	job up $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	delivered | sort >actual &&
	printf "post.new After the outage\npost.new While down\n" >expect &&
	test_cmp expect actual &&
	! git -C origin.git rev-parse -q --verify "refs/herald/state:outbox" &&
	git -C origin.git show refs/herald/state:status.json | json_get ".targets.hook.successes" >ok &&
	test "$(cat ok)" = 5
'

test_expect_success 'a force-push is a net diff; a post dropped and re-added is not announced twice' '
	(cd author && post 7 "Soon dropped" && git push -q origin main) &&
	job p7 $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	test "$(requests)" = 3 &&
	dropped=$(git -C author rev-parse HEAD) &&
	old=$(git -C author rev-parse HEAD) &&
	rewritten=$(git -C author commit-tree -m rewritten "HEAD~1^{tree}") &&
	git -C author reset -q --hard "$rewritten" &&
	git -C author push -q -f origin main &&
	job forced $old $rewritten &&
	test "$(requests)" = 3 &&
	! grep "announced \"" forced.out &&
	git -C origin.git show refs/herald/state:baselines >baselines &&
	echo "$rewritten refs/heads/main" >expect &&
	test_cmp expect baselines &&
	(cd author && git cherry-pick "$dropped" >/dev/null && git push -q origin main) &&
	job readd $rewritten $(git -C author rev-parse HEAD) &&
	test "$(requests)" = 3 &&
	test "$(delivered | grep -c "Soon dropped")" = 1
'

test_expect_success 'a push to a branch herald does not watch announces nothing and changes no state' '
	tip=$(git -C origin.git rev-parse refs/herald/state) &&
	(cd author && git checkout -q -b side && post 8 "On a side branch" &&
	 git push -q origin side && git checkout -q main) &&
	job side $zero $(git -C author rev-parse side) refs/heads/side &&
	grep "refs/heads/side is not a watched branch" side.out &&
	test "$(requests)" = 3 &&
	test "$(git -C origin.git rev-parse refs/herald/state)" = "$tip"
'

test_expect_success 'herald status reads the state from the ref in a fresh clone' '
	rm -rf watcher && git clone -q --depth 1 "file://$ORIGIN" watcher 2>/dev/null &&
	(cd watcher && herald status --state git >../status.out 2>&1) &&
	cat status.out &&
	grep "target hook: webhook, http://127.0.0.1" status.out &&
	grep "deliveries     6 succeeded, 1 failed" status.out &&
	grep "pending        0" status.out &&
	grep "main           $(git -C author rev-parse --short HEAD)" status.out &&
	! test -e watcher/.git/herald/ledger &&
	git -C watcher config herald.state git &&
	(cd watcher && herald status --json >../status.json) &&
	json_get ".baselines.main.commit" <status.json >base &&
	test "$(cat base)" = "$(git -C author rev-parse HEAD)"
'

test_expect_success 'on GitHub, the url and secrets are masked; nothing else prints them' '
	rm -rf masked && git clone -q --depth 1 "file://$ORIGIN" masked 2>/dev/null &&
	event masked.event $(git -C author rev-parse HEAD) $(git -C author rev-parse HEAD) &&
	(cd masked && GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$TRASH/masked.event" \
		herald ci >../masked.out 2>&1) &&
	grep -x "::add-mask::$HERALD_TARGET_HOOK_URL" masked.out &&
	grep -x "::add-mask::$SECRET" masked.out &&
	grep -v "^::add-mask::" *.out >others &&
	! grep -e SECRETPATH -e "$SECRET" others
'

test_expect_success 'a broken event file is named with its line and column' '
	printf "{\"before\": \"x\",\n  oops}\n" >bad.event &&
	(cd masked && GITHUB_EVENT_PATH="$TRASH/bad.event" herald ci 2>../bad.err
	 echo $? >../bad.rc) &&
	test "$(cat bad.rc)" = 128 &&
	grep "^herald: error: $TRASH/bad.event:2:[0-9]*: " bad.err
'

test_done
