#!/bin/sh
# kind = email through herald's git hooks on a real `git push` into a bare
# repository: a new post is one message at a real SMTP server (aiosmtpd,
# STARTTLS and AUTH), and nothing the pusher sees holds a secret.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/smtp-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_smtp "${p%.pid}"; done' EXIT

if ! have_aiosmtpd || ! command -v openssl >/dev/null; then
	test_skip 'email through a push' 'no python3-aiosmtpd or openssl (make deps)'
	test_done
fi

test_expect_success 'setup: a bare server with the hooks and an email target, a clone' '
	make_cert &&
	printf "alice\n" >user && printf "pw-never-shown\n" >password && chmod 600 user password &&
	start_smtp s --cert cert.pem --key key.pem --auth alice:pw-never-shown &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hookBudget 30 &&
	git -C server.git config herald.letters.kind email &&
	git -C server.git config herald.letters.url "smtp://127.0.0.1:$smtp_port" &&
	git -C server.git config herald.letters.from blog@example.com &&
	git -C server.git config herald.letters.to readers@example.com &&
	git -C server.git config herald.letters.userFile "$TRASH/user" &&
	git -C server.git config herald.letters.passwordFile "$TRASH/password" &&
	git -C server.git config herald.letters.caFile "$TRASH/cert.pem" &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	mkdir _posts &&
	printf -- "---\ntitle: First\ndate: 2020-03-01\n---\nOne.\n" >_posts/2020-03-01-first.md &&
	commit_all first &&
	push first origin main &&
	test "$(mails "$TRASH/s.d")" = 0
'

test_expect_success 'pushing a new post mails it once' '
	cd work &&
	printf -- "---\ntitle: Über den Push\ndate: 2020-03-02\n---\nThe *second* post.\n" >_posts/2020-03-02-second.md &&
	commit_all second &&
	push second origin main &&
	grep "announced \"Über den Push\" to letters" ../second.push &&
	test "$(mails "$TRASH/s.d")" = 1 &&
	python3 - "$TRASH/s.d/1.eml" "$TRASH/s.d/1.json" <<-\PY
	import email, json, sys
	from email import policy
	m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
	env = json.load(open(sys.argv[2]))
	assert env["tls"] and env["auth"] and env["rcpt_tos"] == ["readers@example.com"], env
	assert str(m["Subject"]) == "[Test Blog] New post: Über den Push", str(m["Subject"])
	assert m.get_content_type() == "multipart/alternative"
	assert "The second post." in m.get_body(("plain",)).get_content()
	assert "The <em>second</em> post." in m.get_body(("html",)).get_content()
	assert str(m["To"]) == "readers@example.com" and str(m["From"]) == "blog@example.com"
	PY
'

test_expect_success 'pushing again mails nothing more; the pusher saw no secret' '
	cd work &&
	echo "More." >>_posts/2020-03-02-second.md &&
	commit_all typo &&
	push typo origin main &&
	test "$(mails "$TRASH/s.d")" = 1 &&
	! grep -e pw-never-shown -e alice -e "$(cat ../s.port)" ../*.push &&
	herald -C "$SERVER" targets >../targets.out &&
	! grep -e pw-never-shown -e alice ../targets.out &&
	grep "^letters  *email  *smtp://127.0.0.1 " ../targets.out
'

test_done
