# Helpers shared by the scan end-to-end scripts. Source it after
# test-lib.sh:
#
#	. "$(dirname "$0")/lib/test-lib.sh"
#	. "$TEST_DIR/lib/scan-lib.sh"
#
# It sets NOW (the instant every scan is evaluated at) and EXPECT (the
# folder of expected files), and defines jget, new_repo, fm, scan, efields,
# fmt_events, events, expect_events, expect_fields, norm and expect_json.

NOW=2026-11-26T00:00:00Z
EXPECT="$TEST_DIR/expect"

# JSON queries run with jq when it is installed (it starts much faster) and
# with python3 otherwise; both print strings bare and other values as
# compact JSON.
if [ -z "${HERALD_TEST_NO_JQ:-}" ] && command -v jq >/dev/null 2>&1; then HAVE_JQ=1; else HAVE_JQ=; fi

# jget QUERY [FILE]: one value, e.g. jget .events[0].type (default scan.json).
jget() {
	if [ -n "$HAVE_JQ" ]; then
		jq -r "$1 | if type == \"string\" then . else tojson end" "${2:-$TRASH/scan.json}"
	else
		python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
for part in sys.argv[1].strip(".").replace("[", ".[").split("."):
    if part:
        if part.startswith("["):
            i = int(part[1:-1])
            d = d[i] if isinstance(d, list) and -len(d) <= i < len(d) else None
        else:
            d = d.get(part) if isinstance(d, dict) else None
print(d if isinstance(d, str) else json.dumps(d, separators=(",", ":"), ensure_ascii=False))
' "$1" "${2:-$TRASH/scan.json}"
	fi
}

# ten_line_post PATH TITLE [FRONT-MATTER-LINE...]: a post titled TITLE
# whose body is ten lines unique to TITLE, for rename detection.
ten_line_post() {
	p=$1 && t=$2 && shift 2 &&
	mkdir -p "$(dirname "$p")" &&
	{
		printf -- "---\ntitle: %s\n" "$t" &&
		for l in "$@"; do echo "$l"; done &&
		printf -- "---\n\n" &&
		for l in 1 2 3 4 5 6 7 8 9 10
		do
			echo "Line $l of the post called $t, long enough to count."
		done
	} >"$p"
}

# new_repo NAME: creates the repository $TRASH/NAME and enters it.
new_repo() {
	rm -rf "$TRASH/$1" && git init -q "$TRASH/$1" && cd "$TRASH/$1"
}

# fm PATH: writes a post whose front matter lines come from stdin and whose
# body is a few paragraphs unique to PATH.
fm() {
	mkdir -p "$(dirname "$1")" &&
	{
		echo --- && cat && echo --- && echo &&
		echo "First paragraph of $1." &&
		echo &&
		echo "It goes on for a while, so that git sees two versions of this" &&
		echo "file as one file when it moves: $1, $1 and $1 again." &&
		echo &&
		echo "Last paragraph of $1."
	} >"$1"
}

# scan ARGS...: herald scan --json at $NOW into $TRASH/scan.json. Exit 0 is
# required, or 0/1 when the document lists errors.
scan() {
	herald scan --json --now "$NOW" "$@" >"$TRASH/scan.json"
	rc=$?
	if [ $rc = 0 ] || { [ $rc = 1 ] && ! grep -q '"errors": \[\]' "$TRASH/scan.json"; }; then
		return 0
	fi
	echo "herald scan $* exited $rc" >&2
	return 1
}

# efields F1,F2,... ARGS...: scan, then per event the fields, tab-separated.
efields() {
	f=$1 && shift &&
	scan "$@" &&
	if [ -n "$HAVE_JQ" ]; then
		jq -r --arg f "$f" '.events[] | [.[($f | split(","))[]] | if type == "string" then . else tojson end] | join("\t")' "$TRASH/scan.json"
	else
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["events"]:
    print("\t".join(e[k] if isinstance(e[k], str) else json.dumps(e[k], separators=(",", ":"), ensure_ascii=False) for k in sys.argv[2].split(",")))
' "$TRASH/scan.json" "$f"
	fi
}

# fmt_events [FILE]: one line per event of a scan document (default
# scan.json) "TYPE PATH[ < FROM_PATH]" and one per error "error PATH".
fmt_events() {
	if [ -n "$HAVE_JQ" ]; then
		jq -r '(.events[] | .type + " " + .path + (if .from_path == null then "" else " < " + .from_path end)), (.errors[] | "error " + .path)' "${1:-$TRASH/scan.json}"
	else
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["events"]:
    print(e["type"] + " " + e["path"] + ("" if e["from_path"] is None else " < " + e["from_path"]))
for e in d["errors"]:
    print("error " + e["path"])
' "${1:-$TRASH/scan.json}"
	fi
}

# events ARGS...: scan, then fmt_events.
events() {
	scan "$@" && fmt_events
}

# expect_events ARGS... <<EOF: events ARGS must print stdin exactly.
expect_events() {
	cat >"$TRASH/expect" &&
	events "$@" >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
}

# expect_fields F1,F2,... ARGS... <<EOF: efields must print stdin exactly
# (write the expected lines with tabs between fields).
expect_fields() {
	cat >"$TRASH/expect" &&
	efields "$@" >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
}

# norm: replaces object ids with <OID> and short ids with <SHORT>.
norm() {
	sed -E -e 's/"[0-9a-f]{40}"/"<OID>"/g' -e 's/"short": "[0-9a-f]{7,}"/"short": "<SHORT>"/'
}

# expect_json FILE ARGS...: the whole scan --json, ids normalised, must
# equal tests/expect/FILE.
expect_json() {
	f=$1 && shift &&
	scan "$@" &&
	norm <"$TRASH/scan.json" >"$TRASH/actual" &&
	test_cmp "$EXPECT/$f" "$TRASH/actual"
}

# make_blog NAME [BASE_URL]: creates the scenario blog used by the template
# tests in $TRASH/NAME and enters it. The site is "Field Notes" at BASE_URL
# (default https://blog.example.com; an empty BASE_URL leaves it out). Tag
# v1 is the first commit; the second (HEAD) makes one event of every kind:
# three new posts (tags, descriptions, one with Markdown in its first
# paragraph), one undrafted from _drafts/, one updated (front matter and
# body), one moved, one unpublished, one deleted, one scheduled and one
# draft (shown only with --drafts).
make_blog() {
	new_repo "$1" &&
	{
		echo "title: Field Notes" &&
		if [ "${2-https://blog.example.com}" != "" ]; then
			echo "base_url: ${2-https://blog.example.com}"
		fi
	} >.herald.yml &&
	fm _posts/2020-01-10-old.md <<-\EOT &&
	title: An old post
	date: 2020-01-10
	tags: [archive]
	EOT
	fm _posts/2020-01-11-moving.md <<-\EOT &&
	title: A post that moves
	date: 2020-01-11
	tags: [archive]
	EOT
	fm _posts/2020-01-12-gone.md <<-\EOT &&
	title: A post to delete
	date: 2020-01-12
	EOT
	fm _posts/2020-01-13-retracted.md <<-\EOT &&
	title: A post taken back
	date: 2020-01-13
	EOT
	fm _drafts/from-the-drafts.md <<-\EOT &&
	title: Out of the drafts
	date: 2020-03-27
	tags: [drafts, process]
	description: Finally published after a long time in the drafts folder.
	EOT
	commit_all "Start the blog" &&
	git tag v1 &&
	git mv _drafts/from-the-drafts.md _posts/2020-03-27-from-the-drafts.md &&
	mkdir -p _posts/archive &&
	git mv _posts/2020-01-11-moving.md _posts/archive/2020-01-11-moving.md &&
	git rm -q _posts/2020-01-12-gone.md &&
	fm _posts/2020-01-10-old.md <<-\EOT &&
	title: An old post
	date: 2020-01-10
	tags: [archive, updated]
	description: Now with a description.
	EOT
	echo "A paragraph added later." >>_posts/2020-01-10-old.md &&
	fm _posts/2020-01-13-retracted.md <<-\EOT &&
	title: A post taken back
	date: 2020-01-13
	draft: true
	EOT
	fm _posts/2020-03-28-release-checklist.md <<-\EOT &&
	title: Our release checklist
	date: 2020-03-28T09:30:00Z
	tags: [process, releases]
	description: Twelve steps we follow before every release.
	EOT
	fm _posts/2020-03-29-hello-world.md <<-\EOT &&
	title: Hello, World
	date: 2020-03-29T10:00:00Z
	tags: [intro, meta]
	description: The first post of the new blog.
	EOT
	write_post _posts/2020-03-30-markup.md <<-\EOT &&
	---
	title: Markup in summaries
	date: 2020-03-30
	tags: [writing]
	---

	A first paragraph with *emphasis*, a [link](https://example.com) and `code`.

	The second paragraph is not part of the summary.
	EOT
	fm _posts/2027-01-01-future.md <<-\EOT &&
	title: A post for next year
	date: 2027-01-01
	tags: [future]
	EOT
	fm _drafts/idea.md <<-\EOT &&
	title: A half-written idea
	EOT
	commit_all "Publish the March posts"
}

# norm_ids: replaces 40-hex object ids with <OID> and 7-hex short ids
# with <SHORT> anywhere in the text (JSON and rendered output alike).
norm_ids() {
	sed -E -e 's/\b[0-9a-f]{40}\b/<OID>/g' -e 's/\b[0-9a-f]{7}\b/<SHORT>/g'
}
