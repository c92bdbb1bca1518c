#!/bin/sh
# The queued body of an email delivery is the contract with whatever queues
# mail (announce, the scheduled digest): {"subject", "text", "html"}. An
# entry written by another producer is sent as it says, its subject still
# one encoded line, recipients and headers only from config; a body that
# is not that shape is dead, not sent.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/smtp-lib.sh"

trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_smtp "${p%.pid}"; done' EXIT

if ! have_aiosmtpd || ! command -v openssl >/dev/null; then
	test_skip 'queued email bodies' 'no python3-aiosmtpd or openssl (make deps)'
	test_done
fi

# queue ID BODY: a pending entry for target "mail", as a producer writes it
queue() {
	python3 - "$TRASH/blog/.git/herald/outbox" "$1" "$2" <<-\PY
	import json, os, sys
	d, id, body = sys.argv[1:4]
	os.makedirs(d, exist_ok=True)
	e = {"version": 1, "id": id, "target": "mail", "event": "digest", "post": None,
	     "title": "Weekly digest", "body": body, "content_type": "application/json",
	     "method": "SMTP", "url_suffix": None, "created": 1796169600, "next_attempt": 1796169600,
	     "last_attempt": 0, "attempts": 0, "last_status": 0, "last_error": None, "response": None}
	json.dump(e, open(os.path.join(d, id + ".json"), "w"))
	PY
}

test_expect_success 'setup: a server with STARTTLS, a repository with an email target' '
	make_cert &&
	start_smtp s --cert cert.pem --key key.pem &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\n" >.herald.yml && commit_all site &&
	git config herald.mail.kind email &&
	git config herald.mail.url "smtp://localhost:$smtp_port" &&
	git config herald.mail.from news@example.org &&
	git config herald.mail.to reader@example.com &&
	git config herald.mail.caFile "$TRASH/cert.pem" &&
	herald outbox >/dev/null
'

test_expect_success 'a queued {subject, text, html} is sent as it says, headers from config' '
	cd blog &&
	queue msg_digest_w48 "{\"subject\":\"Woche 48 \\u2014 digest\\r\\nBcc: evil@example.net $(printf "\\\\u00e9%.0s" $(seq 60))\",\"text\":\"Three posts.\\n.\\nThe end.\",\"html\":\"<h1>Three posts</h1>\",\"to\":\"evil@example.net\"}" &&
	herald deliver >../d1.out 2>&1 &&
	cat ../d1.out &&
	grep "250  delivered" ../d1.out &&
	test "$(mails ../s.d)" = 1 &&
	python3 - ../s.d/1.eml ../s.d/1.json <<-\PY
	import email, json, sys
	from email import policy
	from email.utils import parsedate_to_datetime
	raw = open(sys.argv[1], "rb").read()
	m = email.message_from_bytes(raw, policy=policy.default)
	env = json.load(open(sys.argv[2]))
	assert env["rcpt_tos"] == ["reader@example.com"], env
	assert str(m["To"]) == "reader@example.com" and "bcc" not in [k.lower() for k in m.keys()]
	assert str(m["Subject"]) == "Woche 48 \u2014 digest Bcc: evil@example.net " + "\u00e9" * 60, str(m["Subject"])
	head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
	subject = head[head.index("Subject:"):].split("\r\nMessage-ID:")[0]
	assert subject.count("\r\n ") >= 2 and max(len(l) for l in subject.split("\r\n")) <= 76, subject
	assert str(m["Message-ID"]) == "<msg_digest_w48@example.org>", str(m["Message-ID"])
	assert parsedate_to_datetime(str(m["Date"])).isoformat() == "2026-12-02T00:00:00+00:00"
	assert m.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Three posts.\n.\nThe end.\n" or \
	    m.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Three posts.\n.\nThe end.", \
	    repr(m.get_body(("plain",)).get_content())
	assert "<h1>Three posts</h1>" in m.get_body(("html",)).get_content()
	PY
'

test_expect_success 'a body that is not {subject, text, html} is dead, not sent' '
	cd blog &&
	queue msg_bad_body "{\"text\":\"no subject\"}" &&
	herald deliver >../d2.out 2>&1;
	cat ../d2.out &&
	grep "dead: the queued email body is not" ../d2.out &&
	test "$(mails ../s.d)" = 1
'

test_done
