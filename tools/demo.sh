#!/bin/sh
# `make demo`: a sample blog from tests/demo/, a bare "server" repository
# with herald's hooks installed, a local receiver standing in for a chat
# room and a webhook, and three pushes — a new post, a draft published, a
# typo fixed — showing what the receiver got each time; then a local SMTP
# server (python3-aiosmtpd) and an email target, and the mail of one more
# post. No network, nothing to configure by hand.
set -eu
HERALD=${1:?usage: demo.sh /path/to/herald}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEMO="$SRC/tests/out/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
cd "$DEMO"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$DEMO/.gitconfig" TZ=UTC
export GIT_AUTHOR_NAME='Demo Author' GIT_AUTHOR_EMAIL='author@example.com'
export GIT_COMMITTER_NAME='Demo Author' GIT_COMMITTER_EMAIL='author@example.com'
export HERALD
git config --global init.defaultBranch main
git config --global advice.detachedHead false

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
commit() { GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"; }

# What the receiver got since the last call, one line per request.
seen=0
received() {
	python3 - "$DEMO/requests.jsonl" "$seen" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except FileNotFoundError:
    lines = []
new = lines[int(sys.argv[2]):]
if not new:
    print("   (the receiver got nothing)")
for line in new:
    r = json.loads(line)
    b = json.loads(r["body"])
    if "type" in b and "data" in b:
        what = "%s %r, signed %s" % (b["type"], b["data"]["title"], r["headers"].get("webhook-signature", "")[:14] + "…")
    else:
        what = (b.get("text") or "").replace("\n", " ")[:90]
    print("   %s %s  %s" % (r["method"], r["path"].split("/")[1], what))
PY
	if [ -f "$DEMO/requests.jsonl" ]; then seen=$(wc -l <"$DEMO/requests.jsonl"); fi
}

step "a local receiver stands in for Slack and a signed webhook"
python3 "$SRC/tests/lib/receiver.py" --port-file port --log requests.jsonl \
	--respond 200 --max-seconds 300 >receiver.log 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$(cat port)"
echo "   listening on $url"

step "the server: a bare repository with herald's hooks"
git init -q --bare server.git
git -C server.git config herald.chat.kind slack
git -C server.git config herald.chat.url "$url/slack/T000/B000/XXXX"
git -C server.git config herald.site.kind webhook
git -C server.git config herald.site.url "$url/webhook"
git -C server.git config herald.site.secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
"$HERALD" -C server.git install | sed 's/^/   /'
"$HERALD" -C server.git targets | sed 's/^/   /'

step "the blog: one post and a draft, pushed for the first time"
git clone -q server.git blog 2>/dev/null
cd blog
printf 'title: The Demo Blog\nbase_url: https://blog.example.com\npermalink: /:year/:month/:slug/\n' >.herald.yml
mkdir -p _posts _drafts
cp "$SRC/tests/demo/2026-11-02-hello-herald.md" _posts/
cp "$SRC/tests/demo/notes-on-backends.md" _drafts/
git add -A
commit '2026-11-02T09:00:00Z' 'Start the blog'
git push -q origin main 2>&1 | sed 's/^/   /'
received

step "1. push a new post"
cp "$SRC/tests/demo/2026-11-20-release-notes-from-git.md" _posts/
git add -A
commit '2026-11-20T09:00:00Z' 'Post: release notes from git'
git push -q origin main 2>&1 | sed 's/^/   /'
received

step "2. publish the draft (out of _drafts/, draft: true removed)"
sed -i '/^draft: true/d' _drafts/notes-on-backends.md
git mv _drafts/notes-on-backends.md _posts/2026-11-24-notes-on-building-backends.md
git add -A
commit '2026-11-24T09:00:00Z' 'Publish the backend notes'
git push -q origin main 2>&1 | sed 's/^/   /'
received

step "3. fix a typo: an update, which is not announced by default"
sed -i 's/everywere/everywhere/' _posts/2026-11-24-notes-on-building-backends.md
git add -A
commit '2026-11-25T09:00:00Z' 'Fix a typo'
git push -q origin main 2>&1 | sed 's/^/   /'
received
"$HERALD" -C ../server.git scan HEAD~1 --now 2026-11-26T00:00:00Z | sed 's/^/   /'

step "4. an email target: a local SMTP server, and the next post is mailed"
if /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null; then
	/usr/bin/python3 "$SRC/tests/lib/smtp.py" --port-file ../smtp.port --dir ../mail \
		--plain --max-seconds 300 >../smtp.log 2>&1 &
	smtpd=$!
	trap 'kill $receiver $smtpd 2>/dev/null' EXIT
	i=0
	while [ ! -s ../smtp.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	# plain SMTP only because the server is this machine (allowHttp);
	# anywhere else herald requires STARTTLS or smtps://
	git -C ../server.git config herald.letters.kind email
	git -C ../server.git config herald.letters.url "smtp://127.0.0.1:$(cat ../smtp.port)"
	git -C ../server.git config herald.letters.allowHttp true
	git -C ../server.git config herald.letters.from blog@example.com
	git -C ../server.git config herald.letters.to "ann@example.com, bo@example.com"
	git -C ../server.git config herald.letters.listUnsubscribe https://blog.example.com/unsubscribe
	printf -- '---\ntitle: "Caf\303\251 notes"\ndate: 2026-11-25\n---\nA *short* post, mailed as text and HTML.\n' \
		>_posts/2026-11-25-cafe-notes.md
	git add -A
	commit '2026-11-25T12:00:00Z' 'Post: cafe notes'
	git push -q origin main 2>&1 | sed 's/^/   /'
	received
	python3 - ../mail/1.eml <<'PY' || echo "   (no mail arrived)"
import email, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
for h in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe"):
    print("   %s: %s" % (h, m[h]))
print("   parts: " + ", ".join(p.get_content_type() for p in m.iter_parts()))
print("   text: " + m.get_body(("plain",)).get_content().splitlines()[0])
PY
else
	echo "   (skipped: python3-aiosmtpd is not installed; make deps installs it)"
fi

step "the digest of everything so far"
"$HERALD" -C ../server.git digest --since 2026-01-01 --now 2026-11-26T00:00:00Z

printf '\nThe server is %s, the clone %s.\n' "$DEMO/server.git" "$DEMO/blog"
