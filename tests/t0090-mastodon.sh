#!/bin/sh
# kind = mastodon against a local instance (tests/lib/mastodon.py) that
# answers as Mastodon documents: the instance read without a token, the
# status POSTed with the bearer token and the delivery id as
# Idempotency-Key, visibility and language from git config only, tags as
# hashtags, mentions defused, config mistakes named, no token in any output.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
RECEIVER="$TEST_DIR/lib/mastodon.py"

TOKEN=tok_Zx81mastodonSECRETtoken
NOW=2026-11-26T00:00:00Z
trap 'for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post SLUG TITLE [TAGS]: a new post in the blog, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"%s\"\ndate: 2020-03-01\ntags: [%s]\n---\nThe body of *%s*.\n" \
		"$2" "${3:-}" "$1" >"_posts/2020-03-01-$1.md" &&
	commit_all "post $1"
}

# req N FIELD: a field of request N (1-based) of the instance's log
req() {
	python3 - "$TRASH/m.log" "$1" "$2" <<-\PY
	import json, sys
	r = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
	v = r
	for part in sys.argv[3].split("."):
	    v = v.get(part) if isinstance(v, dict) else None
	print(v if v is not None else "(none)")
	PY
}

requests() {
	if [ -f "$TRASH/m.log" ]; then wc -l <"$TRASH/m.log" | tr -d " "; else echo 0; fi
}

test_expect_success 'setup: a blog, a token file and a mastodon target' '
	start_receiver m --token "$TOKEN" --statuses "$TRASH/statuses" &&
	printf "%s\n" "$TOKEN" >token && chmod 600 token &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post first "First post" "static sites, rust, 2024" &&
	git config herald.toot.kind mastodon &&
	git config herald.toot.url "$url" &&
	git config herald.toot.tokenFile "$TRASH/token" &&
	git config herald.toot.visibility unlisted &&
	git config herald.toot.language de
'

test_expect_success 'targets shows the target, the instance as scheme and host, no token' '
	cd blog &&
	herald targets >../targets.out 2>&1 &&
	grep "^toot  *mastodon  *http://127.0.0.1  *new undrafted$" ../targets.out &&
	grep "template built-in payload-mastodon.json" ../targets.out &&
	grep "^  *statuses unlisted, language de, fitted to the instance.s limit (else 500)$" ../targets.out &&
	! grep "$TOKEN" ../targets.out
'

test_expect_success 'announce reads the limit without a token, then posts one status' '
	cd blog &&
	herald announce --dry-run --now $NOW >../dry.out 2>&1 &&
	id=$(sed -n "s/.*id \(msg_[a-z0-9]*\)).*/\1/p" ../dry.out) &&
	test -n "$id" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	test "$(requests)" = 2 &&
	test "$(req 1 method) $(req 1 path)" = "GET /api/v2/instance" &&
	test "$(req 1 headers.authorization)" = "(none)" &&
	test "$(req 2 method) $(req 2 path)" = "POST /api/v1/statuses" &&
	test "$(req 2 headers.authorization)" = "Bearer $TOKEN" &&
	test "$(req 2 headers.idempotency-key)" = "$id" &&
	test "$(req 2 headers.content-type)" = "application/json" &&
	req 2 body >../body.json &&
	python3 - ../body.json <<-\PY
	import json, sys
	b = json.load(open(sys.argv[1]))
	want = ("New post: First post\n\nThe body of first.\n\n"
	        "https://blog.example.com/2020/03/01/first.html\n\n#StaticSites #rust")
	assert b == {"status": want, "visibility": "unlisted", "language": "de"}, b
	PY
	test "$(wc -l <../statuses)" = 1 &&
	herald outbox list >../list.out &&
	grep "pending (0)" ../list.out
'

test_expect_success 'a mention in a title or a summary notifies no one' '
	cd blog &&
	post mention "Thanks @alice@example.social and @bob" &&
	herald announce --now $NOW >../out 2>../err &&
	tail -n 1 ../statuses >../last.json &&
	python3 - ../last.json <<-\PY
	import json, re, sys
	s = json.load(open(sys.argv[1]))["status"]
	assert "@\u200balice@example.social" in s and "@\u200bbob" in s, s
	# what Mastodon takes for a mention: an @ then a name, not after a word
	assert not re.search(r"(?<![\w/])@[a-z0-9_]", s, re.I), s
	PY
'

test_expect_success 'the instance is read once per run, however many statuses' '
	cd blog &&
	cd "$TRASH" && stop_receiver m && start_receiver m --token "$TOKEN" --statuses "$TRASH/statuses" &&
	cd "$TRASH/blog" && git config herald.toot.url "$url" &&
	post two-a "Two A" && post two-b "Two B" &&
	herald announce --now $NOW HEAD~2..HEAD >../out 2>../err &&
	grep "2 delivered" ../err &&
	test "$(requests)" = 3 &&
	test "$(grep -c "/api/v2/instance" ../m.log)" = 1 &&
	test "$(grep -c "/api/v1/statuses" ../m.log)" = 2 &&
	test "$(req 2 headers.idempotency-key)" != "$(req 3 headers.idempotency-key)"
'

test_expect_success 'a template cannot choose the audience: visibility stays the config'"'"'s' '
	cd blog &&
	mkdir -p ../tpl &&
	cat >../tpl/own.json <<-\EOF &&
	{"status": "{{headline}} {{event.link}}", "visibility": "public", "in_reply_to_id": "1"}
	EOF
	git config herald.templateDir "$TRASH/tpl" &&
	git config herald.toot.template own.json &&
	post own "Own template" &&
	herald announce --now $NOW >../out 2>../err &&
	tail -n 1 ../m.log >../last.log &&
	python3 - ../last.log <<-\PY
	import json, sys
	b = json.loads(json.loads(open(sys.argv[1]).read())["body"])
	assert b == {"status": "New post: Own template https://blog.example.com/2020/03/01/own.html",
	             "visibility": "unlisted", "language": "de"}, b
	PY
	git config --unset herald.toot.template &&
	git config --unset herald.templateDir
'

test_expect_success 'config mistakes make the target unusable, each with its reason' '
	cd blog &&
	git config herald.v.kind mastodon && git config herald.v.url https://mastodon.example &&
	git config herald.v.tokenFile "$TRASH/token" && git config herald.v.visibility friends &&
	git config herald.l.kind mastodon && git config herald.l.url https://mastodon.example &&
	git config herald.l.tokenFile "$TRASH/token" && git config herald.l.language english &&
	git config herald.p.kind mastodon && git config herald.p.url https://mastodon.example/api/v1/statuses &&
	git config herald.p.tokenFile "$TRASH/token" &&
	git config herald.n.kind mastodon && git config herald.n.url https://mastodon.example &&
	test_expect_code 1 herald targets >../bad.out 2>&1 &&
	cat ../bad.out &&
	grep "unusable: herald.v.visibility is .friends.; it is public, unlisted, private or direct" ../bad.out &&
	grep "unusable: herald.l.language is .english., not an ISO 639 code" ../bad.out &&
	grep "unusable: a mastodon url is the instance.s address alone" ../bad.out &&
	grep "unusable: mastodon needs an access token (herald.n.tokenFile or tokenEnv)" ../bad.out &&
	git config herald.l.language pt-BR && git config herald.v.visibility direct &&
	herald targets v l >../ok.out 2>&1 &&
	! grep unusable ../ok.out &&
	for s in v l p n; do git config --remove-section herald.$s || return 1; done
'

test_expect_success 'a target from HERALD_TARGET_* variables (CI) takes visibility and language' '
	cd blog &&
	HERALD_TARGET_CI_TOOT_KIND=mastodon HERALD_TARGET_CI_TOOT_URL=https://mastodon.example \
	HERALD_TARGET_CI_TOOT_TOKEN=$TOKEN HERALD_TARGET_CI_TOOT_VISIBILITY=private \
	HERALD_TARGET_CI_TOOT_LANGUAGE=fr herald targets ci-toot >../ci.out 2>&1 &&
	grep "statuses private, language fr" ../ci.out &&
	! grep "$TOKEN" ../ci.out &&
	HERALD_TARGET_CI_TOOT_KIND=mastodon HERALD_TARGET_CI_TOOT_URL=https://mastodon.example \
	HERALD_TARGET_CI_TOOT_TOKEN=$TOKEN HERALD_TARGET_CI_TOOT_VISIBILITY=everyone \
	test_expect_code 1 herald targets ci-toot >../ci.out 2>&1 &&
	grep "unusable: herald.ci-toot.visibility is .everyone." ../ci.out
'

test_expect_success 'the token comes from tokenEnv as well' '
	cd blog &&
	git config --unset herald.toot.tokenFile &&
	git config herald.toot.tokenEnv HERALD_TEST_MASTODON &&
	post env "From the environment" &&
	HERALD_TEST_MASTODON=$TOKEN herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	tail -n 1 ../m.log | grep -F "\"authorization\": \"Bearer $TOKEN\"" &&
	git config --unset herald.toot.tokenEnv &&
	git config herald.toot.tokenFile "$TRASH/token"
'

test_expect_success 'a wrong token is a 401: dead at once, said without the token' '
	cd blog &&
	printf "wrong-token-SECRET\n" >../token2 && chmod 600 ../token2 &&
	git config herald.toot.tokenFile "$TRASH/token2" &&
	post wrong "Wrong token" &&
	herald announce --now $NOW >../out 2>../err &&
	grep " 401 *dead: HTTP 401 from http://127.0.0.1: The access token is invalid" ../out &&
	herald outbox list >../list.out &&
	grep "dead (1)" ../list.out &&
	id=$(sed -n "s/^  \(msg_[a-z0-9]*\) .*/\1/p" ../list.out | head -1) &&
	herald outbox show "$id" >../show.out &&
	{ herald status >../status.out 2>&1 || true; } &&
	{ herald status --json >../status.json 2>&1 || true; } &&
	grep "toot" ../status.out &&
	! grep -e "$TOKEN" -e wrong-token-SECRET ../out ../err ../list.out ../show.out ../status.out ../status.json ../targets.out &&
	! grep -r -e "$TOKEN" -e wrong-token-SECRET .git/herald &&
	git config herald.toot.tokenFile "$TRASH/token" &&
	herald outbox retry "$id" && herald deliver >../out 2>../err &&
	grep "1 delivered" ../err
'

test_done
