#!/bin/sh
# kind = email against a real SMTP server (Debian's aiosmtpd, run by
# /usr/bin/python3) on 127.0.0.1: STARTTLS with a throwaway certificate
# trusted through caFile, AUTH after TLS, smtps://, the message parsed with
# Python's email package (both parts, every header, a non-ASCII title and a
# header injection attempt), a 4xx retried under the same Message-ID, 5xx
# and refused recipients dead, plain SMTP only to loopback with allowHttp,
# the admin's templates, batches, and no secret in any output.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/smtp-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_smtp "${p%.pid}"; done' EXIT

if ! have_aiosmtpd || ! command -v openssl >/dev/null; then
	test_skip 'email through a real SMTP server' 'no python3-aiosmtpd or openssl (make deps)'
	test_done
fi

# post N TITLE: a new post, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"%s\"\ndate: 2020-03-%02d\ntags: [t%s]\n---\nThe *body* of post %s.\n" \
		"$2" "$1" "$1" "$1" >"_posts/2020-03-$(printf %02d "$1")-post-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh server answering as ARGS say (in the trash
# folder), the target pointed at it; ends in blog/
restart() {
	cd "$TRASH" && stop_smtp s && start_smtp s --cert cert.pem --key key.pem "$@" &&
	cd "$TRASH/blog" && git config herald.mail.url "smtp://127.0.0.1:$smtp_port"
}

# summary N: message N the server accepted, parsed with Python's email
# package, as JSON
summary() {
	python3 - "$TRASH/s.d/$1.eml" "$TRASH/s.d/$1.json" <<-\PY
	import email, json, sys
	from email import policy
	raw = open(sys.argv[1], "rb").read()
	msg = email.message_from_bytes(raw, policy=policy.default)
	head = raw.split(b"\r\n\r\n", 1)[0]
	out = {
	    "type": msg.get_content_type(),
	    "parts": [p.get_content_type() for p in msg.iter_parts()],
	    "subject": str(msg["Subject"]), "from": str(msg["From"]), "to": str(msg["To"]),
	    "message_id": str(msg["Message-ID"]), "date": str(msg["Date"]),
	    "unsub": str(msg["List-Unsubscribe"]), "unsub_post": str(msg["List-Unsubscribe-Post"]),
	    "mime": str(msg["MIME-Version"]),
	    "headers": sorted(k.lower() for k in msg.keys()),
	    "text": msg.get_body(("plain",)).get_content(),
	    "html": msg.get_body(("html",)).get_content(),
	    "head_ascii": all(b < 128 for b in head),
	    "defects": [str(d) for d in msg.defects],
	    "envelope": json.load(open(sys.argv[2])),
	}
	print(json.dumps(out, ensure_ascii=False))
	PY
}

field() {
	json_get "$1"
}

test_expect_success 'setup: a certificate, a server with STARTTLS and AUTH, a blog with an email target' '
	make_cert &&
	printf "alice\n" >user && printf "s3cret-pw\n" >password && chmod 600 user password &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	commit_all "site" &&
	git config herald.mail.kind email &&
	git config herald.mail.from blog@example.com &&
	git config herald.mail.to "a@example.com, b@example.com" &&
	git config --add herald.mail.to c@example.com &&
	git config herald.mail.userFile "$TRASH/user" &&
	git config herald.mail.passwordFile "$TRASH/password" &&
	git config herald.mail.caFile "$TRASH/cert.pem" &&
	git config herald.mail.listUnsubscribe https://blog.example.com/unsubscribe &&
	git config --add herald.mail.listUnsubscribe mailto:leave@example.com &&
	restart --auth alice:s3cret-pw
'

test_expect_success 'herald targets lists the target without its secrets' '
	cd "$TRASH/blog" &&
	herald targets >$TRASH/targets.out &&
	cat $TRASH/targets.out &&
	grep "^mail  *email  *smtp://127.0.0.1  *new undrafted$" $TRASH/targets.out &&
	grep "templates email-subject.txt, email.txt, email.html: built-in" $TRASH/targets.out &&
	! grep -e s3cret -e alice -e "$(cat "$TRASH/s.port")" "$TRASH/targets.out"
'

test_expect_success 'a new post is one message: STARTTLS, AUTH, three recipients' '
	cd "$TRASH/blog" &&
	post 1 "Café\\r\\nBcc: x@evil" &&
	herald announce --now $NOW >$TRASH/announce.out 2>&1 &&
	cat $TRASH/announce.out &&
	test "$(mails $TRASH/s.d)" = 1 &&
	summary 1 >$TRASH/m1.json &&
	cat $TRASH/m1.json &&
	test "$(field .envelope.tls <$TRASH/m1.json)" = true &&
	test "$(field .envelope.auth <$TRASH/m1.json)" = true &&
	test "$(field .envelope.login <$TRASH/m1.json)" = alice &&
	test "$(field .envelope.mail_from <$TRASH/m1.json)" = blog@example.com &&
	test "$(field .envelope.rcpt_tos <$TRASH/m1.json)" = "[\"a@example.com\", \"b@example.com\", \"c@example.com\"]"
'

test_expect_success 'the message: multipart/alternative, both parts, every header' '
	python3 - "$TRASH/m1.json" <<-\PY
	import json, re, sys, time
	from email.utils import parsedate_to_datetime
	m = json.load(open(sys.argv[1]))
	assert m["type"] == "multipart/alternative", m["type"]
	assert m["parts"] == ["text/plain", "text/html"], m["parts"]
	assert m["defects"] == [], m["defects"]
	assert m["from"] == "blog@example.com"
	assert m["to"] == "a@example.com, b@example.com, c@example.com", m["to"]
	assert re.fullmatch(r"<msg_[a-z0-9]+@example\.com>", m["message_id"]), m["message_id"]
	# when it was queued: a moment ago
	assert abs(parsedate_to_datetime(m["date"]).timestamp() - time.time()) < 600, m["date"]
	assert m["date"].endswith(" +0000"), m["date"]
	assert m["mime"] == "1.0"
	assert m["unsub"] == "<https://blog.example.com/unsubscribe>, <mailto:leave@example.com>", m["unsub"]
	assert m["unsub_post"] == "List-Unsubscribe=One-Click"
	t, h = m["text"], m["html"]
	assert "Café Bcc: x@evil" in t and "The body of post 1." in t, t
	assert "Read it: https://blog.example.com/2020/03/01/post-1/" in t, t
	assert "Café Bcc: x@evil" in h and "The <em>body</em> of post 1." in h, h
	assert "href=\"https://blog.example.com/2020/03/01/post-1/\"" in h, h
	PY
'

test_expect_success 'the title cannot add a header: Subject is encoded, no Bcc' '
	python3 - "$TRASH/m1.json" "$TRASH/s.d/1.eml" <<-\PY
	import json, sys
	m = json.load(open(sys.argv[1]))
	assert m["subject"] == "[Test Blog] New post: Café Bcc: x@evil", m["subject"]
	assert "bcc" not in m["headers"], m["headers"]
	assert m["head_ascii"], "raw headers are ASCII"
	raw = open(sys.argv[2], "rb").read().split(b"\r\n\r\n", 1)[0]
	subj = [l for l in raw.split(b"\r\n") if l.lower().startswith(b"subject:")]
	assert len(subj) == 1 and b"=?UTF-8?B?" in subj[0], raw
	assert not any(l.lower().startswith(b"bcc") for l in raw.split(b"\r\n"))
	PY
'

test_expect_success 'no secret in any output or file herald wrote' '
	cd "$TRASH/blog" &&
	herald outbox >$TRASH/outbox.out 2>&1 &&
	herald status >$TRASH/status.out 2>&1 || true &&
	! grep -r -e s3cret-pw -e alice $TRASH/announce.out $TRASH/outbox.out $TRASH/status.out .git/herald
'

test_expect_success 'a 4xx is retried later under the same Message-ID' '
	restart --auth alice:s3cret-pw --fail-data 451:1 &&
	post 2 "Second post" &&
	herald announce --now $NOW >$TRASH/a2.out 2>&1 &&
	cat $TRASH/a2.out $TRASH/s.d/log &&
	grep "451  retry in" $TRASH/a2.out &&
	test "$(mails $TRASH/s.d)" = 0 &&
	herald deliver --all >$TRASH/d2.out 2>&1 &&
	cat $TRASH/d2.out $TRASH/s.d/log &&
	grep "250  delivered" $TRASH/d2.out &&
	test "$(mails $TRASH/s.d)" = 1 &&
	refused=$(sed -n "s/^data 451 //p" $TRASH/s.d/log) &&
	summary 1 >$TRASH/m2.json &&
	test -n "$refused" &&
	test "$(field .message_id <$TRASH/m2.json)" = "$refused" &&
	test "$(field .subject <$TRASH/m2.json)" = "[Test Blog] New post: Second post"
'

test_expect_success 'a 5xx is dead at once, and says what the server said' '
	restart --auth alice:s3cret-pw --fail-data 554:9 &&
	post 3 "Third post" &&
	herald announce --now $NOW >$TRASH/a3.out 2>&1;
	cat $TRASH/a3.out &&
	grep "554  dead: SMTP 554 from smtp://127.0.0.1: 554 5.3.0 try that again" $TRASH/a3.out &&
	herald outbox >$TRASH/o3.out &&
	grep "^dead (1)" $TRASH/o3.out &&
	test "$(mails $TRASH/s.d)" = 0
'

test_expect_success 'a refused recipient fails the whole message (none sent, so a retry cannot mail twice)' '
	restart --auth alice:s3cret-pw --refuse-rcpt b@ &&
	post 4 "Fourth post" &&
	herald announce --now $NOW >$TRASH/a4.out 2>&1;
	cat $TRASH/a4.out $TRASH/s.d/log &&
	grep "550  dead: SMTP 550" $TRASH/a4.out &&
	test "$(mails $TRASH/s.d)" = 0
'

test_expect_success 'a wrong password is dead, and the password is not shown' '
	restart --auth alice:s3cret-pw &&
	printf "wrong-pw\n" >"$TRASH/password" &&
	post 5 "Fifth post" &&
	herald announce --now $NOW >$TRASH/a5.out 2>&1;
	cat $TRASH/a5.out &&
	grep "535  dead: SMTP 535" $TRASH/a5.out &&
	! grep -e wrong-pw -e s3cret $TRASH/a5.out &&
	test "$(mails $TRASH/s.d)" = 0 &&
	printf "s3cret-pw\n" >$TRASH/password
'

test_expect_success 'a certificate nobody trusts: not sent, retried later' '
	restart --auth alice:s3cret-pw &&
	git config --unset herald.mail.caFile &&
	post 6 "Sixth post" &&
	herald announce --now $NOW >$TRASH/a6.out 2>&1;
	cat $TRASH/a6.out &&
	grep "retry in" $TRASH/a6.out &&
	test "$(mails $TRASH/s.d)" = 0 &&
	git config herald.mail.caFile "$TRASH/cert.pem" &&
	herald deliver --all >$TRASH/d6.out 2>&1 &&
	grep "250  delivered" $TRASH/d6.out &&
	test "$(mails $TRASH/s.d)" = 1
'

test_expect_success 'smtps:// (TLS from the first byte)' '
	restart --auth alice:s3cret-pw --smtps &&
	git config herald.mail.url "smtps://127.0.0.1:$smtp_port" &&
	post 7 "Seventh post" &&
	herald announce --now $NOW >$TRASH/a7.out 2>&1 &&
	cat $TRASH/a7.out &&
	test "$(mails $TRASH/s.d)" = 1 &&
	summary 1 >$TRASH/m7.json &&
	test "$(field .envelope.tls <$TRASH/m7.json)" = true &&
	test "$(field .subject <$TRASH/m7.json)" = "[Test Blog] New post: Seventh post"
'

test_expect_success 'smtp:// to a server without STARTTLS is refused without allowHttp, even on loopback' '
	restart --plain &&
	git config --unset herald.mail.userFile &&
	git config --unset herald.mail.passwordFile &&
	post 8 "Eighth post" &&
	herald announce --now $NOW >$TRASH/a8.out 2>&1;
	cat $TRASH/a8.out &&
	grep "retry in" $TRASH/a8.out &&
	grep "smtp://127.0.0.1 offers no STARTTLS, which herald requires" $TRASH/a8.out &&
	test "$(mails $TRASH/s.d)" = 0
'

test_expect_success 'allowHttp: plain SMTP to this machine' '
	cd "$TRASH/blog" &&
	git config herald.mail.allowHttp true &&
	herald deliver --all >$TRASH/d8.out 2>&1 &&
	cat $TRASH/d8.out &&
	grep "250  delivered" $TRASH/d8.out &&
	summary 1 >$TRASH/m8.json &&
	test "$(field .envelope.tls <$TRASH/m8.json)" = false
'

test_expect_success 'plain smtp:// to another machine is refused (allowHttp cannot turn STARTTLS off there)' '
	cd "$TRASH/blog" &&
	git config herald.far.kind email &&
	git config herald.far.url smtp://192.0.2.1 &&
	git config herald.far.from blog@example.com &&
	git config herald.far.to a@example.com &&
	git config herald.far.allowHttp true &&
	test_expect_code 1 herald targets far >$TRASH/far.out &&
	cat $TRASH/far.out &&
	grep "unusable: plain smtp to 192.0.2.1 is refused" $TRASH/far.out &&
	git config herald.far.url smtps://192.0.2.1 &&
	herald targets far &&
	git config herald.far.url smtp://192.0.2.1 &&
	git config --unset herald.far.allowHttp &&
	herald targets far
'

test_expect_success 'bad config: other schemes, addresses, lists and half a login are refused' '
	cd "$TRASH/blog" &&
	git config herald.far.url https://192.0.2.1 &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "smtp:// (STARTTLS) or smtps://, not https" $TRASH/bad.out &&
	git config herald.far.url smtp://u:p@192.0.2.1 &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "holds a user name" $TRASH/bad.out &&
	! grep ":p@" $TRASH/bad.out &&
	git config herald.far.url smtp://192.0.2.1 &&
	git config herald.far.to "Bob <b@example.com>" &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "is not a plain address" $TRASH/bad.out &&
	git config herald.far.to a@example.com &&
	git config herald.far.from "a@example.com, b@example.com" &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "is not one plain address" $TRASH/bad.out &&
	git config herald.far.from blog@example.com &&
	git config herald.far.listUnsubscribe "javascript:alert(1)" &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "listUnsubscribe" $TRASH/bad.out &&
	git config --unset herald.far.listUnsubscribe &&
	git config herald.far.userFile "$TRASH/user" &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "needs both a user" $TRASH/bad.out &&
	chmod 644 $TRASH/password && git config herald.far.passwordFile "$TRASH/password" &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "readable by others" $TRASH/bad.out &&
	chmod 600 $TRASH/password && herald targets far &&
	git config --unset herald.far.to &&
	test_expect_code 1 herald targets far >$TRASH/bad.out; grep "needs herald.far.to" $TRASH/bad.out &&
	git config --remove-section herald.far
'

test_expect_success 'a target from the environment (CI): every email key, the password from a variable' '
	cd "$TRASH/blog" &&
	restart --auth alice:s3cret-pw &&
	HERALD="$HERALD" SMTP_PW=s3cret-pw \
	HERALD_TARGET_ENVMAIL_KIND=email \
	HERALD_TARGET_ENVMAIL_URL="smtp://127.0.0.1:$(cat "$TRASH/s.port")" \
	HERALD_TARGET_ENVMAIL_FROM=ci@example.com \
	HERALD_TARGET_ENVMAIL_TO="x@example.com y@example.com" \
	HERALD_TARGET_ENVMAIL_USER=alice \
	HERALD_TARGET_ENVMAIL_PASSWORD_ENV=SMTP_PW \
	HERALD_TARGET_ENVMAIL_CA_FILE="$TRASH/cert.pem" \
	HERALD_TARGET_ENVMAIL_LIST_UNSUBSCRIBE=mailto:leave@example.com \
	HERALD_TARGET_ENVMAIL_EVENTS=new \
	sh -c "\"\$HERALD\" targets envmail && \"\$HERALD\" announce --now $NOW --force HEAD~1 HEAD" >"$TRASH/env.out" 2>&1 &&
	cat "$TRASH/env.out" &&
	! grep s3cret "$TRASH/env.out" &&
	grep "envmail  *email  *smtp://127.0.0.1  *new$" "$TRASH/env.out" &&
	n=$(mails "$TRASH/s.d") && test "$n" -ge 1 &&
	for i in $(seq 1 $n); do summary $i; done >"$TRASH/env.json" &&
	grep -q "\"to\": \"x@example.com, y@example.com\"" "$TRASH/env.json" &&
	grep -q "\"unsub\": \"<mailto:leave@example.com>\", \"unsub_post\": \"None\"" "$TRASH/env.json"
'

test_expect_success 'the admin'"'"'s templates from herald.templateDir win; the repository'"'"'s never' '
	cd "$TRASH/blog" &&
	mkdir -p $TRASH/tpl .herald/templates &&
	printf "Admin: {{event.title_text}}\n" >$TRASH/tpl/email-subject.txt &&
	printf "Pushed: {{event.title_text}}\n" >.herald/templates/email-subject.txt &&
	printf "PUSHED\n" >.herald/templates/email.txt &&
	git config herald.templateDir "$TRASH/tpl" &&
	restart --plain &&
	post 9 "Ninth post" &&
	herald announce --now $NOW >$TRASH/a9.out 2>&1 &&
	test "$(mails $TRASH/s.d)" = 1 &&
	summary 1 >$TRASH/m9.json &&
	test "$(field .subject <$TRASH/m9.json)" = "Admin: Ninth post" &&
	! grep PUSHED $TRASH/s.d/1.eml &&
	printf "{{#unclosed}}\n" >$TRASH/tpl/email.html &&
	test_expect_code 1 herald targets mail >$TRASH/broken.out &&
	cat $TRASH/broken.out &&
	grep "unusable: payload: .*email.html:1:1: .*unclosed" $TRASH/broken.out &&
	rm $TRASH/tpl/email.html &&
	git config --unset herald.templateDir
'

test_expect_success 'several posts in one push: one message each, or one listing them with batch' '
	restart --plain &&
	post 10 "Tenth post" && post 11 "Eleventh post" &&
	herald announce --now $NOW HEAD~2 HEAD >$TRASH/a10.out 2>&1 &&
	test "$(mails $TRASH/s.d)" = 2 &&
	git config herald.mail.batch true &&
	post 12 "Twelfth post" && post 13 "Thirteenth post" &&
	herald announce --now $NOW HEAD~2 HEAD >$TRASH/a12.out 2>&1 &&
	cat $TRASH/a12.out &&
	test "$(mails $TRASH/s.d)" = 3 &&
	summary 3 >$TRASH/m12.json &&
	test "$(field .subject <$TRASH/m12.json)" = "[Test Blog] 2 new posts" &&
	grep -q "Twelfth post" $TRASH/m12.json && grep -q "Thirteenth post" $TRASH/m12.json
'

test_done
