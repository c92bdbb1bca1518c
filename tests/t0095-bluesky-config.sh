#!/bin/sh
# kind = bluesky's config, only from the server's git config or
# environment: the handle and an app password from passwordFile (owner and
# mode checked) or passwordEnv are required, the PDS defaults to
# https://bsky.social, langs are checked, HERALD_TARGET_* variables make a
# target too, and `herald targets` shows none of the secrets.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

test_expect_success 'setup: a blog with one post' '
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	mkdir _posts &&
	printf -- "---\ntitle: One\ndate: 2020-03-01\n---\nBody.\n" >_posts/2020-03-01-one.md &&
	commit_all "one" &&
	printf "%s\n" "$PDS_PASSWORD" >../password && chmod 600 ../password
'

test_expect_success 'without a handle the target is unusable, and says so' '
	cd blog &&
	git config herald.sky.kind bluesky &&
	test_expect_code 1 herald targets >../out &&
	grep "^sky  *bluesky  *https://bsky.social " ../out &&
	grep "unusable: bluesky needs herald.sky.handle" ../out
'

test_expect_success 'without an app password the target is unusable, and says so' '
	cd blog &&
	git config herald.sky.handle "$PDS_HANDLE" &&
	test_expect_code 1 herald targets >../out &&
	grep "unusable: bluesky needs an app password (herald.sky.passwordFile or passwordEnv)" ../out
'

test_expect_success 'a password file others can read is refused' '
	cd blog &&
	chmod 644 ../password &&
	git config herald.sky.passwordFile "$TRASH/password" &&
	test_expect_code 1 herald targets >../out &&
	grep "unusable: passwordFile .* is readable by others; chmod 600 it" ../out &&
	chmod 600 ../password &&
	herald targets >../out &&
	! grep unusable ../out &&
	! grep -e "$PDS_PASSWORD" ../out
'

test_expect_success 'passwordEnv names a variable that must be set' '
	cd blog &&
	git config --unset herald.sky.passwordFile &&
	git config herald.sky.passwordEnv SKY_PASSWORD &&
	test_expect_code 1 herald targets >../out &&
	grep "unusable: passwordEnv names the environment variable .SKY_PASSWORD., which is not set" ../out &&
	SKY_PASSWORD="$PDS_PASSWORD" herald targets >../out &&
	! grep unusable ../out &&
	! grep -e "$PDS_PASSWORD" ../out
'

test_expect_success 'langs must be at most 3 language tags' '
	cd blog &&
	git config herald.sky.langs "en de fr it" &&
	SKY_PASSWORD=x test_expect_code 1 herald targets >../out &&
	grep "unusable: langs must be at most 3 language tags" ../out &&
	git config herald.sky.langs "en; rm" &&
	SKY_PASSWORD=x test_expect_code 1 herald targets >../out &&
	grep "unusable: langs must be" ../out &&
	git config herald.sky.langs "pt-BR, en" &&
	SKY_PASSWORD=x herald targets >../out &&
	! grep unusable ../out
'

test_expect_success 'passwordEnv delivers: the session uses the variable, the langs go into the record' '
	start_pds pds &&
	cd blog &&
	git config herald.sky.url "$url" &&
	SKY_PASSWORD="$PDS_PASSWORD" herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "POST com.atproto.server.createSession 200\nPOST com.atproto.repo.createRecord 200\n" >../want &&
	test_cmp ../want ../calls &&
	python3 - ../pds.records <<-\PY
	import json, sys
	[rec] = json.load(open(sys.argv[1], encoding="utf-8")).values()
	assert rec["langs"] == ["pt-BR", "en"], rec
	PY
'

test_expect_success 'a target from HERALD_TARGET_* variables alone (CI secrets)' '
	url="http://127.0.0.1:$(cat pds.port)" &&
	git init -q ci && cd ci &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	mkdir _posts &&
	printf -- "---\ntitle: Two\ndate: 2020-03-02\n---\nBody.\n" >_posts/2020-03-02-two.md &&
	commit_all "two" &&
	HERALD_TARGET_CI_SKY_KIND=bluesky HERALD_TARGET_CI_SKY_URL="$url" \
	HERALD_TARGET_CI_SKY_HANDLE="$PDS_HANDLE" HERALD_TARGET_CI_SKY_PASSWORD_FILE="$TRASH/password" \
	HERALD_TARGET_CI_SKY_LANGS=de \
		herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	test "$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))))" ../pds.records)" = 2
'

test_expect_success 'a plain password key in git config is not read: secrets come from files or the environment' '
	cd blog &&
	git config --unset herald.sky.passwordEnv &&
	git config herald.sky.password "$PDS_PASSWORD" &&
	test_expect_code 1 herald targets >../out &&
	grep "unusable: bluesky needs an app password" ../out &&
	! grep -e "$PDS_PASSWORD" ../out
'

test_done
