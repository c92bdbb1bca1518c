#!/bin/sh
# Exactly once through faults, on real pushes into a bare server with the
# hooks installed and a real receiver: a post-receive hook held up until a
# later push's hook has run (the stale update must change nothing), every
# durable write failing in turn (HERALD_FAULT, the test-only fault hook in
# fileio.c), the hook's one budget with a held lock and a hanging
# receiver, and `herald status` alerting on a lagging baseline and on
# files it cannot write.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# The post-receive script: a chained hook that sleeps 3 s when it takes
# the file `slow` (only the first push that finds it), the fault spec in
# the file `fault` passed on as HERALD_FAULT, and the hook's own start and
# end times (monotonic enough for a test: date +%s.%N) in hook.time.
install_hooks() {
	cat >"$1/hooks/post-receive" <<-EOF
	#!/bin/sh
	input=\$(cat)
	if mv "$TRASH/slow" "$TRASH/slow.taken" 2>/dev/null; then
		sleep 3
	fi
	if [ -s "$TRASH/fault" ]; then
		HERALD_FAULT=\$(cat "$TRASH/fault")
		export HERALD_FAULT
	fi
	s=\$(date +%s.%N)
	printf '%s\n' "\$input" | "\$HERALD" hook post-receive
	echo "\$s \$(date +%s.%N)" >"$TRASH/hook.time"
	EOF
	printf '#!/bin/sh\nexec "$HERALD" hook pre-receive\n' >"$1/hooks/pre-receive" &&
	chmod +x "$1/hooks/post-receive" "$1/hooks/pre-receive"
}

post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"$2" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

push() {
	pn=$1 && shift
	git push "$@" >"$TRASH/$pn.push" 2>&1
	rc=$?
	sed -e 's/^/| /' "$TRASH/$pn.push"
	return $rc
}

restart() {
	(cd "$TRASH" && stop_receiver r && start_receiver r --max-seconds 900 "$@" &&
	 git -C "$SERVER" config herald.hook.url "$url/hooks/x")
}

# delivered: "TYPE TITLE ID" of each request the receiver logged
delivered() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        r = json.loads(line)
	        b = json.loads(r["body"])
	        h = {k.lower(): v for k, v in r["headers"].items()}
	        print(b["type"], (b.get("data") or {}).get("title"), h.get("webhook-id"))
	PY
}

baseline() {
	git -C "$SERVER" rev-parse -q --verify refs/herald/heads/main
}

# hook_took: seconds the last post-receive took
hook_took() {
	awk '{ printf "%.2f\n", $2 - $1 }' "$TRASH/hook.time"
}

test_expect_success 'setup: a bare server, a webhook target for every event, a clone' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.events all &&
	git -C server.git config herald.hook.timeout 1 &&
	restart --respond 200 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 0 "Before herald" &&
	push first origin main &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'a late hook of an earlier push changes nothing: no event, the baseline stays at the tip' '
	cd work &&
	post q1 "Post q1" && first=$(git rev-parse HEAD) &&
	: >"$TRASH/slow" &&
	{ git push origin main >"$TRASH/late1.push" 2>&1 & } && p1=$! &&
	i=0 &&
	while [ ! -f "$TRASH/slow.taken" ]; do
		i=$((i + 1)) && test $i -lt 200 && sleep 0.1 || return 1
	done &&
	test "$(git -C "$SERVER" rev-parse main)" = "$first" &&
	post q2 "Post q2" &&
	push late2 origin main &&
	wait $p1 &&
	cat "$TRASH/late1.push" &&
	grep "refs/heads/main has moved on since this push" "$TRASH/late1.push" &&
	! grep "announced" "$TRASH/late1.push" &&
	grep "announced \"Post q1\" to hook" "$TRASH/late2.push" &&
	grep "announced \"Post q2\" to hook" "$TRASH/late2.push" &&
	delivered | cut -d" " -f1,2,3 | sort >../actual &&
	printf "post.new Post q1\npost.new Post q2\n" >../expect &&
	test_cmp ../expect ../actual &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(git -C "$SERVER" rev-parse main)" = "$(git rev-parse HEAD)"
'

test_expect_success 'every durable write failing in turn: each post announced exactly once once space returns' '
	cd work &&
	restart --respond 200 &&
	git -C "$SERVER" config herald.alertAfter 0 &&
	n=1 &&
	while [ $n -le 9 ]; do
		post "f$n" "Fault $n" &&
		echo "write:$n" >"$TRASH/fault" &&
		push "fault$n" origin main || return 1
		: >"$TRASH/fault" &&
		if [ "$(baseline)" != "$(git rev-parse HEAD)" ]; then
			# the push is not announced: status says so, tick catches up
			sleep 1 &&
			test_expect_code 1 herald -C "$SERVER" status >"$TRASH/status$n.out" 2>&1 &&
			grep "branch main is at .* but announced only up to" "$TRASH/status$n.out" ||
			return 1
		fi
		herald -C "$SERVER" tick >"$TRASH/tick$n.out" 2>&1 &&
		herald -C "$SERVER" deliver --all >"$TRASH/deliver$n.out" 2>&1 &&
		test "$(baseline)" = "$(git rev-parse HEAD)" &&
		herald -C "$SERVER" status >"$TRASH/status$n.ok" 2>&1 || return 1
		test "$(delivered | grep -c "^post.new Fault $n ")" = 1 || {
			echo "Fault $n delivered $(delivered | grep -c "^post.new Fault $n ") times"
			return 1
		}
		n=$((n + 1))
	done &&
	delivered >../all &&
	test "$(wc -l <../all)" = 9 &&
	test "$(cut -d" " -f4 ../all | sort -u | wc -l)" = 9 &&
	! grep -v "^post.new" ../all &&
	herald -C "$SERVER" outbox list >../list.out &&
	grep "pending (0)" ../list.out &&
	test ! -e "$SERVER/herald/txn"
'

test_expect_success 'each kind of write failing every time: txn, entry, ledger, baseline, status' '
	cd work &&
	for kind in txn entry ledger baseline status; do
		post "k$kind" "Kind $kind" &&
		echo "write:$kind" >"$TRASH/fault" &&
		push "kind$kind" origin main || return 1
		: >"$TRASH/fault" &&
		herald -C "$SERVER" tick >/dev/null 2>&1 &&
		herald -C "$SERVER" deliver --all >/dev/null 2>&1 &&
		test "$(delivered | grep -c "^post.new Kind $kind ")" = 1 || {
			echo "kind $kind: $(delivered | grep -c "^post.new Kind $kind ") deliveries"
			cat "$TRASH/kind$kind.push"
			return 1
		}
	done &&
	grep "cannot write .*ledger" "$TRASH/kindledger.push" &&
	grep "not announced" "$TRASH/kindledger.push" &&
	! grep "announced \"Kind ledger\"" "$TRASH/kindledger.push" &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'a removal that keeps failing after the 2xx: sent again under the same webhook-id, never another' '
	cd work &&
	post kremoval "Kind removal" &&
	echo "write:removal" >"$TRASH/fault" &&
	push kindremoval origin main &&
	grep "delivered but stays in the outbox; it will be sent again with the same id" \
		"$TRASH/kindremoval.push" &&
	: >"$TRASH/fault" &&
	herald -C "$SERVER" deliver --all >/dev/null 2>&1 &&
	herald -C "$SERVER" deliver --all >/dev/null 2>&1 &&
	test "$(delivered | grep -c "^post.new Kind removal ")" = 2 &&
	test "$(delivered | grep "^post.new Kind removal " | cut -d" " -f4 | sort -u | wc -l)" = 1
'

test_expect_success 'status alerts when herald cannot write its own files' '
	HERALD_FAULT=write:probe test_expect_code 1 herald -C "$SERVER" status --json \
		>"$TRASH/nowrite.json" 2>"$TRASH/nowrite.err" &&
	grep "alert: cannot write in" "$TRASH/nowrite.err" &&
	test "$(json_get .writable <"$TRASH/nowrite.json")" = false &&
	herald -C "$SERVER" status --json --prometheus "$TRASH/ok.prom" >"$TRASH/ok.json" &&
	test "$(json_get .writable <"$TRASH/ok.json")" = true &&
	grep "^herald_files_writable 1$" "$TRASH/ok.prom" &&
	grep "^herald_alert 0$" "$TRASH/ok.prom"
'

test_expect_success 'status --json and --prometheus show a lagging branch' '
	cd work &&
	post lag "Lagging" &&
	echo "write:ledger" >"$TRASH/fault" &&
	push lag origin main &&
	: >"$TRASH/fault" &&
	sleep 1 &&
	test_expect_code 1 herald -C "$SERVER" status --json --prometheus "$TRASH/lag.prom" \
		>"$TRASH/lag.json" 2>/dev/null &&
	test "$(json_get .unannounced.main.tip <"$TRASH/lag.json")" = "$(git rev-parse HEAD)" &&
	test "$(json_get .ok <"$TRASH/lag.json")" = false &&
	grep "^herald_branch_unannounced_seconds{branch=\"main\"} [1-9]" "$TRASH/lag.prom" &&
	grep "^herald_alert 1$" "$TRASH/lag.prom" &&
	herald -C "$SERVER" tick >/dev/null 2>&1 &&
	herald -C "$SERVER" status >/dev/null &&
	test "$(delivered | grep -c "^post.new Lagging ")" = 1
'

test_expect_success 'one budget for the whole hook: a deliver holding the lock on a hanging receiver' '
	cd work &&
	git -C "$SERVER" config --unset herald.alertAfter &&
	restart --respond hang &&
	git -C "$SERVER" config herald.hookBudget 2 &&
	post h1 "Hung one" &&
	push hung1 origin main &&
	hook_took &&
	awk "{ exit !(\$2 - \$1 <= 2.5) }" "$TRASH/hook.time" &&
	grep "1 delivery queued, will retry" "$TRASH/hung1.push" &&
	{ herald -C "$SERVER" deliver --all --max-time 30 >"$TRASH/cron.out" 2>&1 & } &&
	cron=$! &&
	sleep 0.3 &&
	post h2 "Hung two" &&
	push hung2 origin main &&
	hook_took &&
	awk "{ exit !(\$2 - \$1 <= 2.5) }" "$TRASH/hook.time" &&
	wait $cron;
	git -C "$SERVER" config --unset herald.hookBudget &&
	restart --respond 200 &&
	herald -C "$SERVER" tick >/dev/null 2>&1 &&
	herald -C "$SERVER" deliver --all >/dev/null 2>&1 &&
	test "$(delivered | grep -c "^post.new Hung one ")" = 1 &&
	test "$(delivered | grep -c "^post.new Hung two ")" = 1
'

test_expect_success 'the pusher sees only its own push: older pending deliveries are not counted' '
	cd work &&
	restart --respond 500 &&
	post o1 "Old pending" &&
	push old origin main &&
	grep "1 delivery queued" "$TRASH/old.push" &&
	restart --respond 200 &&
	post o2 "Own post" &&
	push own origin main &&
	grep "announced \"Own post\" to hook" "$TRASH/own.push" &&
	! grep "Old pending" "$TRASH/own.push" &&
	! grep "queued" "$TRASH/own.push"
'

test_done
