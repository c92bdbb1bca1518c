#!/bin/sh
# A scheduled digest to an email target, end to end: `digest = weekly` on
# a target with `events = none`, herald tick --now on the server through a
# real SMTP server (Debian's aiosmtpd, STARTTLS with a throwaway
# certificate, AUTH after TLS), the message parsed with Python's email
# package: subject, both parts of the multipart/alternative, the week's
# published posts (not the draft, not the older post) in each (the text
# part plain text from email-digest.txt, not Markdown), a Message-ID from
# the delivery id, sent once: later ticks send nothing.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/smtp-lib.sh"

trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_smtp "${p%.pid}"; done' EXIT

if ! have_aiosmtpd || ! command -v openssl >/dev/null; then
	test_skip 'a digest through a real SMTP server' 'no python3-aiosmtpd or openssl (make deps)'
	test_done
fi

tick() {
	herald -C "$TRASH/server.git" tick --now "$1" >"$TRASH/out" 2>"$TRASH/err"
}

push_post() { # push_post PATH TITLE DATE BODY
	cd "$TRASH/blog" &&
	printf -- "---\ntitle: %s\ndate: %s\n---\n%s\n" "$2" "$3" "$4" | write_post "$1" &&
	commit_all "$2" &&
	git push -q origin main &&
	cd "$TRASH"
}

# message N: message N the server accepted, parsed with Python's email package, as JSON
message() {
	python3 - "$TRASH/s.d/$1.eml" "$TRASH/s.d/$1.json" <<-\PY
	import email, json, sys
	from email import policy
	raw = open(sys.argv[1], "rb").read()
	msg = email.message_from_bytes(raw, policy=policy.default)
	print(json.dumps({
	    "type": msg.get_content_type(),
	    "parts": [p.get_content_type() for p in msg.iter_parts()],
	    "subject": str(msg["Subject"]), "from": str(msg["From"]), "to": str(msg["To"]),
	    "message_id": str(msg["Message-ID"]), "date": str(msg["Date"]),
	    "text": msg.get_body(("plain",)).get_content(),
	    "html": msg.get_body(("html",)).get_content(),
	    "defects": [str(d) for d in msg.defects]
	               + [str(d) for p in msg.iter_parts() for d in p.defects],
	    "envelope": json.load(open(sys.argv[2])),
	}, ensure_ascii=False))
	PY
}

test_expect_success 'setup: a server with a weekly email digest, STARTTLS and AUTH' '
	make_cert &&
	printf "alice\n" >user && printf "s3cret-pw\n" >password && chmod 600 user password &&
	start_smtp s --cert cert.pem --key key.pem --auth alice:s3cret-pw &&
	git init -q --bare server.git &&
	git -C server.git config herald.news.kind email &&
	git -C server.git config herald.news.url "smtp://127.0.0.1:$smtp_port" &&
	git -C server.git config herald.news.from blog@example.com &&
	git -C server.git config herald.news.to "a@example.com, b@example.com" &&
	git -C server.git config herald.news.userFile "$TRASH/user" &&
	git -C server.git config herald.news.passwordFile "$TRASH/password" &&
	git -C server.git config herald.news.caFile "$TRASH/cert.pem" &&
	git -C server.git config herald.news.events none &&
	git -C server.git config herald.news.digest weekly &&
	git clone -q server.git blog 2>/dev/null &&
	(cd blog && printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	 printf -- "---\ntitle: Old\ndate: 2020-01-01\n---\nOld.\n" | write_post _posts/2020-01-01-old.md &&
	 commit_all "old" && git push -q origin main) &&
	herald -C server.git targets >out 2>err &&
	cat out err &&
	grep "^news  *email  *smtp://127.0.0.1 .*digest weekly" out &&
	! grep -i "unusable\|skipped\|problem" out err
'

test_expect_success 'the first tick starts counting and sends nothing' '
	tick 2026-11-30T10:00:00Z &&
	cat out err &&
	grep "digest to news: counting posts from now" out &&
	test "$(mails s.d)" = 0
'

test_expect_success 'posts over the week, a tick before the week is over: nothing yet' '
	push_post _posts/2026-12-01-alpha.md "Alpha & Omega" 2026-12-01 "The *first* post of the week, see [the docs](https://example.com/docs)." &&
	push_post _posts/2026-12-03-beta.md "Béta <b>bold</b>" "2026-12-03 08:00" "The second post." &&
	push_post _drafts/gamma.md Gamma 2026-12-04 "A draft." &&
	tick 2026-12-03T12:00:00Z &&
	test "$(mails s.d)" = 0
'

test_expect_success 'the week is over: one message with the week'"'"'s posts in both parts' '
	tick 2026-12-07T09:30:00Z &&
	cat out err &&
	grep "1 delivered" err &&
	test "$(mails s.d)" = 1 &&
	message 1 >m1.json &&
	cat m1.json &&
	python3 - m1.json <<-\PY
	import json, re, sys
	m = json.load(open(sys.argv[1]))
	assert m["envelope"]["tls"] is True and m["envelope"]["auth"] is True, m["envelope"]
	assert m["envelope"]["rcpt_tos"] == ["a@example.com", "b@example.com"], m["envelope"]
	assert m["type"] == "multipart/alternative", m["type"]
	assert m["parts"] == ["text/plain", "text/html"], m["parts"]
	assert m["defects"] == [], m["defects"]
	assert m["from"] == "blog@example.com" and m["to"] == "a@example.com, b@example.com", m
	assert re.fullmatch(r"<msg_[a-z0-9]+@example\.com>", m["message_id"]), m["message_id"]
	assert m["subject"] == "Test Blog: posts of the week of 30 November 2026", m["subject"]
	t, h = m["text"], m["html"]
	# the posts, newest first, with their links; not the draft, not the old post
	assert t.index("B\u00e9ta <b>bold</b>") < t.index("Alpha & Omega"), t
	assert "https://blog.example.com/2026/12/03/beta/" in t, t
	assert "https://blog.example.com/2026/12/01/alpha/" in t, t
	assert "Gamma" not in t and "Old" not in t, t
	# plain text, not Markdown: no escapes, links written out
	assert "\\" not in t and "](" not in t and "##" not in t, t
	assert "Read it: https://blog.example.com/2026/12/03/beta/" in t, t
	assert "The first post of the week, see the docs (https://example.com/docs)." in t, t
	assert "<em>first</em>" in h, h
	assert "B\u00e9ta &lt;b&gt;bold&lt;/b&gt;" in h and "<b>bold</b>" not in h, h
	assert "Alpha &amp; Omega" in h, h
	assert "href=\"https://blog.example.com/2026/12/03/beta/\"" in h, h
	assert "href=\"https://blog.example.com/2026/12/01/alpha/\"" in h, h
	assert "Gamma" not in h and ">Old<" not in h, h
	assert h.index("B\u00e9ta") < h.index("Alpha"), h
	PY
'

test_expect_success 'sent once: ticks later that week, and a week with no post, send nothing' '
	tick 2026-12-07T09:30:00Z &&
	tick 2026-12-09T12:00:00Z &&
	tick 2026-12-14T09:30:00Z &&
	test "$(mails s.d)" = 1 &&
	test "$(grep -c "^news	digest	/digest/" server.git/herald/ledger)" = 1
'

test_expect_success 'the next week'"'"'s post: the next tick after it sends one more' '
	push_post _posts/2026-12-15-delta.md Delta 2026-12-15 "Delta." &&
	tick 2026-12-21T09:30:00Z &&
	tick 2026-12-21T10:30:00Z &&
	test "$(mails s.d)" = 2 &&
	message 2 >m2.json &&
	python3 - m1.json m2.json <<-\PY
	import json, sys
	a, b = (json.load(open(p)) for p in sys.argv[1:])
	assert b["subject"] == "Test Blog: posts of the week of 14 December 2026", b["subject"]
	assert "Delta" in b["text"] and "Alpha" not in b["text"], b["text"]
	assert a["message_id"] != b["message_id"]
	PY
'

test_done
