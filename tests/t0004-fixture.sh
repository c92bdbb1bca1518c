#!/bin/sh
# The real post in ../shared/fixtures: a draft, undrafted by moving it out of
# _drafts/, and undrafted in place.
. "$(dirname "$0")/lib/test-lib.sh"

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

FIXTURE="$SHARED_DIR/fixtures/backend-engineer-behind-the-scenes.md"
NAME=backend-engineer-behind-the-scenes

# The fields of the undrafted event, one per line (tests/expect/t0004-undrafted.txt).
undrafted_fields() {
	for q in type path from_path state title slug date url tags summary front_matter.draft front_matter.isexternal front_matter.created_date
	do
		printf "%s=" "$q" && jget ".events[0].$q" || return 1
	done
}

if ! test -f "$FIXTURE"
then
	test_skip 'fixture tests' "no fixture at $FIXTURE"
	test_done
fi

test_expect_success 'committed in _drafts/ it is a draft: no event, a draft event with --drafts' '
	new_repo move &&
	fm _posts/2020-01-01-older.md <<-\EOT &&
	title: Older
	EOT
	commit_all "older post" &&
	mkdir _drafts &&
	cp "$FIXTURE" _drafts/$NAME.md &&
	commit_all "Draft: behind the scenes" &&
	expect_events &&
	expect_fields type,path,state,title --drafts <<-EOT
	draft	_drafts/$NAME.md	draft	Behind the Scenes of a Backend Engineer
	EOT
'

test_expect_success 'show reads it as a draft' '
	cd "$TRASH/move" &&
	herald show --json --now "$NOW" _drafts/$NAME.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = draft &&
	test "$(jget .error "$TRASH/show.json")" = null &&
	test "$(jget .date "$TRASH/show.json")" = 2020-03-30T00:00:00Z
'

test_expect_success 'moved to _posts/ with draft: true removed it is undrafted' '
	cd "$TRASH/move" &&
	mkdir -p _posts &&
	git mv _drafts/$NAME.md _posts/2020-03-30-$NAME.md &&
	sed -i "/^draft: true$/d" _posts/2020-03-30-$NAME.md &&
	commit_all "Publish: behind the scenes" &&
	expect_events <<-EOT &&
	undrafted _posts/2020-03-30-$NAME.md < _drafts/$NAME.md
	EOT
	undrafted_fields >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0004-undrafted.txt" "$TRASH/actual" &&
	test "$(jget .events[0].commit.subject)" = "Publish: behind the scenes" &&
	test "$(jget .events[0].commit.id)" = "$(git rev-parse HEAD)"
'

test_expect_success 'the front matter is carried whole' '
	cd "$TRASH/move" &&
	python3 -c "import json,sys; print(json.dumps(sorted(json.load(open(sys.argv[1]))[\"events\"][0][\"front_matter\"]), separators=(\",\", \":\")))" "$TRASH/scan.json" >"$TRASH/keys" &&
	echo "[\"created_date\",\"description\",\"featuredImgPath\",\"isexternal\",\"published_date\",\"slug\",\"sub_title\",\"tags\",\"title\"]" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/keys" &&
	jget .events[0].front_matter.featuredImgPath >"$TRASH/img" &&
	grep "^https://lh3.googleusercontent.com/_ujDOYZN1_9Cc.*w2144-h1608-no$" "$TRASH/img"
'

test_expect_success 'undrafted in place (only draft: true removed) is undrafted' '
	new_repo in-place &&
	mkdir _posts &&
	cp "$FIXTURE" _posts/2020-03-30-$NAME.md &&
	commit_all "Draft in _posts" &&
	expect_events &&
	sed -i "/^draft: true$/d" _posts/2020-03-30-$NAME.md &&
	commit_all "Publish" &&
	scan &&
	undrafted_fields >"$TRASH/actual" &&
	sed -e "s|^from_path=.*|from_path=null|" "$EXPECT/t0004-undrafted.txt" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'lint finds nothing wrong with it' '
	cd "$TRASH/in-place" &&
	herald lint >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	grep -E "^herald: 1 posts? checked: 0 errors, 0 warnings$" "$TRASH/err"
'

test_done
