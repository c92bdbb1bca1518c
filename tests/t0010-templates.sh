#!/bin/sh
# Golden files for every built-in template: notes (md, html, and the json
# model) and digest (md, html, atom, json) on one scenario blog with an
# event of every kind. Ids are normalised; everything else is fixed.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# golden NAME CMD...: runs herald CMD at $NOW in the blog, normalises ids
# and compares with tests/expect/t0010-NAME.
golden() {
	name=$1 && shift &&
	(cd "$TRASH/blog" && herald "$@" --now "$NOW") >"$TRASH/out.$name" &&
	norm_ids <"$TRASH/out.$name" >"$TRASH/actual.$name" &&
	test_cmp "$EXPECT/t0010-$name" "$TRASH/actual.$name"
}

test_expect_success 'scenario blog' '
	make_blog blog &&
	events >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	new _posts/2020-03-28-release-checklist.md
	new _posts/2020-03-29-hello-world.md
	new _posts/2020-03-30-markup.md
	undrafted _posts/2020-03-27-from-the-drafts.md < _drafts/from-the-drafts.md
	moved _posts/archive/2020-01-11-moving.md < _posts/2020-01-11-moving.md
	updated _posts/2020-01-10-old.md
	unpublished _posts/2020-01-13-retracted.md
	deleted _posts/2020-01-12-gone.md
	scheduled _posts/2027-01-01-future.md
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'notes md' '
	golden notes.md notes
'

test_expect_success 'notes html' '
	golden notes.html notes --format html
'

test_expect_success 'notes json is the model' '
	golden notes.model.json notes --format json
'

test_expect_success 'digest md' '
	golden digest.md digest --since v1
'

test_expect_success 'digest html' '
	golden digest.html digest --since v1 --format html
'

test_expect_success 'digest atom' '
	golden digest.atom digest --since v1 --format atom
'

test_expect_success 'digest json (JSON Feed)' '
	golden digest.json digest --since v1 --format json
'

test_expect_success 'empty digest md and html' '
	golden digest-empty.md digest &&
	golden digest-empty.html digest --format html
'

test_expect_success 'empty notes md and html' '
	rm -rf empty && git clone -q blog empty &&
	(cd empty && test_tick && git commit -q --allow-empty -m "Nothing") &&
	(cd empty && herald notes --now "$NOW") | norm_ids >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0010-notes-empty.md" "$TRASH/actual" &&
	(cd empty && herald notes --format html --now "$NOW") | norm_ids >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0010-notes-empty.html" "$TRASH/actual"
'

test_expect_success 'the model has what the templates need' '
	cd blog &&
	herald notes --format json --now "$NOW" >"$TRASH/model.json" &&
	python3 - "$TRASH/model.json" <<-\EOT
	import json, sys
	m = json.load(open(sys.argv[1]))
	types = ["new", "undrafted", "moved", "updated", "unpublished", "deleted", "scheduled", "draft"]
	assert m["site"] == {"title": "Field Notes", "base_url": "https://blog.example.com"}, m["site"]
	assert m["range"]["to"] == m["to"] and m["range"]["from"] == m["from"], m["range"]
	assert m["range"]["to"].startswith(m["range"]["to_short"])
	for t in types:
	    assert [e["path"] for e in m["events"] if e["type"] == t] == [e["path"] for e in m[t]], t
	    assert m["counts"][t] == len(m[t]), t
	assert m["counts"]["total"] == len(m["events"]) == 9
	posts = [e["title"] for e in m["posts"]]
	assert posts == ["Markup in summaries", "Hello, World", "Our release checklist", "Out of the drafts"], posts
	assert m["counts"]["posts"] == 4
	for t in types + ["posts"]:
	    for i, e in enumerate(m[t]):
	        assert e["first"] == (i == 0) and e["last"] == (i == len(m[t]) - 1), (t, i)
	for e in m["events"]:
	    assert json.loads(e["tags_json"]) == e["tags"], e["path"]
	    assert e["tags_text"] == " ".join("#" + t for t in e["tags"]), e["tags_text"]
	EOT
'

test_expect_success 'notes --drafts lists the draft (md)' '
	cd blog &&
	herald notes --drafts --now "$NOW" >"$TRASH/drafts.md" &&
	grep "^- A half-written idea (\\\\_drafts/idea.md)$" "$TRASH/drafts.md" &&
	herald notes --now "$NOW" >"$TRASH/nodrafts.md" &&
	! grep "half-written" "$TRASH/nodrafts.md"
'

test_expect_success 'notes --drafts lists the draft (html, like md does)' '
	cd blog &&
	herald notes --drafts --format html --now "$NOW" >"$TRASH/drafts.html" &&
	grep "A half-written idea" "$TRASH/drafts.html"
'

test_done
