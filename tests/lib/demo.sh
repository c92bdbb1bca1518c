#!/bin/sh
# `make demo`: a sample blog made from tests/demo/, three pushes' worth of
# history, and what herald says about each step. No network, nothing to set up.
set -eu
HERALD=${1:?usage: demo.sh /path/to/herald}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEMO="$SRC/tests/out/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO/blog"
cd "$DEMO/blog"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$DEMO/.gitconfig" TZ=UTC
export GIT_AUTHOR_NAME='Demo Author' GIT_AUTHOR_EMAIL='author@example.com'
export GIT_COMMITTER_NAME='Demo Author' GIT_COMMITTER_EMAIL='author@example.com'
NOW=2026-11-26T00:00:00Z
git init -q -b main .
step() {
	printf '\n\033[1m== %s\033[0m\n' "$1"
}
commit() {
	GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"
}

cat >.herald.yml <<'YML'
title: The Demo Blog
base_url: https://blog.example.com
permalink: /:year/:month/:slug/
YML
mkdir -p _posts _drafts
cp "$SRC/tests/demo/2026-11-02-hello-herald.md" _posts/
cp "$SRC/tests/demo/notes-on-backends.md" _drafts/
git add -A
commit '2026-11-02T09:00:00Z' 'Start the blog'
step "1. the first commit: one post, one draft"
"$HERALD" scan --now $NOW --drafts

cp "$SRC/tests/demo/2026-11-20-release-notes-from-git.md" _posts/
git add -A
commit '2026-11-20T09:00:00Z' 'Post: release notes from git'
step "2. a new post"
"$HERALD" scan --now $NOW

sed -i '/^draft: true/d' _drafts/notes-on-backends.md
git mv _drafts/notes-on-backends.md _posts/2026-11-24-notes-on-building-backends.md
git add -A
commit '2026-11-24T09:00:00Z' 'Publish the backend notes'
step "3. the draft is published (moved out of _drafts, draft: true removed)"
"$HERALD" scan --now $NOW

sed -i 's/everywere/everywhere/' _posts/2026-11-24-notes-on-building-backends.md
git add -A
commit '2026-11-25T09:00:00Z' 'Fix a typo'
step "4. a typo fix: an update, which is not announced by default"
"$HERALD" scan --now $NOW

step "the last step as the JSON every template and webhook sees (excerpt)"
"$HERALD" scan --now $NOW --json | sed -n '1,40p'

step "lint: every post's front matter"
"$HERALD" lint
printf '\nThe sample blog is in %s\n' "$DEMO/blog"
