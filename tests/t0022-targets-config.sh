#!/bin/sh
# Where target urls and secrets come from (git config, files, environment),
# what makes a target unusable, secret rotation, Discord's retry_after and
# a payload template from the admin's herald.templateDir.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
S1=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
S2=whsec_c2Vjb25kIHNlY3JldCBmb3Igcm90YXRpb24=
trap 'stop_receiver r' EXIT

post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: Post %s\n---\nBody %s.\n" "$1" "$1" >"_posts/2020-03-$1-p.md" &&
	commit_all "post $1"
}

test_expect_success 'setup' '
	start_receiver r --respond 200 &&
	echo "$url" >url &&
	git init -q blog && cd blog && post 10
'

test_expect_success 'urlFile must not be readable by others' '
	cd blog &&
	echo "$(cat ../url)/from-file/SECRETPATH" >../hook.url &&
	chmod 644 ../hook.url &&
	git config herald.f.kind webhook &&
	git config herald.f.urlFile "$TRASH/hook.url" &&
	test_expect_code 1 herald targets >../t.out &&
	grep "readable by others; chmod 600" ../t.out &&
	chmod 600 ../hook.url &&
	herald targets >../t.out &&
	! grep -e SECRETPATH -e unusable ../t.out
'

test_expect_success 'urlEnv reads the environment; unset it is a clear problem' '
	cd blog &&
	git config herald.e.kind webhook &&
	git config herald.e.urlEnv HERALD_TEST_URL &&
	test_expect_code 1 herald targets >../t.out &&
	grep "HERALD_TEST_URL.*not set" ../t.out &&
	HERALD_TEST_URL="$(cat ../url)/from-env/SECRETPATH" herald targets >../t.out &&
	! grep unusable ../t.out
'

test_expect_success 'announce reaches both, and signs with every secret (rotation)' '
	cd blog &&
	git config herald.f.secret "$S1" &&
	git config --add herald.f.secret "$S2" &&
	HERALD_TEST_URL="$(cat ../url)/from-env/SECRETPATH" herald announce --now $NOW >../out 2>../err &&
	test $(wc -l <../r.log) = 2 &&
	python3 - ../r.log "$S1" "$S2" <<-\PY
	import base64, hashlib, hmac, json, sys
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if not r["path"].startswith("/from-file/"):
	        assert "webhook-signature" not in r["headers"]
	        continue
	    h = r["headers"]
	    sigs = h["webhook-signature"].split(" ")
	    assert len(sigs) == 2, sigs
	    for s in sys.argv[2:]:
	        key = base64.b64decode(s.split("_", 1)[1])
	        mac = hmac.new(key, (h["webhook-id"] + "." + h["webhook-timestamp"] + "." + r["body"]).encode(), hashlib.sha256)
	        assert "v1," + base64.b64encode(mac.digest()).decode() in sigs
	PY
'

test_expect_success 'a secretFile readable by others makes the target unusable' '
	cd blog &&
	printf "%s\n" "$S1" >../secret &&
	chmod 640 ../secret &&
	git config herald.g.kind webhook &&
	git config herald.g.url "$(cat ../url)/g" &&
	git config herald.g.secretFile "$TRASH/secret" &&
	test_expect_code 1 herald targets >../t.out &&
	grep "secretFile.*readable by others" ../t.out &&
	! grep "$S1" ../t.out &&
	git config --remove-section herald.g
'

test_expect_success 'unknown kinds, event types and schemes are named' '
	cd blog &&
	git config herald.x.kind pigeon &&
	git config herald.x.url "$(cat ../url)/x" &&
	git config herald.y.kind slack &&
	git config herald.y.url "ftp://example.com/y" &&
	git config herald.y.events "new sideways" &&
	test_expect_code 1 herald targets >../t.out &&
	grep "unknown kind .pigeon." ../t.out &&
	grep "events: .sideways. is not an event type" ../t.out &&
	git config herald.y.events new &&
	test_expect_code 1 herald targets >../t.out &&
	grep "only http and https urls are allowed, not ftp" ../t.out &&
	herald announce --dry-run --now $NOW >../out 2>../err &&
	grep "target .x. is skipped" ../err &&
	git config --remove-section herald.x &&
	git config --remove-section herald.y
'

test_expect_success 'a 429 whose wait is in a Discord-style JSON body' '
	cd blog &&
	git config --remove-section herald.e &&
	(cd "$TRASH" && stop_receiver r && start_receiver r --respond discord429:3600) &&
	echo "$(cat ../r.port)" >/dev/null &&
	echo "http://127.0.0.1:$(cat ../r.port)/from-file/SECRETPATH" >../hook.url &&
	post 11 &&
	herald announce --now $NOW >../out 2>../err &&
	grep " 429 *retry in 60m" ../out
'

test_expect_success 'a payload template of the admin'"'"'s folder, named in git config' '
	cd blog &&
	(cd "$TRASH" && stop_receiver r && start_receiver r --respond 200) &&
	git config herald.c.kind slack &&
	git config herald.c.url "http://127.0.0.1:$(cat ../r.port)/custom" &&
	git config herald.c.template custom.json &&
	mkdir -p ../admin .herald/templates &&
	git config herald.templateDir "$TRASH/admin" &&
	printf "{\"text\": \"{{#events}}{{title}} <{{url_or_path}}>{{/events}}\"}\n" >../admin/custom.json &&
	echo "{\"text\": \"from the repository\"}" >.herald/templates/custom.json &&
	git add .herald && post 12 &&
	herald announce --now $NOW >../out 2>../err &&
	grep "\"/custom\"" ../r.log &&
	python3 -c "
import json
for line in open(\"../r.log\"):
    r = json.loads(line)
    if r[\"path\"] == \"/custom\":
        assert json.loads(r[\"body\"]) == {\"text\": \"Post 12 <_posts/2020-03-12-p.md>\"}, r[\"body\"]
"
'

test_expect_success 'no output holds a secret or a url path' '
	! grep -e SECRETPATH -e "$S1" -e "$S2" ../*.out ../out ../err 2>/dev/null
'

test_done
