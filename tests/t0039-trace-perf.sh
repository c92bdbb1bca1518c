#!/bin/sh
# HERALD_TRACE_PERF: where a command's time goes, through the real path. A
# real `git push` into a bare repository with herald's hooks and a webhook
# target on a real receiver: the post-receive hook's line has its start,
# setup, scan, enqueue and request, in that order, and the pre-receive
# hook's its start, setup and check; written to the admin's file the pusher sees none of it, and with 1
# git relays it as "remote:"; a hook out of its budget, which leaves early,
# still writes its line. `herald announce` run by hand traces the same
# phases. Unset, nothing is traced.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && stop_receiver r' EXIT

# post N: a new published post in the clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: Post %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"$1" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# requests: how many requests the receiver logged
requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log"; else echo 0; fi
}

# phases LINE: the names of the line's phases, in order, one line
phases() {
	printf "%s\n" "$1" | sed -e "s/^herald perf: [^:]*: //" -e "s/ ([a-z]*)\$//" |
		tr ";" "\n" | sed -e "s/^ //" -e "s/ .*//" | tr "\n" " "
}

# well_formed LINE: every phase is "NAME CPU cpu", then " WALL wall" but for
# the start, with non-negative numbers, and the total last
well_formed() {
	printf "%s\n" "$1" | sed -e "s/^herald perf: [^:]*: //" -e "s/ (ms)\$//" | tr ";" "\n" |
		sed "s/^ //" >"$TRASH/parts" &&
	head -1 "$TRASH/parts" | grep -qx "start [0-9]*\.[0-9][0-9] cpu" &&
	{ sed -e 1d -e \$d "$TRASH/parts" |
		grep -vx "[a-z]* [0-9]*\.[0-9][0-9] cpu [0-9]*\.[0-9][0-9] wall" >"$TRASH/bad" || :; } &&
	! test -s "$TRASH/bad" &&
	tail -1 "$TRASH/parts" | grep -qx "total [0-9]*\.[0-9][0-9] cpu"
}

test_expect_success 'setup: a bare server with the hooks and a webhook target, a clone' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	start_receiver r --respond 200 &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.url "$url/hooks/x" &&
	git -C server.git config herald.hookBudget 30 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	post 1 &&
	push first origin main &&
	grep "nothing announced" ../first.push
'

test_expect_success 'traced into the admin file: a line for each hook, none for the pusher' '
	cd work &&
	post 2 &&
	HERALD_TRACE_PERF="$TRASH/perf.log" push traced origin main &&
	test "$(requests)" = 1 &&
	grep "announced \"Post 2\" to hook" ../traced.push &&
	! grep "herald perf" ../traced.push &&
	test "$(wc -l <../perf.log)" = 2 &&
	pre=$(grep "^herald perf: hook pre-receive: " ../perf.log) &&
	post=$(grep "^herald perf: hook post-receive: " ../perf.log) &&
	test "$(phases "$pre")" = "start setup check rest total " &&
	test "$(phases "$post")" = "start setup scan enqueue request rest total " &&
	well_formed "$pre" &&
	well_formed "$post" &&
	test "$(stat -c %a ../perf.log)" = 600
'

test_expect_success 'with 1, git relays the lines to the pusher' '
	cd work &&
	post 3 &&
	HERALD_TRACE_PERF=1 push relayed origin main &&
	test "$(requests)" = 2 &&
	grep "^remote: herald perf: hook pre-receive: start " ../relayed.push &&
	grep "^remote: herald perf: hook post-receive: start .*; request " ../relayed.push
'

test_expect_success 'unset, nothing is traced' '
	cd work &&
	post 4 &&
	push quiet origin main &&
	test "$(requests)" = 3 &&
	! grep "herald perf" ../quiet.push &&
	test "$(wc -l <../perf.log)" = 2
'

test_expect_success 'herald announce by hand traces the same phases' '
	cd work &&
	post 5 &&
	git config herald.hook.kind webhook &&
	git config herald.hook.url "http://127.0.0.1:$(cat ../r.port)/hooks/x" &&
	HERALD_TRACE_PERF=1 herald announce HEAD~1..HEAD >out 2>err &&
	test "$(requests)" = 4 &&
	line=$(grep "^herald perf: announce: " err) &&
	test "$(phases "$line")" = "start setup scan enqueue request rest total " &&
	well_formed "$line"
'

test_expect_success 'a hook that runs out of its budget still writes its line' '
	cd work &&
	git -C "$SERVER" config herald.hookBudget 0.001 &&
	i=0 && while [ $i -lt 1000 ]; do
		printf -- "---\ntitle: Bulk %s\ndate: 2020-03-01\n---\nBody %s.\n" $i $i >"_posts/2020-03-01-bulk-$i.md"
		i=$((i + 1))
	done &&
	commit_all "1000 posts" &&
	HERALD_TRACE_PERF="$TRASH/late.log" push late origin main &&
	grep "took longer than herald.hookBudget" ../late.push &&
	line=$(grep "^herald perf: hook post-receive: " ../late.log) &&
	test "$(phases "$line")" = "start setup scan rest total " &&
	well_formed "$line"
'

test_done
