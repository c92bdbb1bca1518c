#!/bin/sh
# kind = mastodon: the instance's status limit (GET /api/v2/instance) is
# kept a day in herald's folder (mastodon-limits.json, mode 0600), so two
# pushes, each delivered by its own hook run, ask the instance once; a
# limit older than a day is read again; a failed read (500 used) is not
# kept; a file that is not herald's, or a symbolic link in its place, is
# neither trusted nor followed, and replaced.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
RECEIVER="$TEST_DIR/lib/mastodon.py"

TOKEN=tok_cache_SECRET
NOW=2026-11-26T00:00:00Z
LIMIT=120
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N: a new post whose title alone is over the limit, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"Post %s %s\"\ndate: 2020-03-01\n---\nBody.\n" \
		"$1" "$(python3 -c "print(\"word \" * 40)")" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# instance_reads: how many GET /api/v2/instance the instance got
instance_reads() {
	grep -c "\"/api/v2/instance\"" "$TRASH/m.log"
}

# statuses: how many statuses the instance made
statuses() {
	if [ -f "$TRASH/statuses" ]; then wc -l <"$TRASH/statuses"; else echo 0; fi
}

# cached: the limit kept for the instance running now, or "none"
cached() {
	python3 - "$TRASH/server.git/herald/mastodon-limits.json" "http://127.0.0.1:$(cat "$TRASH/m.port")" <<-\PY
	import json, sys
	try:
	    doc = json.load(open(sys.argv[1]))
	except FileNotFoundError:
	    print("none"); sys.exit(0)
	e = doc["instances"].get(sys.argv[2])
	print(e["limit"] if e else "none")
	PY
}

# age SECONDS: makes every kept limit SECONDS old
age() {
	python3 - "$TRASH/server.git/herald/mastodon-limits.json" "$1" <<-\PY
	import json, sys, time
	doc = json.load(open(sys.argv[1]))
	for e in doc["instances"].values():
	    e["read"] = int(time.time()) - int(sys.argv[2])
	json.dump(doc, open(sys.argv[1], "w"))
	PY
}

test_expect_success 'setup: an instance of 120 characters, a bare server with the hooks, a clone' '
	printf "%s\n" "$TOKEN" >token && chmod 600 token &&
	start_receiver m --max-seconds 600 --token "$TOKEN" --statuses "$TRASH/statuses" --max-characters $LIMIT &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.toot.kind mastodon &&
	git -C server.git config herald.toot.url "$url" &&
	git -C server.git config herald.toot.tokenFile "$TRASH/token" &&
	git -C server.git config herald.hookBudget 30 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	commit_all "config" &&
	push first origin HEAD:main &&
	test "$(statuses)" = 0
'

test_expect_success 'the first push reads the limit and keeps it (0600, by instance)' '
	cd work &&
	post 1 &&
	push one origin HEAD:main &&
	grep "herald: announced" ../one.push &&
	test "$(statuses)" = 1 &&
	test "$(instance_reads)" = 1 &&
	test "$(cached)" = $LIMIT &&
	test "$(stat -c %a ../server.git/herald/mastodon-limits.json)" = 600
'

test_expect_success 'a second push, another hook run, does not ask again and fits to the kept limit' '
	cd work &&
	post 2 &&
	push two origin HEAD:main &&
	grep "herald: announced" ../two.push &&
	test "$(statuses)" = 2 &&
	test "$(instance_reads)" = 1 &&
	! grep -i warning ../two.push
'

test_expect_success 'a limit a day old is read again' '
	cd work &&
	age 86000 &&
	post 3 &&
	push three origin HEAD:main &&
	test "$(instance_reads)" = 1 &&
	age 86400 &&
	post 4 &&
	push four origin HEAD:main &&
	test "$(statuses)" = 4 &&
	test "$(instance_reads)" = 2 &&
	test "$(cached)" = $LIMIT
'

test_expect_success 'a kept limit from the future is not trusted' '
	cd work &&
	age -3600 &&
	post 5 &&
	push five origin HEAD:main &&
	test "$(statuses)" = 5 &&
	test "$(instance_reads)" = 3
'

test_expect_success 'a failed read is not kept: 500 is used and the next run asks again' '
	cd "$TRASH" && stop_receiver m &&
	start_receiver m --max-seconds 600 --token "$TOKEN" --statuses "$TRASH/statuses" --max-characters 500 --instance 503 &&
	git -C server.git config herald.toot.url "$url" &&
	cd work &&
	post 6 &&
	push six origin HEAD:main &&
	grep "the instance.s status limit cannot be read (HTTP 503" ../six.push &&
	test "$(cached)" = none &&
	post 7 &&
	push seven origin HEAD:main &&
	test "$(instance_reads)" = 2 &&
	test "$(statuses)" = 7
'

test_expect_success 'a file that is not herald.s is read as none, said, and replaced' '
	cd "$TRASH" && stop_receiver m &&
	start_receiver m --max-seconds 600 --token "$TOKEN" --statuses "$TRASH/statuses" --max-characters $LIMIT &&
	git -C server.git config herald.toot.url "$url" &&
	printf "{\"instances\": [1]}" >server.git/herald/mastodon-limits.json &&
	cd work &&
	post 8 &&
	push eight origin HEAD:main &&
	grep "mastodon-limits.json. is not herald.s: the instances. limits are read again" ../eight.push &&
	test "$(cached)" = $LIMIT &&
	test "$(instance_reads)" = 1
'

test_expect_success 'a symbolic link in its place is not followed, and is replaced by a file' '
	cd "$TRASH" &&
	printf "{\"version\": 1, \"instances\": {\"%s\": {\"limit\": 99999, \"read\": %s}}}" \
		"http://127.0.0.1:$(cat m.port)" "$(date +%s)" >planted.json &&
	cp planted.json planted.want &&
	ln -sf "$TRASH/planted.json" server.git/herald/mastodon-limits.json &&
	cd work &&
	post 9 &&
	push nine origin HEAD:main &&
	grep "mastodon-limits.json. cannot be read" ../nine.push &&
	test "$(instance_reads)" = 2 &&
	test "$(statuses)" = 9 &&
	test ! -L ../server.git/herald/mastodon-limits.json &&
	test "$(cached)" = $LIMIT &&
	test_cmp ../planted.want ../planted.json
'

test_done
