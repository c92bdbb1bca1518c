#!/bin/sh
# The Atom and JSON feeds the digest makes: well-formed, with every element
# RFC 4287 and JSON Feed 1.1 require, entries newest first, and ids that are
# unique and stable with and without a base_url.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# feeds DIR: digest --since v1 as Atom and JSON Feed into $TRASH/DIR.atom
# and $TRASH/DIR.json.
feeds() {
	(cd "$TRASH/$1" &&
	 herald digest --since v1 --format atom --now "$NOW" >"$TRASH/$1.atom" &&
	 herald digest --since v1 --format json --now "$NOW" >"$TRASH/$1.json")
}

# check_atom FILE BASE_URL: the checks of RFC 4287 that matter to readers
# (BASE_URL empty: none set, so ids must be urn: values).
check_atom() {
	python3 - "$@" <<-\EOT
	import re, sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	path, base = sys.argv[1], sys.argv[2]
	feed = ET.parse(path).getroot()
	assert feed.tag == A + "feed", feed.tag
	rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
	def one(el, name):
	    found = el.findall(A + name)
	    assert len(found) == 1, "%s: %d <%s>" % (el.tag, len(found), name)
	    return found[0]
	def alternates(el):
	    return [l for l in el.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
	fid = one(feed, "id").text
	assert fid and fid.strip() == fid, fid
	assert one(feed, "title").text
	assert rfc3339.match(one(feed, "updated").text)
	entries = feed.findall(A + "entry")
	assert len(entries) == 4, len(entries)
	feed_author = feed.findall(A + "author")
	if base:
	    assert fid == base + "/", fid
	    assert [l.get("href") for l in alternates(feed)] == [base + "/"]
	else:
	    assert fid.startswith("urn:"), fid
	    assert alternates(feed) == []
	ids = [fid]
	dates = []
	for e in entries:
	    title = one(e, "title").text
	    eid = one(e, "id").text
	    ids.append(eid)
	    up = one(e, "updated").text
	    assert rfc3339.match(up), up
	    dates.append(up)
	    assert feed_author or e.findall(A + "author"), title + ": no author"
	    for a in e.findall(A + "author"):
	        assert one(a, "name").text, title + ": author without name"
	    links = alternates(e)
	    if base:
	        assert len(links) == 1 and links[0].get("href").startswith(base + "/"), title
	        assert eid == links[0].get("href"), (eid, links[0].get("href"))
	    else:
	        assert eid.startswith("urn:"), eid
	    # RFC 4287 4.1.1: an entry without content has an alternate link
	    assert e.findall(A + "content") or links, title + ": neither <content> nor an alternate link"
	    s = e.find(A + "summary")
	    assert s is None or s.get("type") in (None, "text", "html", "xhtml"), s.get("type")
	assert len(set(ids)) == len(ids), "ids not unique: %r" % ids
	assert dates == sorted(dates, reverse=True), "not newest first: %r" % dates
	EOT
}

# check_jsonfeed FILE BASE_URL: the JSON Feed 1.1 checks.
check_jsonfeed() {
	python3 - "$@" <<-\EOT
	import json, sys
	path, base = sys.argv[1], sys.argv[2]
	f = json.load(open(path, encoding="utf-8"))
	assert f["version"] == "https://jsonfeed.org/version/1.1", f["version"]
	assert isinstance(f["title"], str) and f["title"]
	if base:
	    assert f["home_page_url"] == base + "/", f.get("home_page_url")
	else:
	    assert "home_page_url" not in f
	items = f["items"]
	assert len(items) == 4, len(items)
	ids = []
	for it in items:
	    assert isinstance(it["id"], str) and it["id"], it
	    ids.append(it["id"])
	    assert isinstance(it["title"], str) and it["title"]
	    assert isinstance(it["content_html"], str) and it["content_html"].startswith("<p>")
	    assert isinstance(it["tags"], list) and all(isinstance(t, str) for t in it["tags"]), it["tags"]
	    for a in it.get("authors", []):
	        assert isinstance(a["name"], str) and a["name"]
	    if base:
	        assert it["url"].startswith(base + "/") and it["id"] == it["url"], it
	    else:
	        assert "url" not in it and it["id"].startswith("urn:"), it
	assert len(set(ids)) == len(ids), "ids not unique: %r" % ids
	dates = [it["date_published"] for it in items]
	assert dates == sorted(dates, reverse=True), dates
	assert [it["title"] for it in items] == ["Markup in summaries", "Hello, World", "Our release checklist", "Out of the drafts"]
	assert [it["tags"] for it in items] == [["writing"], ["intro", "meta"], ["process", "releases"], ["drafts", "process"]]
	EOT
}

test_expect_success 'setup: the blog with and without base_url' '
	make_blog blog &&
	make_blog nobase "" &&
	feeds blog &&
	feeds nobase
'

test_expect_success 'Atom feed is well-formed XML' '
	xmllint --noout "$TRASH/blog.atom"
'

test_expect_success 'Atom feed has every required element, newest first' '
	check_atom "$TRASH/blog.atom" https://blog.example.com
'

test_expect_success 'Atom feed declares UTF-8 and the Atom namespace' '
	head -n 2 "$TRASH/blog.atom" >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	<?xml version="1.0" encoding="utf-8"?>
	<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'JSON Feed is valid JSON 1.1 with ids, titles, content and tags' '
	check_jsonfeed "$TRASH/blog.json" https://blog.example.com
'

test_expect_success 'without base_url: Atom well-formed, urn: ids, unique' '
	xmllint --noout "$TRASH/nobase.atom" &&
	python3 - "$TRASH/nobase.atom" <<-\EOT
	import sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	feed = ET.parse(sys.argv[1]).getroot()
	ids = [feed.find(A + "id").text] + [e.find(A + "id").text for e in feed.findall(A + "entry")]
	assert len(ids) == 5 and all(i.startswith("urn:") for i in ids), ids
	assert len(set(ids)) == len(ids), ids
	EOT
'

test_expect_success 'without base_url: JSON Feed valid, urn: ids, unique' '
	check_jsonfeed "$TRASH/nobase.json" ""
'

test_expect_success 'without base_url: every Atom entry has content or an alternate link (RFC 4287 4.1.1)' '
	check_atom "$TRASH/nobase.atom" ""
'

test_expect_success 'without base_url: two posts with the same slug get different ids' '
	make_blog dup "" &&
	fm _posts/2019-03-29-hello-world.md <<-\EOT &&
	title: Hello again, an older world
	date: 2019-03-29
	EOT
	commit_all "An older post with the same slug" &&
	herald digest --since v1 --format atom --now "$NOW" >"$TRASH/dup.atom" &&
	herald digest --since v1 --format json --now "$NOW" >"$TRASH/dup.json" &&
	python3 - "$TRASH/dup.atom" "$TRASH/dup.json" <<-\EOT
	import json, sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	ids = [e.find(A + "id").text for e in ET.parse(sys.argv[1]).getroot().findall(A + "entry")]
	assert len(ids) == 5, ids
	assert len(set(ids)) == 5, "Atom entry ids collide: %r" % ids
	ids = [it["id"] for it in json.load(open(sys.argv[2]))["items"]]
	assert len(set(ids)) == 5, "JSON Feed item ids collide: %r" % ids
	EOT
'

test_expect_success 'without base_url: the feed id stays the same when the blog moves on' '
	cd nobase &&
	herald digest --since v1 --format atom --now "$NOW" >"$TRASH/before.atom" &&
	fm _posts/2020-03-31-later.md <<-\EOT &&
	title: A later post
	date: 2020-03-31
	EOT
	commit_all "One more post" &&
	herald digest --since v1 --format atom --now "$NOW" >"$TRASH/after.atom" &&
	python3 - "$TRASH/before.atom" "$TRASH/after.atom" <<-\EOT
	import sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	before, after = (ET.parse(p).getroot() for p in sys.argv[1:3])
	assert before.find(A + "id").text == after.find(A + "id").text, \
	    "feed id changed: %s -> %s" % (before.find(A + "id").text, after.find(A + "id").text)
	eb = {e.find(A + "title").text: e.find(A + "id").text for e in before.findall(A + "entry")}
	ea = {e.find(A + "title").text: e.find(A + "id").text for e in after.findall(A + "entry")}
	for t in eb:
	    assert eb[t] == ea[t], (t, eb[t], ea[t])
	EOT
'

test_expect_success '--limit 2 keeps the two newest entries in both feeds' '
	cd blog &&
	herald digest --since v1 --limit 2 --format atom --now "$NOW" >"$TRASH/lim.atom" &&
	herald digest --since v1 --limit 2 --format json --now "$NOW" >"$TRASH/lim.json" &&
	xmllint --noout "$TRASH/lim.atom" &&
	python3 - "$TRASH/lim.atom" "$TRASH/lim.json" <<-\EOT
	import json, sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	t = [e.find(A + "title").text for e in ET.parse(sys.argv[1]).getroot().findall(A + "entry")]
	assert t == ["Markup in summaries", "Hello, World"], t
	t = [it["title"] for it in json.load(open(sys.argv[2]))["items"]]
	assert t == ["Markup in summaries", "Hello, World"], t
	EOT
'

test_expect_success 'an empty digest is still a valid feed' '
	cd blog &&
	herald digest --format atom --now "$NOW" >"$TRASH/empty.atom" &&
	herald digest --format json --now "$NOW" >"$TRASH/empty.json" &&
	xmllint --noout "$TRASH/empty.atom" &&
	python3 - "$TRASH/empty.atom" "$TRASH/empty.json" <<-\EOT
	import json, sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	f = ET.parse(sys.argv[1]).getroot()
	assert f.find(A + "id").text and f.find(A + "updated").text and f.find(A + "title").text
	assert f.findall(A + "entry") == []
	j = json.load(open(sys.argv[2]))
	assert j["version"] == "https://jsonfeed.org/version/1.1" and j["items"] == [], j
	EOT
'

test_done
