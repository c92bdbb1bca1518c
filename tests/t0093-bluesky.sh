#!/bin/sh
# kind = bluesky against a local PDS (tests/lib/pds.py) that answers as
# the XRPC endpoints do: a session by createSession kept for the run, an
# expired token refreshed (or a new session when the refresh token is
# dead too), each app.bsky.feed.post made by createRecord with its link
# facets at the right UTF-8 byte offsets and an external card, a 429 with
# RateLimit-Reset honoured, a 5xx retried under the same record key, an
# answer lost after the record was made counted as delivered without a
# second post, and neither the app password nor a token in any output or
# file.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N TITLE: a new post whose body has a link, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"%s\"\ndate: 2020-03-%02d\n---\nSee [the w\303\266rk](https://example.com/a_(b)?c=1) \342\200\224 @bob.bsky.social says hi.\n" \
		"$2" "$1" >"_posts/2020-03-$(printf %02d "$1")-post-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh PDS (ARGS: its --plan) and the target pointed at it; ends in blog/
restart() {
	cd "$TRASH" && stop_receiver pds && start_pds pds "$@" &&
	cd "$TRASH/blog" && git config herald.sky.url "$url"
}

# check_records LOG: every createRecord request is well-formed: bearer
# token of the session, JSON, the account's repo, a TID record key, and
# a record whose text is within the limits and whose facets slice out
# exactly their urls from the UTF-8 text
check_records() {
	python3 - "$1" "$PDS_DID" <<-\PY
	import json, re, sys
	n = 0
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    if not r["path"].endswith("/com.atproto.repo.createRecord"):
	        continue
	    n += 1
	    h = r["headers"]
	    assert r["method"] == "POST", r
	    assert re.fullmatch(r"Bearer acc-\d+\.A+", h.get("authorization", "")), h
	    assert h["content-type"] == "application/json", h
	    b = json.loads(r["body"])
	    assert set(b) == {"repo", "collection", "rkey", "record"}, b.keys()
	    assert b["repo"] == sys.argv[2] and b["collection"] == "app.bsky.feed.post"
	    assert re.fullmatch(r"[234567a-j][234567a-z]{12}", b["rkey"]), b["rkey"]
	    rec = b["record"]
	    assert rec["$type"] == "app.bsky.feed.post"
	    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rec["createdAt"])
	    text = rec["text"]
	    raw = text.encode("utf-8")
	    assert len(text) <= 300 and len(raw) <= 3000, len(text)
	    assert rec["facets"], rec
	    for f in rec["facets"]:
	        s, e = f["index"]["byteStart"], f["index"]["byteEnd"]
	        feat = f["features"][0]
	        assert feat["$type"] == "app.bsky.richtext.facet#link", feat
	        assert raw[s:e].decode("utf-8") == feat["uri"], (raw[s:e], feat)
	    ext = rec["embed"]["external"]
	    assert rec["embed"]["$type"] == "app.bsky.embed.external"
	    assert ext["uri"].startswith("https://blog.example.com/") and ext["title"], ext
	    assert "thumb" not in ext
	print(n)
	PY
}

# rkeys LOG: the record key of each createRecord request, in order
rkeys() {
	python3 - "$1" <<-\PY
	import json, sys
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    if r["path"].endswith("/com.atproto.repo.createRecord"):
	        print(json.loads(r["body"])["rkey"])
	PY
}

test_expect_success 'setup: a blog, a PDS, a bluesky target with an app password file' '
	start_pds pds &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 "$(printf "H\303\251llo \360\237\216\211 w\303\266rld")" &&
	printf "%s\n" "$PDS_PASSWORD" >../password && chmod 600 ../password &&
	git config herald.sky.kind bluesky &&
	git config herald.sky.url "$url" &&
	git config herald.sky.handle "$PDS_HANDLE" &&
	git config herald.sky.passwordFile "$TRASH/password" &&
	git config herald.sky.langs "en"
'

test_expect_success 'targets lists it with the PDS as scheme and host, no secret' '
	cd blog &&
	herald targets >../targets.out &&
	grep "^sky  *bluesky  *http://127.0.0.1  *new undrafted" ../targets.out &&
	! grep -e "$PDS_PASSWORD" -e password ../targets.out
'

test_expect_success 'announce: one session, then one post with facets and a card' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "POST com.atproto.server.createSession 200\nPOST com.atproto.repo.createRecord 200\n" >../want &&
	test_cmp ../want ../calls &&
	test "$(check_records ../pds.log)" = 1 &&
	python3 - ../pds.log "$PDS_HANDLE" "$PDS_PASSWORD" <<-\PY
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	s = reqs[0]
	assert s["method"] == "POST" and s["headers"]["content-type"] == "application/json"
	assert "authorization" not in s["headers"], s["headers"]
	assert json.loads(s["body"]) == {"identifier": sys.argv[2], "password": sys.argv[3]}
	rec = json.loads(reqs[1]["body"])["record"]
	t = rec["text"]
	assert t.startswith("New post: H\u00e9llo \U0001f389 w\u00f6rld\n\n"), t
	assert "@bob.bsky.social" in t and t.endswith("\n\nhttps://blog.example.com/2020/03/01/post-1/"), t
	uris = [f["features"][0]["uri"] for f in rec["facets"]]
	assert uris == ["https://example.com/a_(b)?c=1", "https://blog.example.com/2020/03/01/post-1/"], uris
	assert all(f["features"][0]["$type"].endswith("#link") for f in rec["facets"])
	assert rec["langs"] == ["en"], rec
	ext = rec["embed"]["external"]
	assert ext["uri"] == "https://blog.example.com/2020/03/01/post-1/"
	assert ext["title"] == "H\u00e9llo \U0001f389 w\u00f6rld", ext
	assert ext["description"].startswith("See the w\u00f6rk"), ext
	PY
'

test_expect_success 'the record key is derivable from the ledger line (ID, WHEN), for a later deleteRecord' '
	cd blog &&
	python3 - ../pds.records .git/herald/ledger <<-\PY
	import hashlib, json, sys
	recs = json.load(open(sys.argv[1], encoding="utf-8"))
	[line] = open(sys.argv[2], encoding="utf-8").read().splitlines()
	target, event, post, did, when = line.split("\t")
	assert (target, event) == ("sky", "new"), line
	h = int.from_bytes(hashlib.sha256(did.encode()).digest()[:8], "big")
	micros = (int(when) * 1000000 + h % 1000000) & ((1 << 53) - 1)
	v = (micros << 10) | ((h >> 20) & 0x3ff)
	tid = "".join("234567abcdefghijklmnopqrstuvwxyz"[(v >> (60 - 5 * i)) & 31] for i in range(13))
	assert list(recs) == [tid], (list(recs), tid)
	PY
'

test_expect_success 'two posts in one run share one session' '
	restart &&
	post 2 "Second" && post 3 "Third" &&
	herald announce --now $NOW HEAD~2 HEAD >../out 2>../err &&
	grep "2 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "POST com.atproto.server.createSession 200\nPOST com.atproto.repo.createRecord 200\nPOST com.atproto.repo.createRecord 200\n" >../want &&
	test_cmp ../want ../calls &&
	test "$(check_records ../pds.log)" = 2 &&
	test "$(rkeys ../pds.log | sort -u | wc -l)" = 2
'

test_expect_success 'an expired access token is refreshed, then the post is made' '
	restart --plan com.atproto.repo.createRecord=expired &&
	post 4 "Fourth" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 400" \
		"POST com.atproto.server.refreshSession 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls &&
	python3 - ../pds.log <<-\PY
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	assert reqs[2]["headers"]["authorization"].startswith("Bearer ref-1."), reqs[2]["headers"]
	assert reqs[2]["body"] == ""
	assert reqs[3]["headers"]["authorization"].startswith("Bearer acc-2."), reqs[3]["headers"]
	assert json.loads(reqs[1]["body"])["rkey"] == json.loads(reqs[3]["body"])["rkey"]
	PY
'

test_expect_success 'a 401 with a dead refresh token: a new session, then the post' '
	restart --plan com.atproto.repo.createRecord=401 --plan com.atproto.server.refreshSession=400 &&
	post 5 "Fifth" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 401" \
		"POST com.atproto.server.refreshSession 400" \
		"POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls
'

test_expect_success 'a 429 waits until RateLimit-Reset; the retry keeps the record key' '
	restart --plan com.atproto.repo.createRecord=429:3600 &&
	post 6 "Sixth" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 to retry" ../err &&
	python3 - .git/herald/outbox <<-\PY
	import glob, json, sys
	[f] = glob.glob(sys.argv[1] + "/*.json")
	e = json.load(open(f))
	wait = e["next_attempt"] - e["last_attempt"]
	assert 3500 <= wait <= 3700, wait
	assert e["last_status"] == 429, e
	PY
	herald deliver --all >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 429" \
		"POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls &&
	test "$(rkeys ../pds.log | sort -u | wc -l)" = 1
'

test_expect_success 'a 5xx is retried under the same record key' '
	restart --plan com.atproto.repo.createRecord=503 &&
	post 7 "Seventh" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 to retry" ../err &&
	herald deliver --all >../out 2>../err &&
	grep "1 delivered" ../err &&
	test "$(rkeys ../pds.log | wc -l)" = 2 &&
	test "$(rkeys ../pds.log | sort -u | wc -l)" = 1 &&
	test "$(python3 -c "import json; print(len(json.load(open(\"../pds.records\"))))")" = 1
'

test_expect_success 'an answer lost after the record was made: the retry finds it, no second post' '
	restart --plan com.atproto.repo.createRecord=lost &&
	post 8 "Eighth" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 to retry" ../err &&
	test "$(python3 -c "import json; print(len(json.load(open(\"../pds.records\"))))")" = 1 &&
	herald deliver --all >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 502" \
		"POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.createRecord 400" \
		"GET com.atproto.repo.getRecord 200" >../want &&
	test_cmp ../want ../calls &&
	test "$(rkeys ../pds.log | sort -u | wc -l)" = 1 &&
	test "$(python3 -c "import json; print(len(json.load(open(\"../pds.records\"))))")" = 1 &&
	herald outbox >../outbox.out &&
	grep "pending (0)" ../outbox.out &&
	python3 - ../pds.log "$PDS_DID" <<-\PY
	import json, sys, urllib.parse
	r = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")][-1]
	q = urllib.parse.parse_qs(r["query"])
	assert q["repo"] == [sys.argv[2]] and q["collection"] == ["app.bsky.feed.post"], q
	assert r["headers"]["authorization"].startswith("Bearer acc-")
	PY
'

test_expect_success 'a wrong app password: one createSession 401 for the run, the entries go dead, said plainly' '
	restart &&
	printf "wrong-password\n" >../password &&
	post 9 "Ninth" && post 10 "Tenth" &&
	test_expect_code 0 herald announce --now $NOW HEAD~2 HEAD >../out 2>../err &&
	grep "2 dead" ../err &&
	test "$(grep -c "createSession: HTTP 401 from http://127.0.0.1 (AuthenticationRequired)" ../out)" = 2 &&
	grep "createSession: HTTP 401 from http://127.0.0.1 (AuthenticationRequired)" ../out &&
	calls ../pds.log >../calls &&
	printf "POST com.atproto.server.createSession 401\n" >../want &&
	test_cmp ../want ../calls &&
	printf "%s\n" "$PDS_PASSWORD" >../password
'

test_expect_success 'neither the password nor a token is in any output or file herald wrote' '
	cd blog &&
	herald outbox >../o1 2>&1 &&
	herald status >../o2 2>&1 &&
	herald targets >../o3 2>&1 &&
	herald outbox show "$(ls .git/herald/dead | sed -n "1s/\.json$//p")" >../o4 2>&1 || true &&
	for f in ../out ../err ../o1 ../o2 ../o3 ../o4; do
		! grep -e "$PDS_PASSWORD" -e "acc-[0-9]" -e "ref-[0-9]" "$f" || return 1
	done &&
	! grep -r -e "$PDS_PASSWORD" -e "acc-[0-9]" -e "ref-[0-9]" .git/herald
'

test_done
