#!/bin/sh
# The real post in ../shared/fixtures: a draft, undrafted by moving it out of
# _drafts/, and undrafted in place.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

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
