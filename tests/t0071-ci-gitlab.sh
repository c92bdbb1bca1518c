#!/bin/sh
# herald ci as GitLab CI runs it (a shallow fetch, a detached HEAD,
# CI_COMMIT_BEFORE_SHA / CI_COMMIT_SHA / CI_COMMIT_BRANCH), elsewhere
# (HERALD_FROM / HERALD_TO / HERALD_REF, herald.state = local), the
# scheduled drain (herald ci --deliver), and shallow clones that lack
# the range's commits: deepened, or one line saying which depth to set.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
ORIGIN="$TRASH/origin.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_REF GITHUB_SHA GITLAB_CI HERALD_TO \
	HERALD_FROM HERALD_REF HERALD_TOKEN GITHUB_TOKEN CI_JOB_TOKEN CI_COMMIT_TAG \
	CI_COMMIT_BRANCH CI_DEFAULT_BRANCH 2>/dev/null || true
zero=0000000000000000000000000000000000000000

post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"${2:-Post number $1}" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log" | tr -d " "; else echo 0; fi
}

# delivered: "TYPE TITLE SUBJECT" of each request (SUBJECT: the commit
# the event is attributed to), in order
delivered() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        d = json.loads(json.loads(line)["body"])["data"]
	        print(json.loads(json.loads(line)["body"])["type"], d.get("title"),
	              "|", (d.get("commit") or {}).get("subject"))
	PY
}

# pipeline NAME BEFORE SHA [BRANCH] [DEPTH]: a GitLab job: fetch the branch
# with GIT_DEPTH (default 1; 0 is all), check SHA out detached, run
# `herald ci` with GitLab's variables; BRANCH "-" is a tag pipeline
pipeline() {
	n=$1 before=$2 sha=$3 branch=${4:-main} depth=${5:-1}
	rm -rf "$TRASH/$n" &&
	git init -q "$TRASH/$n" &&
	git -C "$TRASH/$n" remote add origin "file://$ORIGIN" &&
	if [ "$depth" = 0 ]; then
		git -C "$TRASH/$n" fetch -q --no-tags origin "+refs/heads/*:refs/remotes/origin/*"
	else
		git -C "$TRASH/$n" fetch -q --no-tags --depth="$depth" origin \
			"+refs/heads/*:refs/remotes/origin/*"
	fi &&
	git -C "$TRASH/$n" checkout -q -f "$sha" &&
	(cd "$TRASH/$n" &&
	 if [ "$branch" != - ]; then CI_COMMIT_BRANCH=$branch && export CI_COMMIT_BRANCH; fi &&
	 GITLAB_CI=true CI_COMMIT_BEFORE_SHA=$before CI_COMMIT_SHA=$sha CI_DEFAULT_BRANCH=main \
		herald ci >"$TRASH/$n.out" 2>&1)
	rc=$?
	sed -e "s/^/| $n: /" "$TRASH/$n.out"
	return $rc
}

test_expect_success 'setup: an origin, an author clone, a receiver, targets as CI variables' '
	git init -q --bare origin.git &&
	git clone -q origin.git author 2>/dev/null &&
	start_receiver r --respond 200 --max-seconds 900 &&
	echo "HERALD_TARGET_TEAM_HOOK_URL=$url/hooks/SECRETPATH" >env &&
	cd author &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 &&
	git push -q origin main
'
. "$TRASH/env"
export HERALD_TARGET_TEAM_HOOK_KIND=webhook HERALD_TARGET_TEAM_HOOK_SECRET="$SECRET" \
	HERALD_TARGET_TEAM_HOOK_URL

test_expect_success 'the first pipeline (CI_COMMIT_BEFORE_SHA all zeros) sets the baseline' '
	pipeline first $zero $(git -C author rev-parse HEAD) &&
	grep "watching refs/heads/main from" first.out &&
	test "$(requests)" = 0 &&
	git -C origin.git show refs/herald/state:baselines >baselines &&
	echo "$(git -C author rev-parse HEAD) refs/heads/main" >expect &&
	test_cmp expect baselines
'

test_expect_success 'three pushes, one pipeline, a depth-1 clone: herald fetches the baseline and deepens' '
	base=$(git -C author rev-parse HEAD) &&
	(cd author &&
	 for i in 2 3 4; do post $i "Deep $i" && git push -q origin main || return 1; done) &&
	pipeline deep $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	delivered | sort >actual &&
	printf "%s\n" "post.new Deep 2 | post 2" "post.new Deep 3 | post 3" "post.new Deep 4 | post 4" >expect &&
	test_cmp expect actual &&
	git -C deep cat-file -e "$base^{commit}" &&
	grep "announced \"Deep 3\" to team-hook" deep.out
'

test_expect_success 'a tag pipeline (no CI_COMMIT_BRANCH) announces nothing' '
	(cd author && git tag v1 && git push -q origin v1) &&
	pipeline tag $zero $(git -C author rev-parse v1) - &&
	grep "names no branch" tag.out &&
	test "$(requests)" = 3
'

test_expect_success 'the git config form of a target works in CI too' '
	(cd author && post 5 "Config target" && git push -q origin main) &&
	rm -rf cfg && git clone -q --depth 1 "file://$ORIGIN" cfg 2>/dev/null &&
	git -C cfg checkout -q --detach &&
	git -C cfg config herald.cfg.kind webhook &&
	git -C cfg config herald.cfg.url "$(echo "$HERALD_TARGET_TEAM_HOOK_URL" | sed s/SECRETPATH/cfgpath/)" &&
	(cd cfg && GITLAB_CI=true CI_COMMIT_BEFORE_SHA=$zero CI_COMMIT_SHA=$(git rev-parse HEAD) \
		CI_COMMIT_BRANCH=main herald ci >../cfg.out 2>&1) &&
	cat cfg.out &&
	grep "announced \"Config target\" to cfg" cfg.out &&
	grep "announced \"Config target\" to team-hook" cfg.out &&
	test "$(requests)" = 5
'

test_expect_success 'an outage, then the scheduled drain (herald ci --deliver) from a fresh clone' '
	port=$(cat r.port) &&
	stop_receiver r &&
	(cd author && post 6 "Drained" && git push -q origin main) &&
	pipeline down $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	grep "1 delivery queued" down.out &&
	test "$(git -C origin.git ls-tree --name-only refs/herald/state:outbox | wc -l)" = 1 &&
	start_receiver r --port "$port" --respond 200 --max-seconds 900 &&
	sleep 6 &&
	rm -rf drain && git clone -q --depth 1 "file://$ORIGIN" drain 2>/dev/null &&
	(cd drain && herald ci --deliver >../drain.out 2>&1) &&
	cat drain.out &&
	grep "announced \"Drained\" to team-hook" drain.out &&
	test "$(delivered)" = "post.new Drained | post 6" &&
	! git -C origin.git rev-parse -q --verify refs/herald/state:outbox
'

test_expect_success 'the baseline rewritten away and collected: a shallow clone fails with one line naming the depth' '
	tip=$(git -C origin.git rev-parse refs/herald/state) &&
	(cd author && rewritten=$(git commit-tree -m rewritten "HEAD^{tree}") &&
	 git reset -q --hard "$rewritten" && git push -q -f origin main) &&
	git -C origin.git tag -d v1 >/dev/null &&
	git -C origin.git gc -q --prune=now &&
	test_expect_code 128 pipeline gone $zero $(git -C author rev-parse HEAD) &&
	base=$(git -C origin.git show refs/herald/state:baselines | cut -d" " -f1) &&
	echo "herald: error: the clone is shallow and lacks $base; set fetch-depth: 0 (actions/checkout) or GIT_DEPTH: 0 (GitLab)" >expect &&
	grep "^herald: error:" gone.out >actual &&
	test_cmp expect actual &&
	test "$(git -C origin.git rev-parse refs/herald/state)" = "$tip"
'

test_expect_success '... and a full clone starts again from the push, announcing nothing' '
	pipeline full $zero $(git -C author rev-parse HEAD) main 0 &&
	grep "herald: warning: the baseline [0-9a-f]* of refs/heads/main is gone" full.out &&
	git -C origin.git show refs/herald/state:baselines >baselines &&
	echo "$(git -C author rev-parse HEAD) refs/heads/main" >expect &&
	test_cmp expect baselines &&
	test "$(requests)" = 1
'

test_expect_success 'anywhere else: HERALD_TO, HERALD_REF and herald.state = local' '
	tip=$(git -C origin.git rev-parse refs/herald/state) &&
	rm -rf jenkins && git clone -q "file://$ORIGIN" jenkins 2>/dev/null &&
	git -C jenkins checkout -q --detach &&
	git -C jenkins config herald.state local &&
	(cd jenkins && HERALD_TO=HEAD HERALD_REF=main herald ci >../j1.out 2>&1) &&
	grep "watching refs/heads/main from" j1.out &&
	test "$(git -C jenkins rev-parse refs/herald/heads/main)" = "$(git -C jenkins rev-parse HEAD)" &&
	(cd author && post 7 "Built elsewhere" && git push -q origin main) &&
	git -C jenkins fetch -q origin && git -C jenkins checkout -q --detach origin/main &&
	(cd jenkins && HERALD_FROM=HEAD~1 HERALD_TO=HEAD HERALD_REF=refs/heads/main herald ci >../j2.out 2>&1) &&
	grep "announced \"Built elsewhere\" to team-hook" j2.out &&
	grep "	_posts/2020-03-01-post-7.md	" jenkins/.git/herald/ledger &&
	test "$(git -C origin.git rev-parse refs/herald/state)" = "$tip" &&
	(cd jenkins && herald status >../j.status) &&
	grep "main           $(git -C jenkins rev-parse --short HEAD)" j.status
'

test_expect_success 'no CI variables at all: one line says what to set' '
	(cd jenkins && test_expect_code 128 herald ci 2>../none.err) &&
	test "$(wc -l <none.err)" = 1 &&
	grep "set HERALD_TO" none.err
'

test_expect_success 'a receiver that asks for time (429, Retry-After: 600): the drain leaves it for a later run' '
	port=$(cat r.port) &&
	stop_receiver r &&
	start_receiver r --port "$port" --respond 429:600 --max-seconds 900 &&
	(cd author && post 8 "Asked to wait" && git push -q origin main) &&
	# post 7 went out from the clone with local state: the ref never saw it
	pipeline wait $(git -C author rev-parse HEAD~1) $(git -C author rev-parse HEAD) &&
	grep "2 deliveries queued; the next run retries" wait.out &&
	test "$(requests)" = 2 &&
	rm -rf drain && git clone -q --depth 1 "file://$ORIGIN" drain 2>/dev/null &&
	(cd drain && herald ci --deliver >../drain.out 2>&1) &&
	cat drain.out &&
	grep -x "herald: 2 deliveries wait for a later run" drain.out &&
	test "$(requests)" = 2 &&
	(cd drain && herald status --state git >../wait.status; true) &&
	grep "pending        2" wait.status
'

test_expect_success 'nothing printed holds the url path or the secret' '
	! grep -e SECRETPATH -e cfgpath -e "$SECRET" *.out *.err
'

test_done
