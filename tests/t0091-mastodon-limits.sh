#!/bin/sh
# kind = mastodon at the instance's limit: the limit read from
# /api/v2/instance, a status of exactly the limit sent as built, one
# character more cut to fit (link and hashtags kept), a long summary within
# 500, an instance whose limit cannot be read (500, said in the log), and a
# batch as one status. The local instance counts as Mastodon does and
# answers 422 over its limit, so a status that does not fit cannot pass.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
RECEIVER="$TEST_DIR/lib/mastodon.py"

TOKEN=tok_limits_SECRET
NOW=2026-11-26T00:00:00Z
LIMIT=120
trap 'for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post SLUG TITLE [BODY]: a new post tagged "limits", committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"%s\"\ndate: 2020-03-01\ntags: [limits]\n---\n%s\n" \
		"$2" "${3:-}" >"_posts/2020-03-01-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh instance answering as ARGS say, the target on it; ends in blog/
restart() {
	# a new instance may get an old one's port: no limit kept from before
	cd "$TRASH" && stop_receiver m && rm -f statuses blog/.git/herald/mastodon-limits.json &&
	start_receiver m --max-seconds 600 --token "$TOKEN" --statuses "$TRASH/statuses" "$@" &&
	cd "$TRASH/blog" && git config herald.toot.url "$url"
}

# count: characters of stdin as Mastodon counts them
count() {
	python3 "$TEST_DIR/lib/mastodon.py" count
}

# last: the text of the last status the instance made
last() {
	tail -n 1 "$TRASH/statuses" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"status\"])"
}

# dry: the status text herald would queue for the last commit
dry() {
	herald announce --dry-run --now $NOW >"$TRASH/dry.out" 2>&1 &&
	sed -n "/^{/p" "$TRASH/dry.out" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"status\"])"
}

# words N: a title of N characters, words of four letters
words() {
	python3 -c "import sys; n=int(sys.argv[1]); t=(\"word \"*n)[:n]; print(t[:-1]+\"x\" if t.endswith(\" \") else t)" "$1"
}

test_expect_success 'setup: a blog and a mastodon target on an instance of 120 characters' '
	printf "%s\n" "$TOKEN" >token && chmod 600 token &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	git config herald.toot.kind mastodon &&
	git config herald.toot.tokenFile "$TRASH/token" &&
	restart --max-characters $LIMIT
'

test_expect_success 'a status of exactly the limit is sent as built' '
	cd blog &&
	post probe "x" &&
	base=$(dry | count) &&
	n=$((LIMIT - base + 1)) &&
	post exact "$(words $n)" &&
	dry >../exact.want &&
	test "$(count <../exact.want)" = $LIMIT &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	last >../exact.got &&
	test_cmp ../exact.want ../exact.got &&
	test "$(wc -l <../statuses)" = 1
'

test_expect_success 'one character more is cut to the limit; link and hashtag stay' '
	cd blog &&
	n=$(sed -n "s/^title: \"\(.*\)\"$/\1/p" _posts/2020-03-01-exact.md | tr -d "\n" | wc -m) &&
	post over "$(words $((n + 1)))" &&
	dry >../over.queued &&
	test "$(count <../over.queued)" = $((LIMIT + 1)) &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	last >../over.got &&
	cat ../over.got &&
	test "$(count <../over.got)" -le $LIMIT &&
	python3 - ../over.got <<-\PY
	import sys
	s = open(sys.argv[1]).read().rstrip("\n")
	head, link, tags = s.split("\n\n")
	assert head.startswith("New post: word word") and head.endswith("\u2026"), head
	assert link.startswith("https://blog.example.com/2020/03/01/over"), link
	assert tags == "#limits", tags
	PY
'

test_expect_success 'a long summary is cut for 500 when queued, and again for the instance' '
	cd blog &&
	body=$(python3 -c "print(\" \".join([\"Lorem ipsum dolor sit amet.\"] * 80))") &&
	post long "A long one" "$body" &&
	dry >../long.queued &&
	test "$(count <../long.queued)" -le 500 &&
	grep -F "https://blog.example.com/2020/03/01/long" ../long.queued &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	last >../long.got &&
	test "$(count <../long.got)" -le $LIMIT &&
	grep -F "https://blog.example.com/2020/03/01/long" ../long.got &&
	grep "^#limits$" ../long.got
'

test_expect_success 'an instance that allows more gets the text as queued' '
	cd blog &&
	restart --max-characters 5000 &&
	post roomy "Roomy" "$(python3 -c "print(\" \".join([\"Lorem ipsum dolor sit amet.\"] * 80))")" &&
	dry >../roomy.queued &&
	herald announce --now $NOW >../out 2>../err &&
	last >../roomy.got &&
	test_cmp ../roomy.queued ../roomy.got
'

test_expect_success 'an instance whose limit cannot be read: 500, said in the log' '
	cd blog &&
	restart --max-characters 500 --instance 503 &&
	post down "Instance info down" "$(python3 -c "print(\"word \" * 150)")" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	grep "herald: warning: target .toot.: the instance.s status limit cannot be read (HTTP 503 from http://127.0.0.1); fitting statuses to 500 characters" ../err &&
	test "$(last | count)" -le 500 &&
	restart --max-characters 500 --instance garbage &&
	post garbage "Instance info garbled" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	grep "no configuration.statuses.max_characters in /api/v2/instance" ../err &&
	test "$(grep -c "/api/v2/instance" ../m.log)" = 1
'

test_expect_success 'a batch is one status of titles and links, within the limit' '
	cd blog &&
	restart --max-characters 500 &&
	git config herald.toot.batch true &&
	for i in 1 2 3 4 5 6 7 8 9; do
		printf -- "---\ntitle: Batch post number %s\ndate: 2020-04-0%s\n---\nBody.\n" $i $i \
			>_posts/2020-04-0$i-batch.md || return 1
	done &&
	commit_all "nine posts" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	test "$(wc -l <../statuses)" = 1 &&
	last >../batch.got &&
	cat ../batch.got &&
	test "$(count <../batch.got)" -le 500 &&
	head -n 1 ../batch.got | grep "^9 new posts$" &&
	grep "^https://blog.example.com/2020/04/0[1-9]/batch[/.]" ../batch.got >../batch.links &&
	test "$(wc -l <../batch.links)" -ge 3 &&
	grep "^…and [0-9] more$" ../batch.got &&
	git config --unset herald.toot.batch
'

test_done
