#!/bin/sh
# Scheduled digests are durable: a failing write (HERALD_FAULT) or a
# kill -9 between the outbox entry and its ledger record neither loses nor
# doubles a digest; two ticks at once send one.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

trap 'stop_receiver r' EXIT

# sent DUE: how many digests for that due instant the receiver accepted
sent() {
	python3 - "$TRASH/r.log" "$1" <<-\PY
	import json, sys
	try:
	    lines = open(sys.argv[1]).read().splitlines()
	except FileNotFoundError:
	    lines = []
	n = 0
	for line in lines:
	    r = json.loads(line)
	    if r["response"] == "200" and json.loads(r["body"])["data"]["due"] == sys.argv[2]:
	        n += 1
	print(n)
	PY
}

# ids PATH: how many different delivery ids reached PATH and were accepted
# (a removal that fails after a 2xx sends the same id again, by design)
ids() {
	python3 - "$TRASH/r.log" "$1" <<-\PY
	import json, sys
	ids = set()
	for line in open(sys.argv[1]).read().splitlines():
	    r = json.loads(line)
	    if r["path"] == sys.argv[2] and r["response"] == "200":
	        ids.add(r["headers"]["webhook-id"])
	print(len(ids))
	PY
}

tick() {
	herald -C "$TRASH/server.git" tick --now "$@" >"$TRASH/out" 2>"$TRASH/err"
}

# post N: pushes a post dated 2026-12-0N
post() {
	cd "$TRASH/blog" &&
	printf -- "---\ntitle: Post %s\ndate: 2026-12-0%s\n---\nText.\n" "$1" "$1" | write_post "_posts/2026-12-0$1-p$1.md" &&
	commit_all "post $1" && git push -q origin main && cd "$TRASH"
}

test_expect_success 'setup: a daily digest target, counting from 2026-12-01' '
	start_receiver r --respond 200 --max-seconds 600 &&
	echo "$url" >url &&
	git init -q --bare server.git &&
	git -C server.git config herald.day.kind webhook &&
	git -C server.git config herald.day.url "$url/day" &&
	git -C server.git config herald.day.events none &&
	git -C server.git config herald.day.digest "daily 09:00" &&
	git clone -q server.git blog 2>/dev/null &&
	(cd blog && printf -- "---\ntitle: Old\ndate: 2020-01-01\n---\nOld.\n" | write_post _posts/2020-01-01-old.md &&
	 commit_all old && git push -q origin main) &&
	tick 2026-12-01T10:00:00Z &&
	post 1
'

test_expect_success 'a write failing in each step leaves nothing; the next tick sends it once' '
	cp server.git/herald/ledger ledger.before &&
	for kind in txn entry ledger; do
		HERALD_FAULT=write:$kind test_expect_code 128 herald -C server.git tick --now 2026-12-02T09:30:00Z >out 2>err &&
		grep "herald: error" err &&
		test_cmp ledger.before server.git/herald/ledger &&
		test ! -e server.git/herald/txn &&
		test -z "$(ls server.git/herald/outbox)" &&
		test "$(sent 2026-12-02T09:00:00Z)" = 0 || exit 1
	done &&
	tick 2026-12-02T09:30:00Z &&
	test "$(sent 2026-12-02T09:00:00Z)" = 1 &&
	tick 2026-12-02T09:30:00Z &&
	tick 2026-12-02T12:00:00Z &&
	test "$(sent 2026-12-02T09:00:00Z)" = 1
'

# queue_only NOW: a tick whose delivery cannot reach the receiver, so its
# digest stays queued; prints the entry id
queue_only() {
	git -C server.git config herald.day.url http://127.0.0.1:9/day &&
	tick "$1" &&
	git -C server.git config herald.day.url "$(cat url)/day" &&
	ls server.git/herald/outbox | sed -n "s/\.json$//p"
}

# crash ID SIZE: the state a kill -9 leaves once the transaction record is
# written: the record of entry ID with the ledger size before it
crash() {
	printf "{\"ids\": [\"%s\"], \"ledger_size\": %s, \"version\": 1}" "$1" "$2" >server.git/herald/txn
}

test_expect_success 'kill -9 after the entry, before the ledger: rolled back, then sent once' '
	post 2 &&
	size=$(wc -c <server.git/herald/ledger) &&
	cp server.git/herald/ledger ledger.before &&
	id=$(queue_only 2026-12-03T09:30:00Z) &&
	test -n "$id" &&
	test -f "server.git/herald/outbox/$id.json" &&
	cp ledger.before server.git/herald/ledger &&
	crash "$id" "$size" &&
	tick 2026-12-03T09:40:00Z &&
	grep "rolled back an interrupted announcement" err &&
	test "$(sent 2026-12-03T09:00:00Z)" = 1 &&
	grep "\"webhook-id\": \"$id\"" r.log &&
	tick 2026-12-03T10:00:00Z &&
	test "$(sent 2026-12-03T09:00:00Z)" = 1
'

test_expect_success 'kill -9 after the ledger, before the record went: rolled back, then sent once' '
	post 3 &&
	size=$(wc -c <server.git/herald/ledger) &&
	id=$(queue_only 2026-12-04T09:30:00Z) &&
	grep "/digest/2026-12-04T09:00:00Z" server.git/herald/ledger &&
	crash "$id" "$size" &&
	tick 2026-12-04T09:40:00Z &&
	grep "rolled back an interrupted announcement" err &&
	test "$(sent 2026-12-04T09:00:00Z)" = 1 &&
	test "$(grep -c "/digest/2026-12-04T09:00:00Z" server.git/herald/ledger)" = 1 &&
	tick 2026-12-04T11:00:00Z &&
	test "$(sent 2026-12-04T09:00:00Z)" = 1
'

test_expect_success 'two ticks at once send one digest' '
	post 5 &&
	(herald -C server.git tick --now 2026-12-05T09:30:00Z >out1 2>&1 &
	 herald -C server.git tick --now 2026-12-05T09:30:00Z >out2 2>&1 &
	 wait) &&
	wait_lines r.log 4 &&
	sleep 1 &&
	test "$(sent 2026-12-05T09:00:00Z)" = 1 &&
	test "$(grep -c "/digest/2026-12-05T09:00:00Z" server.git/herald/ledger)" = 1
'

test_expect_success 'each durable write of a tick with two digests failing in turn: one id each' '
	url=$(cat url) &&
	git -C server.git config herald.day2.kind webhook &&
	git -C server.git config herald.day2.events none &&
	git -C server.git config herald.day2.digest "daily 09:00" &&
	git -C server.git config herald.day2.url "$url/day2" &&
	tick 2026-12-06T10:00:00Z &&
	post 6 &&
	n=1 &&
	while [ $n -le 12 ]; do
		rm -rf s.git && cp -a server.git s.git &&
		git -C s.git config herald.day.url "$url/$n/day" &&
		git -C s.git config herald.day2.url "$url/$n/day2" &&
		HERALD_FAULT=write:$n herald -C s.git tick --now 2026-12-07T09:30:00Z >out 2>err;
		herald -C s.git tick --now 2026-12-07T09:40:00Z >out 2>err &&
		herald -C s.git tick --now 2026-12-07T09:50:00Z >out 2>err &&
		for t in day day2; do
			got=$(ids "/$n/$t") &&
			test "$got" = 1 &&
			test "$(grep -c "^$t	digest	/digest/2026-12-07T09:00:00Z" s.git/herald/ledger)" = 1 ||
			{ echo "write $n: target $t got $got digests"; exit 1; }
		done
		n=$((n + 1))
	done
'

test_expect_success 'kill -9 at moments through a tick with two digests: one id each, none lost' '
	url=$(cat url) &&
	k=0 &&
	while [ $k -le 9 ]; do
		rm -rf s.git && cp -a server.git s.git &&
		git -C s.git config herald.day.url "$url/k$k/day" &&
		git -C s.git config herald.day2.url "$url/k$k/day2" &&
		{ "$HERALD" -C s.git tick --now 2026-12-07T09:30:00Z >out 2>err & pid=$!; } &&
		sleep "0.0$((k % 10))$k" &&
		{ kill -9 $pid 2>/dev/null; wait $pid; true; } &&
		herald -C s.git tick --now 2026-12-07T09:40:00Z >out 2>err &&
		herald -C s.git tick --now 2026-12-07T09:50:00Z >out 2>err &&
		for t in day day2; do
			got=$(ids "/k$k/$t") &&
			test "$got" = 1 &&
			test "$(grep -c "^$t	digest	/digest/2026-12-07T09:00:00Z" s.git/herald/ledger)" = 1 ||
			{ echo "kill $k: target $t got $got digests"; cat err; exit 1; }
		done
		k=$((k + 1))
	done
'

test_done
